import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { collabLimits, messageAwareness, messagePlenary, messageSync, plenarySaved } from '../../src/lib/protocol/collab';
import type { ClientOwner } from '../../src/lib/server/documents';
import type { Logger } from '../../src/lib/server/log';
import type { DocumentStore } from './store';
import { changesDocument } from './update-checks';

/** What a room needs of a connection: the transport behind a minimal interface. */
export interface RoomMember {
	send(message: Uint8Array): void;
	/** Wants message 100 (saved acknowledgements, access changes). */
	readonly optedIn: boolean;
}

export type RoomOptions = {
	store: DocumentStore;
	log: Logger;
	/** Updates that arrive within this window are written in one row (the "saved" latency bound). */
	saveWindowMs: number;
	/** Log rows after which the document is compacted into its snapshot. */
	compactAfter: number;
};

/** Transaction origin of content read from the database: never broadcast or stored again. */
export const loadOrigin = Symbol('load');
/** Transaction origin of changes the server itself makes (e.g. a vote's outcome). */
export const serverOrigin = Symbol('server');

/**
 * One live document: the Y.Doc, its awareness, its connections, and the two batching paths.
 * Broadcast: updates of one event-loop turn are merged into one message for everyone. Storage:
 * updates are appended within `saveWindowMs` and acknowledged as saved only after commit.
 */
export class Room {
	private readonly ydoc = new Y.Doc();
	readonly awareness = new awarenessProtocol.Awareness(this.ydoc);
	readonly members = new Set<RoomMember>();
	/** Approximate encoded size, to refuse growth past the limit without re-encoding on every update. */
	sizeEstimate = 0;

	private outgoing: { update: Uint8Array; origin: unknown }[] = [];
	private broadcastScheduled = false;
	private unsaved: Uint8Array[] = [];
	/** Who sent what is unsaved: only they are told "saved" (readers have nothing to wait for). */
	private writers = new Set<unknown>();
	private saveTimer: NodeJS.Timeout | null = null;
	private saving: Promise<void> = Promise.resolve();
	/** A batch is being written (taken out of `unsaved`, not committed yet). */
	private writing = false;
	/** The state vector of the last committed batch (null: nothing written since load; all loaded is committed). */
	private committed: Uint8Array | null = null;
	/** Changes applied to the Y.Doc so far, to tell whether a client's update changed anything. */
	private changes = 0;
	private failures = 0;
	/** When the current run of failed stores began (null while storing works), for the alert metric. */
	private failingSinceMs: number | null = null;
	private errorLoggedAtMs = Number.NEGATIVE_INFINITY;
	private lastSeq = 0;
	private logLength = 0;
	private destroyed = false;
	/**
	 * Stored content not yet applied to the Y.Doc. Building a Y.Doc from a long history takes far
	 * longer than sending its bytes (about 220 ms against nothing for 200,000 edits), and readers
	 * never need it: the Y.Doc is built on first use (see `doc`), newcomers are served from these bytes.
	 */
	private stored: Uint8Array | null = null;
	private storedVector: Uint8Array | null = null;
	/** Members still owed our sync step 1 (sent once their own step 1 is answered). */
	private awaitingStep1 = new Set<RoomMember>();
	/**
	 * Per Yjs client id, the end of the clock range refused from read-only connections: those edits
	 * were made without the right to edit and must not slip in after a promotion (AZ-23).
	 */
	private refusedClocks = new Map<number, number>();
	/** The whole state for clients that have nothing yet, until the next change. */
	private fullState: Uint8Array | null = null;
	/** Yjs client id → its author (null: the server). See `admit`. */
	private owners = new Map<number, string | null>();
	/** Bindings not stored yet: they go with the next append, in its transaction. */
	private unsavedOwners: ClientOwner[] = [];
	/**
	 * Client ids announced in awareness by live connections, and who announced them. An id held by
	 * one person cannot be taken by another (BI-16), and its text is theirs before they write (BI-13).
	 */
	private claims = new Map<number, { userId: string; holder: RoomMember }>();
	/** Clients whose awareness changed since it last went out: only their latest state is sent. */
	private awarenessChanged = new Set<number>();
	private awarenessTimer: NodeJS.Timeout | null = null;
	private awarenessSentAt = Number.NEGATIVE_INFINITY;

	constructor(
		readonly documentId: string,
		readonly groupId: string,
		private readonly options: RoomOptions
	) {
		this.awareness.setLocalState(null);
		this.ydoc.on('update', (update: Uint8Array, origin: unknown) => {
			this.fullState = null;
			this.changes++;
			if (origin === loadOrigin || this.destroyed) return;
			if (origin === serverOrigin && !this.owners.has(this.ydoc.clientID)) this.bind(this.ydoc.clientID, null);
			this.sizeEstimate += update.byteLength;
			this.outgoing.push({ update, origin });
			if (!this.broadcastScheduled) {
				this.broadcastScheduled = true;
				setImmediate(() => this.broadcast());
			}
			this.unsaved.push(update);
			this.writers.add(origin);
			this.scheduleSave(this.options.saveWindowMs);
		});
		this.awareness.on('update', ({ added, updated, removed }: Record<string, number[]>) => {
			for (const id of [...added!, ...updated!, ...removed!]) this.awarenessChanged.add(id);
			this.scheduleAwareness();
		});
	}

	/** Reads the stored content. Throws when the store fails; the caller then discards the room. */
	async load(): Promise<void> {
		const { updates, lastSeq, logLength, owners } = await this.options.store.load(this.documentId);
		this.owners = owners;
		if (updates.length) {
			this.stored = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
			this.sizeEstimate = this.stored.byteLength;
			// Normally answering the client's step 1 sends ours; a silent client must get it too.
			setTimeout(() => this.sendOwedStep1(), 1000).unref();
		}
		this.lastSeq = lastSeq;
		this.logLength = logLength;
	}

	/** The Y.Doc, built from the stored content on first use. */
	get doc(): Y.Doc {
		this.hydrate();
		return this.ydoc;
	}

	private hydrate(): void {
		const stored = this.stored;
		if (!stored || this.destroyed) return;
		this.stored = null;
		this.storedVector = null;
		Y.applyUpdate(this.ydoc, stored, loadOrigin);
		this.sendOwedStep1();
		// A long log was replayed (e.g. after a crash): fold it now so the next load is one row.
		if (this.logLength >= this.options.compactAfter / 5) void this.compactInTurn();
	}

	/**
	 * The update a client needs, given its state vector (sync step 2). Before the Y.Doc is built it
	 * comes from the stored bytes; our own step 1 follows once this answer is on its way.
	 */
	missingFor(stateVector: Uint8Array): Uint8Array {
		const knowsNothing = Y.decodeStateVector(stateVector).size === 0;
		if (this.stored) {
			const update = knowsNothing ? this.stored : Y.diffUpdate(this.stored, stateVector);
			if (this.awaitingStep1.size) setImmediate(() => this.sendOwedStep1());
			return update;
		}
		if (!knowsNothing) return Y.encodeStateAsUpdate(this.ydoc, stateVector);
		this.fullState ??= Y.encodeStateAsUpdate(this.ydoc);
		return this.fullState;
	}

	/**
	 * Remembers the refused range of one client id: the connection's own (its awareness id, which
	 * y-websocket takes from the Y.Doc). Other ids in the update may be someone else's text that
	 * this client relays (after a server crash) and must stay acceptable from their author.
	 */
	rememberRefused(update: Uint8Array, clientId: number | null): void {
		if (clientId === null) return;
		const end = Y.parseUpdateMeta(update).to.get(clientId);
		if (end !== undefined && end > (this.refusedClocks.get(clientId) ?? 0)) this.refusedClocks.set(clientId, end);
	}

	/** Does `update` carry structs of a range once refused as read-only? */
	revivesRefused(update: Uint8Array): boolean {
		if (this.refusedClocks.size === 0) return false;
		for (const [client, start] of Y.parseUpdateMeta(update).from) {
			if (start < (this.refusedClocks.get(client) ?? 0)) return true;
		}
		return false;
	}

	/**
	 * Authorship check of a writer's update, before it is applied (BI-13). Each client id has one
	 * author: a connection's own id is bound to its account when it first writes. Structs under an
	 * id bound to someone else pass only when the server has them already (a client re-sending what
	 * it received); new ones are cut out of the update and reported as `forged`, and the rest still
	 * applies, so the sender's own text is never lost with them. Structs under an id bound to nobody
	 * pass and stay unbound: a client may hold another person's text that a server crash kept from
	 * being stored, and that text must still reach the document (its author binds the id on return).
	 */
	admit(update: Uint8Array, userId: string, ownClientId: number | null): { update: Uint8Array | null; forged: boolean } {
		const ends = Y.parseUpdateMeta(update).to;
		if (ownClientId === null && ends.size === 1) ownClientId = ends.keys().next().value!;
		let forged: Map<number, number> | null = null;
		for (const [client, end] of ends) {
			// null is the server: an owner too, so not `??`.
			const owner = this.owners.has(client) ? this.owners.get(client) : this.claims.get(client)?.userId;
			if (owner === undefined) {
				if (client === ownClientId) this.bind(client, userId);
			} else if (owner === userId) {
				if (!this.owners.has(client)) this.bind(client, userId);
			} else if (end > Y.getState(this.doc.store, client)) {
				(forged ??= new Map()).set(client, maxClock);
			}
		}
		if (!forged) return { update, forged: false };
		this.options.log.warn({ documentId: this.documentId, userId, clientIds: [...forged.keys()] }, "refused new structs under another author's client id");
		// A state vector that claims to have every struct of the forged ids: the diff keeps the rest.
		const rest = Y.diffUpdate(update, Y.encodeStateVector(forged));
		const { structs, ds } = Y.decodeUpdate(rest);
		return { update: structs.length || ds.clients.size ? rest : null, forged: true };
	}

	/**
	 * `holder` (a connection of `userId`) announces `clientId` as its own. Refused when another
	 * person holds it or wrote with it; a connection of the same person takes it over (a reconnect
	 * that arrives before the old socket is noticed gone).
	 */
	claim(clientId: number, userId: string, holder: RoomMember): boolean {
		const owner = this.owners.get(clientId);
		if (owner !== undefined && owner !== userId) return false;
		const held = this.claims.get(clientId);
		if (held && held.userId !== userId) return false;
		this.claims.set(clientId, { userId, holder });
		return true;
	}

	/** The connection that announced `clientId` is gone; false when another had taken the id over. */
	unclaim(clientId: number, holder: RoomMember): boolean {
		if (this.claims.get(clientId)?.holder !== holder) return false;
		this.claims.delete(clientId);
		return true;
	}

	/** The author of a client id, as far as this room knows (undefined: unbound). */
	ownerOf(clientId: number): string | null | undefined {
		return this.owners.get(clientId);
	}

	private bind(clientId: number, userId: string | null): void {
		this.owners.set(clientId, userId);
		this.unsavedOwners.push({ clientId, userId });
		this.scheduleSave(this.options.saveWindowMs);
	}

	/** Would `update` change the document? An empty one (a fresh reader's step 2) needs no Y.Doc to tell. */
	wouldChange(update: Uint8Array): boolean {
		if (this.stored) {
			const { structs, ds } = Y.decodeUpdate(update);
			if (structs.length === 0 && ds.clients.size === 0) return false;
		}
		return changesDocument(this.doc, update);
	}

	/**
	 * Applies a client's update. Structs whose dependencies have not arrived yet are set aside by Yjs
	 * (pending) without an 'update' event; such an update is stored as received, so a restart before
	 * the rest arrives does not drop it (FT-12), and it counts towards the size limit.
	 */
	apply(update: Uint8Array, origin: RoomMember): void {
		const doc = this.doc;
		const before = pendingOf(doc);
		const changesBefore = this.changes;
		Y.applyUpdate(doc, update, origin);
		const after = pendingOf(doc);
		this.fullState = null; // pending structs are part of the full state too
		if (after.every((bytes, i) => bytes === null || sameBytes(bytes, before[i] ?? null))) {
			// Nothing new (e.g. a reconnect re-sending text whose "saved" the old socket never got):
			// the sender still learns that what it holds is committed, else its line stays "Saving…".
			if (this.changes === changesBefore) this.acknowledge(origin);
			return;
		}
		this.sizeEstimate += update.byteLength;
		this.unsaved.push(update);
		this.writers.add(origin);
		this.scheduleSave(this.options.saveWindowMs);
	}

	/**
	 * Tells `member` what is committed now, once whatever is being written has landed. Called when a
	 * member's update changed nothing, so no batch of its own would ever announce it as saved.
	 */
	acknowledge(member: RoomMember): void {
		if (!member.optedIn) return;
		const tell = () => member.send(savedMessage(this.committedVector()));
		if (this.unsaved.length || this.saveTimer || this.writing) this.flush().then(tell, () => {});
		else tell();
	}

	private committedVector(): Uint8Array {
		if (this.committed) return this.committed;
		if (this.stored) return (this.storedVector ??= Y.encodeStateVectorFromUpdate(this.stored));
		return Y.encodeStateVector(this.ydoc);
	}

	/** The greeting of y-websocket: our sync step 1, then everyone's awareness. */
	welcome(member: RoomMember): void {
		// Computing our state vector from stored bytes takes a while: the client's own step 1 goes first.
		if (this.stored) this.awaitingStep1.add(member);
		else this.sendStep1(member);
		const states = [...this.awareness.getStates().keys()];
		if (states.length) {
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, messageAwareness);
			encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, states));
			member.send(encoding.toUint8Array(encoder));
		}
	}

	private sendOwedStep1(): void {
		for (const member of this.awaitingStep1) if (this.members.has(member)) this.sendStep1(member);
		this.awaitingStep1.clear();
	}

	private sendStep1(member: RoomMember): void {
		const sync = encoding.createEncoder();
		encoding.writeVarUint(sync, messageSync);
		encoding.writeVarUint(sync, syncProtocol.messageYjsSyncStep1);
		if (this.stored) encoding.writeVarUint8Array(sync, (this.storedVector ??= Y.encodeStateVectorFromUpdate(this.stored)));
		else encoding.writeVarUint8Array(sync, Y.encodeStateVector(this.ydoc));
		member.send(encoding.toUint8Array(sync));
	}

	sendAll(message: Uint8Array, except?: RoomMember): void {
		for (const member of this.members) if (member !== except) member.send(message);
	}

	private broadcast(): void {
		this.broadcastScheduled = false;
		const batch = this.outgoing;
		this.outgoing = [];
		if (!batch.length || this.destroyed) return;
		const update = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((entry) => entry.update));
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageSync);
		syncProtocol.writeUpdate(encoder, update);
		// When one connection produced the whole batch it has all of it already.
		const origin = batch.every((entry) => entry.origin === batch[0]!.origin) ? batch[0]!.origin : null;
		this.sendAll(encoding.toUint8Array(encoder), origin as RoomMember | undefined);
	}

	private scheduleSave(delayMs: number): void {
		if (this.saveTimer || this.destroyed) return;
		this.saveTimer = setTimeout(() => {
			this.saveTimer = null;
			// A failure is logged and retried by writeBatch; nobody awaits this one.
			this.flush().catch(() => {});
		}, delayMs);
	}

	/**
	 * Writes what is unsaved (one merged row), then tells opted-in connections what is committed.
	 * Resolves when everything unsaved at call time is committed; rejects when the store failed
	 * (the updates stay queued and a retry is scheduled with backoff).
	 */
	flush(): Promise<void> {
		this.saving = this.saving.catch(() => {}).then(() => this.writeBatch());
		return this.saving;
	}

	private async writeBatch(): Promise<void> {
		if (!this.unsaved.length) return;
		const batch = this.unsaved;
		const writers = this.writers;
		const owners = this.unsavedOwners;
		this.unsaved = [];
		this.writers = new Set();
		this.unsavedOwners = [];
		this.writing = true;
		// Cut synchronously with the batch: every update in the doc now is stored or in `batch`.
		const committedVector = Y.encodeStateVector(this.doc);
		const update = batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch);
		try {
			this.lastSeq = await this.options.store.append(this.documentId, update, owners);
			this.logLength++;
			if (this.failures > 0) this.options.log.info({ documentId: this.documentId, failures: this.failures }, 'storing a document update works again');
			this.failures = 0;
			this.failingSinceMs = null;
		} catch (error) {
			this.unsaved = [...batch, ...this.unsaved];
			this.unsavedOwners = [...owners, ...this.unsavedOwners];
			for (const writer of writers) this.writers.add(writer);
			this.failures++;
			this.failingSinceMs ??= Date.now();
			// Retries run every few seconds: one ERROR per document per minute says it, the rest is noise (FT-13).
			const now = Date.now();
			const level = now - this.errorLoggedAtMs >= 60_000 ? 'error' : 'debug';
			if (level === 'error') this.errorLoggedAtMs = now;
			this.options.log[level]({ err: error, documentId: this.documentId, failures: this.failures }, 'storing a document update failed');
			this.scheduleSave(this.retryDelayMs);
			throw error;
		} finally {
			this.writing = false;
		}
		this.committed = committedVector;
		this.announceSaved(committedVector, writers);
		if (this.logLength >= this.options.compactAfter) await this.compact();
	}

	private announceSaved(stateVector: Uint8Array, writers: Set<unknown>): void {
		const message = savedMessage(stateVector);
		for (const member of this.members) if (member.optedIn && writers.has(member)) member.send(message);
	}

	/** Folds the log into the snapshot. The snapshot may hold more than `lastSeq` covers; that is safe. */
	private async compact(): Promise<void> {
		if (this.logLength === 0) return; // already folded (e.g. a second request queued meanwhile)
		// Re-encoded through the Y.Doc even when nobody changed the room: merged log rows applied as
		// they are load measurably slower in every client than Yjs's own encoding of the same state.
		const state = Y.encodeStateAsUpdate(this.doc);
		try {
			await this.options.store.compact(this.documentId, state, this.lastSeq);
			this.logLength = 0;
			this.sizeEstimate = state.byteLength;
		} catch (error) {
			this.options.log.error({ err: error, documentId: this.documentId }, 'compacting a document failed');
		}
	}

	/** Backoff after failed stores: 500 ms doubling up to 30 s; 0 while the store works. */
	get retryDelayMs(): number {
		return this.failures === 0 ? 0 : Math.min(30_000, 250 * 2 ** this.failures);
	}

	/** Since when this room's changes could not be stored (null while storing works). */
	get failingSince(): number | null {
		return this.failingSinceMs;
	}

	/** True while updates wait to be stored (a room with unsaved changes is never unloaded). */
	get dirty(): boolean {
		return this.unsaved.length > 0 || this.saveTimer !== null;
	}

	/** Final flush and compaction before unloading; rejects (and keeps the room) when storing fails. */
	async close(): Promise<void> {
		if (this.saveTimer) {
			clearTimeout(this.saveTimer);
			this.saveTimer = null;
		}
		await this.flush();
		if (this.logLength > 0) await this.compactInTurn();
	}

	/**
	 * Compactions and appends run one at a time, in order: two compactions racing could let the
	 * older state land last and drop the rows the newer one had folded in.
	 */
	private compactInTurn(): Promise<void> {
		this.saving = this.saving.catch(() => {}).then(() => this.compact());
		return this.saving;
	}

	/**
	 * Awareness goes out at most once a tick, right away when the room was quiet: a cursor moves
	 * without delay, while a room whose clients announce 25 times a second each sends each
	 * connection 20 messages a second instead of clients × 25 (issue 12: 100 sockets of one account
	 * flooding awareness stalled the whole server with their fan-out).
	 */
	private scheduleAwareness(): void {
		if (this.awarenessTimer || this.destroyed) return;
		const wait = Math.max(0, this.awarenessSentAt + collabLimits.awarenessTickMs - Date.now());
		this.awarenessTimer = setTimeout(() => this.sendAwareness(), wait);
	}

	/** The latest states of changed clients, oldest change first, up to the tick's share of the byte budget. */
	private sendAwareness(): void {
		this.awarenessTimer = null;
		if (this.destroyed) return;
		this.awarenessSentAt = Date.now();
		const budget = (collabLimits.awarenessBytesPerSecond * collabLimits.awarenessTickMs) / 1000;
		const states = this.awareness.getStates();
		const sending: number[] = [];
		let bytes = 0;
		for (const id of this.awarenessChanged) {
			const size = 16 + Buffer.byteLength(JSON.stringify(states.get(id) ?? null) ?? 'null');
			if (sending.length > 0 && bytes + size > budget) break;
			sending.push(id);
			bytes += size;
		}
		for (const id of sending) this.awarenessChanged.delete(id);
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageAwareness);
		encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, sending));
		this.sendAll(encoding.toUint8Array(encoder));
		if (this.awarenessChanged.size > 0) this.scheduleAwareness();
	}

	destroy(): void {
		this.destroyed = true;
		if (this.saveTimer) clearTimeout(this.saveTimer);
		if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
		this.stored = null;
		this.awaitingStep1.clear();
		this.awareness.destroy();
		this.ydoc.destroy();
	}
}

/** Beyond any clock a client can reach: a state vector entry that covers all of a client's structs. */
const maxClock = 2 ** 31;

/** Message 100/1: the state vector of what is committed to the database. */
function savedMessage(stateVector: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messagePlenary);
	encoding.writeVarUint(encoder, plenarySaved);
	encoding.writeVarUint8Array(encoder, stateVector);
	return encoding.toUint8Array(encoder);
}

/** What Yjs holds back until missing structs arrive: pending structs and pending deletions. */
function pendingOf(doc: Y.Doc): [Uint8Array | null, Uint8Array | null] {
	return [doc.store.pendingStructs?.update ?? null, doc.store.pendingDs];
}

function sameBytes(a: Uint8Array, b: Uint8Array | null): boolean {
	return b !== null && (a === b || Buffer.compare(a, b) === 0);
}
