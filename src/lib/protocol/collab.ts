import type { Role } from './roles';

/**
 * The /collab/<documentId> WebSocket: the y-websocket protocol (message types 0 sync, 1 awareness,
 * 2 auth, 3 query awareness) plus Plenary's own message type 100, which stock clients ignore.
 */
export const messageSync = 0;
export const messageAwareness = 1;
export const messageAuth = 2;
export const messageQueryAwareness = 3;
export const messagePlenary = 100;

/** Subtypes of message 100. */
export const plenaryHello = 0; // client → server: "I understand message 100" (opt in to the rest)
export const plenarySaved = 1; // server → client: state vector of what is committed to the database
export const plenaryAccess = 2; // server → client: JSON { canWrite, reason, lockedByName }
export const plenaryError = 3; // server → client: an error code for a refused message (connection stays)
/** client → server: "are you there?" after a quiet spell; the server answers `plenaryPong` at once. */
export const plenaryPing = 4;
export const plenaryPong = 5; // server → client

/** Close codes of /collab (reliability.md 4.0). 4400–4499: the stock client does not reconnect. */
export const CollabClose = {
	SERVICE_RESTART: 1012,
	UNSUPPORTED_DATA: 1003,
	TOO_BIG: 1009,
	LOAD_FAILED: 1011,
	MALFORMED: 4400,
	UNAUTHENTICATED: 4401,
	NOT_FOUND: 4404,
	/** The account already holds `COLLAB_CONNECTIONS_PER_DOCUMENT` sockets on this document. */
	TOO_MANY_CONNECTIONS: 4409,
	DOC_TOO_LARGE: 4413,
	RATE_LIMITED: 4429
} as const;

/** Codes sent in-band (message 100/3) for a message refused while the connection stays open. */
/** CLIENT_ID: structs under a Yjs client id owned by another author were left out (BI-13); the rest applied. */
export type CollabErrorCode = 'READ_ONLY' | 'LOCKED' | 'SCHEMA' | 'UPDATE_TOO_LARGE' | 'CLIENT_ID';

/** Write access now, with the role it follows from (the page shows the live role, not the one it loaded with). */
export type AccessState = { canWrite: boolean; reason: 'role' | 'locked' | null; lockedByName: string | null; role?: Role };

export const collabLimits = {
	/** ws maxPayload: one frame; a 900 KiB paste fits, with room for framing. */
	maxMessageBytes: 1024 * 1024 + 1024,
	maxUpdateBytes: 1024 * 1024,
	maxDocumentBytes: 16 * 1024 * 1024,
	maxAwarenessStateBytes: 2048,
	/**
	 * Awareness changes of a room go out together every tick, only the latest state per client, and
	 * at most this many encoded bytes a second per room (the rest waits for the next tick): the
	 * fan-out to every connection is then bounded, however fast its clients announce (issue 12).
	 */
	awarenessTickMs: 50,
	awarenessBytesPerSecond: 128 * 1024,
	/** Token bucket per connection: sustained messages/s and burst. */
	messagesPerSecond: 30,
	messageBurst: 100,
	/** Beyond the burst, messages wait their turn; a connection over budget this long is closed 4429. */
	overBudgetMs: 5000,
	/** …and so is one whose waiting messages exceed these (memory bound). */
	maxQueuedMessages: 500,
	maxQueuedBytes: 8 * 1024 * 1024
} as const;
