import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../../server/collab/connection';
import { Room } from '../../../../server/collab/room';
import { memoryStore, type DocumentStore } from '../../../../server/collab/store';
import { paragraphsOf } from '../../../helpers/bystander';
import { paragraphUpdate, syncUpdateMessage } from '../../../helpers/collab';
import { eventually } from '../../../helpers/retry';
import { capturingLogger, FakeSocket, flakyStore, listener, principal, smallEdits, writer } from '../../../helpers/rooms';

function roomOn(store: DocumentStore, documentId: string = crypto.randomUUID(), log = capturingLogger()): Room {
	return new Room(documentId, crypto.randomUUID(), { store, log, saveWindowMs: 5, compactAfter: 500 });
}

/** The committed state vector a "saved" message (100/1) carries. */
function savedVector(message: Uint8Array): Map<number, number> {
	const decoder = decoding.createDecoder(message);
	decoding.readVarUint(decoder);
	decoding.readVarUint(decoder);
	return Y.decodeStateVector(decoding.readVarUint8Array(decoder));
}

/** What a newcomer gets for its sync step 1 with an empty document: the whole content. */
function syncedCopy(room: Room): Y.Doc {
	const socket = new FakeSocket();
	const connection = new Connection(socket, principal('observer'), room, writer);
	const step1 = encoding.createEncoder();
	encoding.writeVarUint(step1, 0);
	encoding.writeVarUint(step1, 0);
	encoding.writeVarUint8Array(step1, new Uint8Array([0]));
	connection.receive(encoding.toUint8Array(step1));
	expect(socket.closed).toBeNull();
	const decoder = decoding.createDecoder(socket.sent.at(-1)!);
	expect([decoding.readVarUint(decoder), decoding.readVarUint(decoder)]).toEqual([0, 1]);
	const copy = new Y.Doc();
	Y.applyUpdate(copy, decoding.readVarUint8Array(decoder));
	return copy;
}

describe('Room persistence', () => {
	it('while the store fails nothing is acknowledged and the write is retried; the first success acknowledges it (FT-13)', async () => {
		const store = flakyStore();
		const log = capturingLogger();
		const room = roomOn(store, crypto.randomUUID(), log);
		await room.load();
		const member = listener();
		const reader = listener();
		room.members.add(member);
		room.members.add(reader);
		store.failing.append = true;
		const update = paragraphUpdate('Recommendation 4: publish all judgments.');
		room.apply(update, member);

		await eventually(() => expect(store.attempts.append).toBeGreaterThanOrEqual(3), { timeoutMs: 10_000 });
		expect(member.saved()).toEqual([]);
		expect(room.dirty).toBe(true);
		expect(log.lines.filter((line) => line.msg === 'storing a document update failed').map((line) => line.documentId)).toContain(room.documentId);

		store.failing.append = false;
		await eventually(() => expect(member.saved()).toHaveLength(1), { timeoutMs: 30_000 });
		const client = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update));
		for (const [id, clock] of client) expect(savedVector(member.saved()[0]!).get(id)).toBe(clock);
		// Only the one who wrote waits for "saved"; a reader is not sent it.
		expect(reader.saved()).toEqual([]);
		expect(room.dirty).toBe(false);
		const reloaded = roomOn(store, room.documentId);
		await reloaded.load();
		expect(paragraphsOf(reloaded.doc)).toEqual(['Recommendation 4: publish all judgments.']);
		room.destroy();
		reloaded.destroy();
	});

	it('a failing compaction loses nothing: the log stays and the document loads (FT-02)', async () => {
		const store = flakyStore();
		const room = new Room(crypto.randomUUID(), crypto.randomUUID(), { store, log: capturingLogger(), saveWindowMs: 5, compactAfter: 3 });
		await room.load();
		store.failing.compact = true;
		for (const text of ['one', 'two', 'three', 'four']) {
			room.apply(paragraphUpdate(text), listener());
			await room.flush();
		}
		expect(store.attempts.compact).toBeGreaterThanOrEqual(1);
		expect(store.rows.get(room.documentId)!.snapshot).toBeNull();
		const reloaded = roomOn(store, room.documentId);
		await reloaded.load();
		expect(paragraphsOf(reloaded.doc).sort()).toEqual(['four', 'one', 'three', 'two']);
		room.destroy();
		reloaded.destroy();
	});

	it('an update delivered three times is applied and stored once (FT-11)', async () => {
		const store = memoryStore();
		const room = roomOn(store);
		await room.load();
		const update = paragraphUpdate('Adopted by consensus.');
		for (let i = 0; i < 3; i++) room.apply(update, listener());
		await room.flush();
		expect(store.rows.get(room.documentId)!.log).toHaveLength(1);
		expect(paragraphsOf(room.doc)).toEqual(['Adopted by consensus.']);
		room.destroy();
	});

	it('an update that arrives before the one it depends on is stored as received, so a reload still converges (FT-12)', async () => {
		const store = memoryStore();
		const { updates } = smallEdits(3);
		const [first, second, third] = updates as [Uint8Array, Uint8Array, Uint8Array];
		const room = roomOn(store);
		await room.load();
		room.apply(third, listener());
		room.apply(second, listener());
		expect(paragraphsOf(room.doc)).toEqual([]);
		await room.flush();
		expect(store.rows.get(room.documentId)!.log).toHaveLength(1);
		room.destroy();

		const reloaded = roomOn(store, room.documentId);
		await reloaded.load();
		reloaded.apply(first, listener());
		const expected = new Y.Doc();
		for (const update of updates) Y.applyUpdate(expected, update);
		expect(paragraphsOf(reloaded.doc)).toEqual(paragraphsOf(expected));
		reloaded.destroy();
	});

	it('a document built from 20,000 small edits is compacted, reloads whole, and its snapshot is smaller than the edits (LD-07)', async () => {
		const store = memoryStore();
		const room = roomOn(store);
		await room.load();
		const { doc, updates } = smallEdits(20_000);
		const member = listener();
		// 20 edits per stored row: 1,000 rows, so compaction (every 500 rows) runs twice.
		for (let i = 0; i < updates.length; i++) {
			room.apply(updates[i]!, member);
			if (i % 20 === 19) await room.flush();
		}
		await room.flush();
		const row = store.rows.get(room.documentId)!;
		expect(row.snapshot).not.toBeNull();
		expect(row.log.length).toBeLessThan(500);
		await room.close();
		expect(row.log).toHaveLength(0);
		const sum = updates.reduce((total, update) => total + update.byteLength, 0);
		expect(row.snapshot!.byteLength).toBeLessThan(sum);

		const reloaded = roomOn(store, room.documentId);
		await reloaded.load();
		expect(paragraphsOf(reloaded.doc)).toEqual(paragraphsOf(doc));
		expect(paragraphsOf(syncedCopy(reloaded))).toEqual(paragraphsOf(doc));
		expect(Y.encodeStateVector(reloaded.doc)).toEqual(Y.encodeStateVector(doc));
		room.destroy();
		reloaded.destroy();
	});
});

/** Sync messages (type 0) a socket was sent, as [kind, payload]. */
function syncMessages(sent: Uint8Array[]): [number, Uint8Array][] {
	return sent.flatMap((bytes) => {
		const decoder = decoding.createDecoder(bytes);
		if (decoding.readVarUint(decoder) !== 0) return [];
		return [[decoding.readVarUint(decoder), decoding.readVarUint8Array(decoder)] as [number, Uint8Array]];
	});
}

function step1(stateVector: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0);
	encoding.writeVarUint(encoder, 0);
	encoding.writeVarUint8Array(encoder, stateVector);
	return encoding.toUint8Array(encoder);
}

async function storedDocument(edits: number): Promise<{ store: ReturnType<typeof memoryStore>; documentId: string; doc: Y.Doc; updates: Uint8Array[] }> {
	const store = memoryStore();
	const documentId = crypto.randomUUID();
	const { doc, updates } = smallEdits(edits);
	await store.append(documentId, Y.mergeUpdates(updates.slice(0, edits / 2)));
	await store.compact(documentId, Y.mergeUpdates(updates.slice(0, edits / 2)), 1);
	for (let i = edits / 2; i < edits; i += 100) await store.append(documentId, Y.mergeUpdates(updates.slice(i, i + 100)));
	return { store, documentId, doc, updates };
}

describe('Room loading', () => {
	it('a newcomer is answered from the stored bytes at once, and our sync step 1 follows, without building the Y.Doc for a reader', async () => {
		const { store, documentId, doc } = await storedDocument(2_000);
		const room = roomOn(store, documentId);
		await room.load();
		const socket = new FakeSocket();
		const connection = new Connection(socket, principal('member'), room, writer);
		room.members.add(connection);
		room.welcome(connection);
		// Our step 1 waits until the client's own step 1 is answered.
		expect(syncMessages(socket.sent)).toEqual([]);
		connection.receive(step1(new Uint8Array([0])));
		const [[kind, update]] = syncMessages(socket.sent) as [[number, Uint8Array]];
		expect(kind).toBe(1);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, update);
		expect(paragraphsOf(copy)).toEqual(paragraphsOf(doc));

		await eventually(() => expect(syncMessages(socket.sent).map(([kind]) => kind)).toEqual([1, 0]));
		expect(Y.decodeStateVector(syncMessages(socket.sent)[1]![1])).toEqual(Y.decodeStateVector(Y.encodeStateVector(doc)));
		// A fresh reader's answer (an empty step 2) passes without building the Y.Doc; an edit builds it.
		const emptyStep2 = encoding.createEncoder();
		encoding.writeVarUint(emptyStep2, 0);
		encoding.writeVarUint(emptyStep2, 1);
		encoding.writeVarUint8Array(emptyStep2, Y.encodeStateAsUpdate(new Y.Doc()));
		connection.receive(encoding.toUint8Array(emptyStep2));
		expect(room.wouldChange(Y.encodeStateAsUpdate(new Y.Doc()))).toBe(false);
		connection.receive(syncUpdateMessage(paragraphUpdate('Typed right after the load.'), 2));
		expect(paragraphsOf(room.doc).sort()).toEqual([...paragraphsOf(doc), 'Typed right after the load.'].sort());
		expect(socket.closed).toBeNull();
		room.destroy();
	});

	it('a client that has part of the document is sent only the rest, before and after the document is built', async () => {
		const { store, documentId, doc, updates } = await storedDocument(2_000);
		const room = roomOn(store, documentId);
		await room.load();
		const partial = new Y.Doc();
		for (const update of updates.slice(0, 1_500)) Y.applyUpdate(partial, update);
		for (const moment of ['before', 'after']) {
			if (moment === 'after') expect(paragraphsOf(room.doc)).toEqual(paragraphsOf(doc));
			const socket = new FakeSocket();
			const connection = new Connection(socket, principal('member'), room, writer);
			connection.receive(step1(Y.encodeStateVector(partial)));
			const [[kind, missing]] = syncMessages(socket.sent) as [[number, Uint8Array]];
			expect(kind).toBe(1);
			expect(missing.byteLength).toBeLessThan(Y.encodeStateAsUpdate(doc).byteLength);
			const copy = new Y.Doc();
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(partial));
			Y.applyUpdate(copy, missing);
			expect(paragraphsOf(copy)).toEqual(paragraphsOf(doc));
		}
		room.destroy();
	});

	it('an edit that arrives before the document is built lands on the stored content, and both are stored', async () => {
		const { store, documentId, doc } = await storedDocument(1_000);
		const room = roomOn(store, documentId);
		await room.load();
		const member = listener();
		room.members.add(member);
		room.apply(paragraphUpdate('Added during the load.'), member);
		await room.flush();
		const expected = [...paragraphsOf(doc), 'Added during the load.'];
		expect(paragraphsOf(room.doc).sort()).toEqual([...expected].sort());
		room.destroy();
		const reloaded = roomOn(store, documentId);
		await reloaded.load();
		expect(paragraphsOf(reloaded.doc).sort()).toEqual([...expected].sort());
		reloaded.destroy();
	});

	it('a document nobody changed but with log rows is compacted on unload into Yjs\'s own encoding and reloads the same', async () => {
		const { store, documentId, doc } = await storedDocument(2_000);
		expect(store.rows.get(documentId)!.log.length).toBe(10);
		const room = roomOn(store, documentId);
		await room.load();
		await room.close();
		expect(store.rows.get(documentId)!.log).toEqual([]);
		expect(store.rows.get(documentId)!.snapshot).toEqual(Y.encodeStateAsUpdate(doc));
		room.destroy();
		const reloaded = roomOn(store, documentId);
		await reloaded.load();
		expect(paragraphsOf(syncedCopy(reloaded))).toEqual(paragraphsOf(doc));
		expect(Y.encodeStateVector(reloaded.doc)).toEqual(Y.encodeStateVector(doc));
		reloaded.destroy();
	});
});

describe('Room compaction order', () => {
	it('an unload compaction and the appends that follow run one at a time, in order', async () => {
		const store = flakyStore();
		const room = roomOn(store);
		await room.load();
		const member = listener();
		room.members.add(member);
		room.apply(paragraphUpdate('Before the unload.'), member);
		await room.flush();
		let release!: () => void;
		store.held.compact = new Promise<void>((resolve) => (release = resolve));
		const closing = room.close();
		await eventually(() => expect(store.attempts.compact).toBe(1));
		// Someone comes back while the compaction is still in its transaction.
		room.apply(paragraphUpdate('Typed during the compaction.'), member);
		const saving = room.flush();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(store.attempts.append).toBe(1);
		release();
		await closing;
		await saving;
		expect(store.attempts.append).toBe(2);
		room.destroy();
		const reloaded = roomOn(store, room.documentId);
		await reloaded.load();
		expect(paragraphsOf(reloaded.doc).sort()).toEqual(['Before the unload.', 'Typed during the compaction.']);
		reloaded.destroy();
	});
});
