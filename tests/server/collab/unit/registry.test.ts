import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../../server/collab/connection';
import { RoomRegistry } from '../../../../server/collab/registry';
import { createMetrics } from '../../../../server/metrics';
import type { Realtime } from '../../../../server/realtime';
import { memoryStore, type DocumentStore } from '../../../../server/collab/store';
import { paragraphsOf } from '../../../helpers/bystander';
import { paragraphUpdate, syncUpdateMessage } from '../../../helpers/collab';
import { eventually } from '../../../helpers/retry';
import { activeTimers, capturingLogger, FakeSocket, flakyStore, listener, principal, writer } from '../../../helpers/rooms';

function registryOn(store: DocumentStore, unloadDelayMs: number): RoomRegistry {
	return new RoomRegistry({ store, log: capturingLogger(), saveWindowMs: 5, compactAfter: 500, unloadDelayMs });
}

/** An awareness message for one client id with a small state. */
function presence(clientId: number): Uint8Array {
	const inner = encoding.createEncoder();
	encoding.writeVarUint(inner, 1);
	encoding.writeVarUint(inner, clientId);
	encoding.writeVarUint(inner, 1);
	encoding.writeVarString(inner, JSON.stringify({ cursor: { anchor: 3 } }));
	const outer = encoding.createEncoder();
	encoding.writeVarUint(outer, 1);
	encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
	return encoding.toUint8Array(outer);
}

describe('RoomRegistry lifecycle', () => {
	it('a room whose last store failed is kept after everyone left and retried, the alert metric is set and one ERROR logged; once stored it unloads (FT-13, FT-15)', async () => {
		const store = flakyStore();
		const log = capturingLogger();
		const registry = new RoomRegistry({ store, log, saveWindowMs: 5, compactAfter: 500, unloadDelayMs: 10 });
		const metrics = createMetrics({ collab: { registry, connectionCount: () => 0 }, io: { engine: { clientsCount: 0 } } } as unknown as Realtime);
		const gauge = async (name: string) => (await metrics.getSingleMetric(name)!.get()).values[0]!.value;
		expect(await gauge('plenary_collab_documents_not_stored')).toBe(0);
		const documentId = crypto.randomUUID();
		const room = await registry.open(documentId, crypto.randomUUID());
		const member = listener();
		room.members.add(member);
		store.failing.append = true;
		room.apply(paragraphUpdate('Unsaved when everyone left.'), member);
		room.members.delete(member);
		registry.released(room);

		await eventually(() => expect(store.attempts.append).toBeGreaterThanOrEqual(3), { timeoutMs: 10_000 });
		expect(registry.size).toBe(1);
		expect(room.dirty).toBe(true);
		expect(paragraphsOf(room.doc)).toEqual(['Unsaved when everyone left.']);
		expect(await gauge('plenary_collab_documents_not_stored')).toBe(1);
		expect(await gauge('plenary_collab_not_stored_seconds')).toBeGreaterThan(0.5);
		// Three failed attempts within seconds: one ERROR line for the document, not one per retry.
		expect(log.lines.filter((line) => line.msg === 'storing a document update failed' && line.level >= 50)).toHaveLength(1);

		store.failing.append = false;
		await eventually(() => expect(registry.size).toBe(0), { timeoutMs: 30_000 });
		expect(await gauge('plenary_collab_documents_not_stored')).toBe(0);
		const again = await registry.open(documentId, room.groupId);
		expect(again).not.toBe(room);
		expect(paragraphsOf(again.doc)).toEqual(['Unsaved when everyone left.']);
		again.destroy();
	});

	it('a failing store is retried with backoff, not in a tight loop, even with no unload delay (FT-15)', async () => {
		const store = flakyStore();
		const registry = registryOn(store, 0);
		const room = await registry.open(crypto.randomUUID(), crypto.randomUUID());
		store.failing.append = true;
		room.apply(paragraphUpdate('Waiting for the database.'), listener());
		registry.released(room);
		await eventually(() => expect(store.attempts.append).toBeGreaterThanOrEqual(3), { timeoutMs: 10_000 });
		// Backoff doubles from 500 ms: by the time a third attempt is seen there cannot be dozens.
		expect(store.attempts.append).toBeLessThan(6);
		store.failing.append = false;
		await eventually(() => expect(registry.size).toBe(0), { timeoutMs: 30_000 });
	});

	it('a failing load leaves nothing behind (no room, no awareness timer), and the next open loads (FT-15)', async () => {
		const store = flakyStore();
		const registry = registryOn(store, 0);
		const documentId = crypto.randomUUID();
		await store.append(documentId, paragraphUpdate('Stored before the outage.'));
		const timers = activeTimers();
		store.failing.load = 1;
		await expect(registry.open(documentId, crypto.randomUUID())).rejects.toThrow('connection terminated unexpectedly');
		expect(registry.size).toBe(0);
		await eventually(() => expect(activeTimers()).toBeLessThanOrEqual(timers));

		const room = await registry.open(documentId, crypto.randomUUID());
		expect(paragraphsOf(room.doc)).toEqual(['Stored before the outage.']);
		registry.released(room);
		await eventually(() => expect(registry.size).toBe(0));
	});

	it('a connection that opens the document while its unload is storing gets a room that stays live and stored', async () => {
		const store = flakyStore();
		const registry = registryOn(store, 0);
		const documentId = crypto.randomUUID();
		const room = await registry.open(documentId, crypto.randomUUID());
		const first = listener();
		room.members.add(first);
		room.apply(paragraphUpdate('Before the reload.'), first);
		await room.flush();
		let finishCompaction = () => {};
		store.held.compact = new Promise((resolve) => (finishCompaction = resolve));
		room.members.delete(first);
		registry.released(room);
		await eventually(() => expect(store.attempts.compact).toBe(1));

		// As the collab endpoint does: open, then an awaited access check, then join.
		const reopened = await registry.open(documentId, room.groupId);
		finishCompaction();
		store.held.compact = null;
		await new Promise((resolve) => setTimeout(resolve, 0)); // the access check's database round trip
		const second = listener();
		reopened.members.add(second);
		expect(registry.size).toBe(1);
		reopened.apply(paragraphUpdate('After the reload.'), second);
		await reopened.flush();
		expect(second.saved()).toHaveLength(1);
		reopened.members.delete(second);
		registry.released(reopened);
		await eventually(() => expect(registry.size).toBe(0));
		const again = await registry.open(documentId, room.groupId);
		expect(paragraphsOf(again.doc).sort()).toEqual(['After the reload.', 'Before the reload.']);
		again.destroy();
	});

	it('everyone opening at once shares one load', async () => {
		const store = flakyStore();
		const registry = registryOn(store, 0);
		const documentId = crypto.randomUUID();
		const rooms = await Promise.all(Array.from({ length: 20 }, () => registry.open(documentId, crypto.randomUUID())));
		expect(new Set(rooms).size).toBe(1);
		expect(store.attempts.load).toBe(1);
		registry.released(rooms[0]!);
		await eventually(() => expect(registry.size).toBe(0));
	});

	it('300 documents opened, edited and closed one after another leave no room and no timer behind, and all are stored (LD-04)', async () => {
		const store = memoryStore();
		const registry = registryOn(store, 0);
		const timers = activeTimers();
		const ids: string[] = [];
		for (let n = 0; n < 300; n++) {
			const documentId = crypto.randomUUID();
			ids.push(documentId);
			const room = await registry.open(documentId, crypto.randomUUID());
			const socket = new FakeSocket();
			const connection = new Connection(socket, principal(), room, writer);
			room.members.add(connection);
			room.welcome(connection);
			connection.receive(syncUpdateMessage(paragraphUpdate(`Document ${n}`), 2));
			connection.receive(presence(1000 + n));
			expect(room.awareness.getStates().size).toBe(1);
			expect(socket.closed).toBeNull();
			room.members.delete(connection);
			connection.detach();
			registry.released(room);
		}
		await eventually(() => expect(registry.size).toBe(0), { timeoutMs: 30_000 });
		await eventually(() => expect(activeTimers()).toBeLessThanOrEqual(timers));
		for (const documentId of ids) {
			const row = store.rows.get(documentId)!;
			// Unloading stores and compacts: each document is one snapshot with an empty log.
			expect(row.snapshot).not.toBeNull();
			expect(row.log).toHaveLength(0);
		}
		const reopened = await registry.open(ids[123]!, crypto.randomUUID());
		expect(paragraphsOf(reopened.doc)).toEqual(['Document 123']);
		registry.released(reopened);
		await eventually(() => expect(registry.size).toBe(0));
	});
});
