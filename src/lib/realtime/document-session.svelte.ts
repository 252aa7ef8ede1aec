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
	type AccessState,
	type CollabErrorCode
} from '$lib/protocol/collab';
import { watchLink } from './link-watch';
import { forgetRefused, fromBase64, readRefused, toBase64, writeRefused, type RefusedEdits } from './refused-edits';
import { covers, encodeVector, reauthor, splitUpdate, textBeyond } from './yjs-updates';

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
	/** What the browser says of the network (its `online`/`offline` events). */
	private online = $state(typeof navigator === 'undefined' || navigator.onLine);
	/** Everything in this browser's copy is committed in the server's database, whatever client id wrote it. */
	saved = $state(false);
	/** This copy holds changes the server does not have (sent or not). */
	pending = $state(false);
	/** Text the server refused, kept on this device until it is delivered or discarded (see refused-edits). */
	refused = $state<RefusedEdits | null>(null);
	/** The browser's own copy (IndexedDB) has been read, and holds everything typed here. */
	storedLocally = $state(false);
	/** A change is on its way into IndexedDB (a write lasting more than a moment clears `storedLocally`). */
	localWritePending = $state(false);
	private localWrites = 0;
	access = $state<AccessState>({ canWrite: false, reason: null, lockedByName: null });
	lastError = $state<string | null>(null);
	/** Set when the server closed for good (removed from the group, logged out). */
	ended = $state<'NOT_FOUND' | 'UNAUTHENTICATED' | 'TOO_MANY_CONNECTIONS' | null>(null);
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
	private sizeCheckAt = 0;
	private localLoaded = false;
	private stopWatching: () => void;
	// Merged from every update received from the server; only read in serverVector: not reactive.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private received = new Map<number, number>();
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
		this.refused = readRefused(documentId);
		const seed = carried.get(documentId);
		if (seed) {
			carried.delete(documentId);
			Y.applyUpdate(this.doc, seed);
		}
		this.local = new IndexeddbPersistence(`plenary-document-${documentId}`, this.doc);
		this.local.once('synced', () => {
			this.storedLocally = !this.localWritePending;
			this.localLoaded = true;
			this.refreshSaved();
		});
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
			if (status === 'connecting' && this.provider.ws) sendInPieces(this.provider.ws);
			if (status === 'connected') this.provider.ws?.send(hello());
			// Said again by the server if it still holds such text after the reconnect.
			if (status === 'connected' && this.lastError === 'CLIENT_ID') this.lastError = null;
		});
		this.provider.on('sync', (synced: boolean) => synced && this.deliverRefused());
		this.stopWatching = watchLink(this.provider, (online) => (this.online = online));
		this.provider.on('connection-close', (event) => {
			if (event?.code === CollabClose.NOT_FOUND) this.ended = 'NOT_FOUND';
			if (event?.code === CollabClose.UNAUTHENTICATED) this.ended = 'UNAUTHENTICATED';
			if (event?.code === CollabClose.TOO_MANY_CONNECTIONS) this.ended = 'TOO_MANY_CONNECTIONS';
			if (event?.code === CollabClose.RATE_LIMITED) setTimeout(() => this.provider.connect(), 2000);
			if (event?.code === CollabClose.TOO_BIG) {
				// Re-sending the same oversized paste would fail forever: stop until the text changes
				// (the user undoes it and pastes in parts); it stays in this browser meanwhile.
				this.lastError = 'UPDATE_TOO_LARGE';
				this.tooBig = true;
				this.provider.disconnect();
			}
		});
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			// What others wrote is on the server already; what is typed here must reach IndexedDB.
			if (origin !== this.provider && origin !== this.local) this.trackLocalWrite();
			if (origin === this.provider) merge(this.received, Y.parseUpdateMeta(update).to);
			this.refreshSaved();
			if (this.tooBig) this.retryAfterTooBig();
		});
		this.provider.awareness.on('change', () => this.refreshPeople());
	}

	/** The line's view of the link: the browser's word on the network first. */
	get link(): Connection {
		return this.online ? this.connection : 'offline';
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

	/** What the server is known to have: its last sync step 1, its "saved" confirmations and what it sent. */
	private serverVector(): Uint8Array {
		return encodeVector(this.serverKnows());
	}

	private serverKnows(): Map<number, number> {
		// A throwaway copy inside one call: not reactive state.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const known = new Map(this.serverStep1);
		merge(known, this.committed);
		merge(known, this.received);
		return known;
	}

	/**
	 * The server refused our changes (READ_ONLY: the role no longer allows editing when they arrived;
	 * SCHEMA). They are kept on this device (localStorage) with their text, and the page reopens the
	 * document from the server's state, so the editor never shows text the server does not hold. A
	 * lock is not a refusal of this kind: the text stays in the editor and is sent on unlock.
	 */
	private keepRefused(code: CollabErrorCode): void {
		const known = this.serverKnows();
		const update = Y.encodeStateAsUpdate(this.doc, encodeVector(known));
		if (Y.parseUpdateMeta(update).to.size === 0) return; // only deletions: nothing to show or keep
		const text = textBeyond(this.doc, known);
		const earlier = readRefused(this.documentId);
		const record: RefusedEdits = {
			code,
			text: earlier && !earlier.sentAs ? `${earlier.text}\n${text}` : text,
			update: toBase64(earlier && !earlier.sentAs ? Y.mergeUpdates([fromBase64(earlier.update), update]) : update),
			sentAs: null,
			at: Date.now()
		};
		this.refused = record;
		try {
			writeRefused(this.documentId, record);
		} catch {
			// The browser will not store it: the text stays in this copy, shown in the panel; no reopening.
			return;
		}
		this.stale = true;
	}

	/**
	 * Sends refused text again once this person may write: written anew under this copy's client id
	 * (the server keeps refusing the old ids, AZ-23) on top of the server's state, as a local
	 * transaction (Yjs would otherwise take our own id in a remote update for a clash and change it).
	 */
	private deliverRefused(): void {
		const record = this.refused;
		if (!record || !this.access.canWrite || !this.provider.synced) return;
		if (record.sentAs && Y.getState(this.doc.store, record.sentAs.client) >= record.sentAs.end) return this.refreshSaved();
		const client = this.doc.clientID;
		const { update, end } = reauthor(fromBase64(record.update), client, Y.getState(this.doc.store, client));
		this.refused = { ...record, sentAs: { client, end } };
		try {
			writeRefused(this.documentId, this.refused);
		} catch {
			// kept in memory only; the text is in the document from now on
		}
		this.doc.transact((transaction) => {
			Y.applyUpdate(this.doc, update);
			transaction.local = true; // Yjs marks it remote; it is this person's own text
		}, deliveryOrigin);
	}

	/** Discards the refused text (the person copied it, or does not want it). */
	discardRefused(): void {
		forgetRefused(this.documentId);
		this.refused = null;
	}

	/** Write access came back (unlocked, or the role restored): what waits is sent now. */
	private resendPending(): void {
		const update = Y.encodeStateAsUpdate(this.doc, this.serverVector());
		const ws = this.provider.ws;
		if (Y.parseUpdateMeta(update).to.size === 0 || !ws || !this.provider.wsconnected) return;
		const pieces = update.byteLength > collabLimits.maxUpdateBytes ? (splitUpdate(update, pieceBytes) ?? [update]) : [update];
		for (const piece of pieces) ws.send(syncUpdate(piece));
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

	private onPlenary(decoder: decoding.Decoder): void {
		const subtype = decoding.readVarUint(decoder);
		if (subtype === plenarySaved) {
			this.committed = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
			this.refreshSaved();
		} else if (subtype === plenaryAccess) {
			const access = JSON.parse(decoding.readVarString(decoder)) as AccessState;
			const regained = access.canWrite && !this.access.canWrite;
			this.access = access;
			if (regained) {
				this.resendPending();
				this.deliverRefused();
			}
			this.refreshSaved();
		} else if (subtype === plenaryError) {
			const code = decoding.readVarString(decoder) as CollabErrorCode;
			this.lastError = code;
			if (code === 'READ_ONLY' || code === 'SCHEMA') this.keepRefused(code);
		}
	}

	/**
	 * Saved when the server's committed state (plus what it sent us) covers this copy's whole state
	 * vector: every client id, also the older ones of a copy reopened from IndexedDB.
	 */
	private refreshSaved(): void {
		const local = Y.decodeStateVector(Y.encodeStateVector(this.doc));
		this.pending = !covers(this.serverKnows(), local);
		// A throwaway copy inside one call: not reactive state.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const confirmed = new Map(this.committed);
		merge(confirmed, this.received);
		this.saved = this.localLoaded && covers(confirmed, local);
		const sent = this.refused?.sentAs;
		if (this.saved && sent && (confirmed.get(sent.client) ?? 0) >= sent.end) this.discardRefused();
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
		this.stopWatching();
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

/** Transaction origin of refused text written again (sent like anything typed here). */
const deliveryOrigin = Symbol('delivery');

function merge(into: Map<number, number>, from: Map<number, number>): void {
	for (const [client, clock] of from) if (clock > (into.get(client) ?? 0)) into.set(client, clock);
}

/** Larger than this, an update goes in pieces (the server refuses a message over 1 MiB). */
const pieceBytes = 512 * 1024;

/**
 * A sync message too large for one frame (the sync step 2 after a long offline spell) is sent as
 * several updates instead, so it is delivered rather than closed 1009 and retried for ever. What
 * cannot be cut (one huge non-text struct) goes as it is, and the too-large path takes over.
 */
function sendInPieces(ws: WebSocket): void {
	const send = ws.send.bind(ws);
	ws.send = (data) => {
		const bytes = data instanceof Uint8Array ? data : null;
		if (!bytes || bytes.byteLength <= collabLimits.maxUpdateBytes) return send(data);
		const decoder = decoding.createDecoder(bytes);
		// Only the sync step 2 after a reconnect: a single oversized edit is the paste limit's business.
		if (decoding.readVarUint(decoder) !== messageSync || decoding.readVarUint(decoder) !== 1) return send(data);
		const pieces = splitUpdate(decoding.readVarUint8Array(decoder), pieceBytes);
		if (!pieces) return send(data);
		for (const piece of pieces) send(syncUpdate(piece));
	};
}

/** A sync "update" message (0/2) carrying `update`. */
function syncUpdate(update: Uint8Array): Uint8Array<ArrayBuffer> {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageSync);
	encoding.writeVarUint(encoder, 2);
	encoding.writeVarUint8Array(encoder, update);
	return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

function hello(): Uint8Array<ArrayBuffer> {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messagePlenary);
	encoding.writeVarUint(encoder, plenaryHello);
	return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}
