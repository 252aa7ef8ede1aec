import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
	CollabClose,
	collabLimits,
	messagePlenary,
	messageSync,
	plenaryAccess,
	plenaryError,
	plenaryHello,
	plenarySaved,
	type AccessState
} from '$lib/protocol/collab';

export type Connection = 'connecting' | 'connected' | 'offline';

/** Local copies being deleted, by document: a new session waits for its document's deletion. */
// Bookkeeping outside any component, never rendered: not reactive state.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const clearing = new Map<string, Promise<void>>();

/** Resolves once no deletion of this document's local copy is under way. */
export function localCopySettled(documentId: string): Promise<void> {
	return clearing.get(documentId) ?? Promise.resolve();
}

/**
 * What a session that restarts hands to the next one (see `DocumentSession.carryOver`), by
 * document: this browser's own state, to be applied before anything else.
 */
// Bookkeeping outside any component, never rendered: not reactive state.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const carried = new Map<string, Uint8Array>();
export type Presence = { id: string; name: string; color: string; role: string };

/**
 * The browser side of one open document: the Y.Doc, its copy in IndexedDB (so text typed offline
 * survives a closed tab), and the WebSocket to /collab. Reactive state for the page: connection,
 * whether everything typed is committed on the server, write access, and who is here.
 */
export class DocumentSession {
	readonly doc = new Y.Doc();
	readonly provider: WebsocketProvider;
	private readonly local: IndexeddbPersistence;

	connection = $state<Connection>('connecting');
	/** Everything in this browser's copy is committed in the server's database. */
	saved = $state(true);
	/** The browser's own copy (IndexedDB) has been read, and holds everything typed here. */
	storedLocally = $state(false);
	/** A change is on its way into IndexedDB (a write lasting more than a moment clears `storedLocally`). */
	localWritePending = $state(false);
	private localWrites = 0;
	access = $state<AccessState>({ canWrite: false, reason: null, lockedByName: null });
	lastError = $state<string | null>(null);
	/** Set when the server closed for good (removed from the group, logged out). */
	ended = $state<'NOT_FOUND' | 'UNAUTHENTICATED' | null>(null);
	people = $state<Presence[]>([]);
	/**
	 * The page must open this document afresh. Either this copy holds edits the server refused while
	 * the user could only read and now they may write (the server keeps refusing those, AZ-23: the
	 * local copy is dropped), or a too-large paste was undone (see `carryOver`: the local copy stays).
	 */
	stale = $state(false);
	/**
	 * Set with `stale` when this copy must be reopened keeping its own text: after a paste too large
	 * to send was undone. The undo keeps the pasted text for redo, and sync would send it again; a
	 * copy rebuilt from this state has dropped it (Yjs's garbage collection) and syncs.
	 */
	private carryOver: Uint8Array | null = null;
	private refusedAsReadOnly = false;
	private sizeCheckAt = 0;
	// Replaced whole by each sync step 1 of the server; only read in serverVector: not reactive.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private serverStep1 = new Map<number, number>();

	// Replaced whole by each "saved" message and only read in refreshSaved: not reactive state.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private committed = new Map<number, number>();
	private tooBig = false;

	constructor(
		private readonly documentId: string,
		initialAccess: AccessState
	) {
		this.access = initialAccess;
		const seed = carried.get(documentId);
		if (seed) {
			carried.delete(documentId);
			Y.applyUpdate(this.doc, seed);
		}
		this.local = new IndexeddbPersistence(`plenary-document-${documentId}`, this.doc);
		this.local.once('synced', () => (this.storedLocally = !this.localWritePending));
		const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
		this.provider = new WebsocketProvider(`${scheme}://${location.host}/collab`, documentId, this.doc, {
			disableBc: true,
			maxBackoffTime: 10_000
		});
		this.provider.messageHandlers[messagePlenary] = (_encoder, decoder) => this.onPlenary(decoder);
		// Peek at the server's sync step 1 (its state vector) before y-websocket handles it.
		const handleSync = this.provider.messageHandlers[messageSync]!;
		this.provider.messageHandlers[messageSync] = (encoder, decoder, provider, emitSynced, messageType) => {
			const peek = decoding.clone(decoder);
			if (decoding.readVarUint(peek) === 0) this.serverStep1 = Y.decodeStateVector(decoding.readVarUint8Array(peek));
			handleSync(encoder, decoder, provider, emitSynced, messageType);
		};
		this.provider.on('status', ({ status }) => {
			this.connection = status === 'connected' ? 'connected' : status === 'connecting' ? 'connecting' : 'offline';
			if (status === 'connected') this.provider.ws?.send(hello());
			// Said again by the server if it still holds such text after the reconnect.
			if (status === 'connected' && this.lastError === 'CLIENT_ID') this.lastError = null;
		});
		this.provider.on('connection-close', (event) => {
			if (event?.code === CollabClose.NOT_FOUND) this.ended = 'NOT_FOUND';
			if (event?.code === CollabClose.UNAUTHENTICATED) this.ended = 'UNAUTHENTICATED';
			if (event?.code === CollabClose.RATE_LIMITED) setTimeout(() => this.provider.connect(), 2000);
			if (event?.code === CollabClose.TOO_BIG) {
				// Re-sending the same oversized paste would fail forever: stop until the text changes
				// (the user undoes it and pastes in parts); it stays in this browser meanwhile.
				this.lastError = 'UPDATE_TOO_LARGE';
				this.tooBig = true;
				this.provider.disconnect();
			}
		});
		this.doc.on('update', (_update: Uint8Array, origin: unknown) => {
			// What others wrote is on the server already; what is typed here must reach IndexedDB.
			if (origin !== this.provider && origin !== this.local) this.trackLocalWrite();
			this.refreshSaved();
			if (this.tooBig) this.retryAfterTooBig();
		});
		this.provider.awareness.on('change', () => this.refreshPeople());
		window.addEventListener('online', this.wake);
	}

	/**
	 * After a paste too large to send, every change checks (at most twice a second) whether what the
	 * server lacks now fits in a message, as rebuilt without the text that undo keeps for redo. Then
	 * the page reopens this document from that rebuilt copy; until then the text stays here.
	 */
	private retryAfterTooBig(): void {
		const now = Date.now();
		if (now - this.sizeCheckAt < 500) return;
		this.sizeCheckAt = now;
		const rebuilt = new Y.Doc();
		Y.applyUpdate(rebuilt, Y.encodeStateAsUpdate(this.doc));
		const serverLacks = Y.encodeStateAsUpdate(rebuilt, this.serverVector());
		const state = Y.encodeStateAsUpdate(rebuilt);
		rebuilt.destroy();
		if (serverLacks.byteLength >= collabLimits.maxUpdateBytes) return;
		this.tooBig = false;
		this.lastError = null;
		this.carryOver = state;
		this.stale = true;
	}

	/** What the server is known to have: its last sync step 1 and its "saved" confirmations. */
	private serverVector(): Uint8Array {
		// A throwaway copy inside one call: not reactive state.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const known = new Map(this.serverStep1);
		for (const [client, clock] of this.committed) known.set(client, Math.max(clock, known.get(client) ?? 0));
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, known.size);
		for (const [client, clock] of known) {
			encoding.writeVarUint(encoder, client);
			encoding.writeVarUint(encoder, clock);
		}
		return encoding.toUint8Array(encoder);
	}

	/**
	 * y-indexeddb writes every change in its own transaction (its listener runs before ours) but
	 * does not say when it is committed. A read of the same store queued now completes only after
	 * that write has: then the change would survive the tab being closed.
	 */
	private trackLocalWrite(): void {
		const db = (this.local as unknown as { db: IDBDatabase | null }).db;
		if (!db) return; // before the copy is read: 'synced' follows
		const write = ++this.localWrites;
		this.localWritePending = true;
		const slow = setTimeout(() => write === this.localWrites && (this.storedLocally = false), 250);
		const committed = () => {
			clearTimeout(slow);
			if (write !== this.localWrites) return;
			this.localWritePending = false;
			this.storedLocally = true;
		};
		try {
			const read = db.transaction('updates', 'readonly');
			read.objectStore('updates').count();
			read.oncomplete = committed;
		} catch {
			clearTimeout(slow); // the database is closing (the page is leaving)
		}
	}

	/** Reconnect at once when the operating system says the network is back. */
	private wake = () => {
		if (!this.provider.wsconnected) this.provider.connect();
	};

	private onPlenary(decoder: decoding.Decoder): void {
		const subtype = decoding.readVarUint(decoder);
		if (subtype === plenarySaved) {
			this.committed = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
			this.refreshSaved();
		} else if (subtype === plenaryAccess) {
			const access = JSON.parse(decoding.readVarString(decoder)) as AccessState;
			if (access.canWrite && !this.access.canWrite && this.refusedAsReadOnly) this.stale = true;
			this.access = access;
		} else if (subtype === plenaryError) {
			this.lastError = decoding.readVarString(decoder);
			if (this.lastError === 'READ_ONLY') this.refusedAsReadOnly = true;
		}
	}

	private refreshSaved(): void {
		if (!this.access.canWrite) {
			this.saved = true;
			return;
		}
		// Saved when the server's committed state covers every change this browser made.
		const own = this.doc.clientID;
		const mine = Y.decodeStateVector(Y.encodeStateVector(this.doc)).get(own) ?? 0;
		this.saved = (this.committed.get(own) ?? 0) >= mine;
	}

	private refreshPeople(): void {
		const byId: Record<string, Presence> = {};
		for (const state of this.provider.awareness.getStates().values()) {
			const user = (state as { user?: Presence }).user;
			if (user?.id) byId[user.id] ??= user;
		}
		this.people = Object.values(byId);
	}

	destroy(): void {
		window.removeEventListener('online', this.wake);
		this.provider.destroy();
		// A copy reopened for a too-large paste keeps its IndexedDB: that is where its text is safe.
		if (this.carryOver) carried.set(this.documentId, this.carryOver);
		if (this.stale && !this.carryOver) {
			const cleared = this.local.clearData().catch(() => {});
			clearing.set(this.documentId, cleared);
			void cleared.then(() => clearing.get(this.documentId) === cleared && clearing.delete(this.documentId));
		} else {
			void this.local.destroy();
		}
		this.doc.destroy();
	}
}

function hello(): Uint8Array<ArrayBuffer> {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messagePlenary);
	encoding.writeVarUint(encoder, plenaryHello);
	return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}
