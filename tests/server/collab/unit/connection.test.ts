import * as Y from 'yjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../../../server/collab/connection';
import { Room } from '../../../../server/collab/room';
import { memoryStore } from '../../../../server/collab/store';
import { paragraphsOf } from '../../../helpers/bystander';
import { syncUpdateMessage } from '../../../helpers/collab';
import { capturingLogger, FakeSocket, principal, smallEdits, writer } from '../../../helpers/rooms';

async function loadedRoom(): Promise<Room> {
	const room = new Room(crypto.randomUUID(), crypto.randomUUID(), { store: memoryStore(), log: capturingLogger(), saveWindowMs: 5, compactAfter: 500 });
	await room.load();
	return room;
}

function connect(room: Room): { socket: FakeSocket; connection: Connection } {
	const socket = new FakeSocket();
	const connection = new Connection(socket, principal(), room, writer);
	room.members.add(connection);
	return { socket, connection };
}

describe('Connection limits', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it('200 updates at once: the burst of 100 is applied at once, the rest as the rate allows; all are applied and the connection stays open (BI-19)', async () => {
		const room = await loadedRoom();
		vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
		const { socket, connection } = connect(room);
		const { updates } = smallEdits(200);
		for (const update of updates) connection.receive(syncUpdateMessage(update, 2));
		const expectedAfter = (count: number) => {
			const expected = new Y.Doc();
			for (const update of updates.slice(0, count)) Y.applyUpdate(expected, update);
			return Y.encodeStateVector(expected);
		};
		expect(Y.encodeStateVector(room.doc)).toEqual(expectedAfter(100));
		await vi.advanceTimersByTimeAsync(1000);
		expect(Y.encodeStateVector(room.doc)).toEqual(expectedAfter(130));
		await vi.advanceTimersByTimeAsync(3000);
		expect(Y.encodeStateVector(room.doc)).toEqual(expectedAfter(200));
		expect(socket.closed).toBeNull();
		room.destroy();
	});

	it('a sustained flood (60 updates/s) is closed 4429 after 5 s over budget; what was handled before is applied, nothing after (BI-19)', async () => {
		const room = await loadedRoom();
		vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
		const { socket, connection } = connect(room);
		const { updates } = smallEdits(1200);
		let sent = 0;
		let closedAfterMs = 0;
		while (!socket.closed && sent < updates.length) {
			connection.receive(syncUpdateMessage(updates[sent++]!, 2));
			await vi.advanceTimersByTimeAsync(1000 / 60);
			closedAfterMs += 1000 / 60;
		}
		expect(socket.closed).toEqual({ code: 4429, reason: 'RATE_LIMITED' });
		// Over budget from ~3.3 s (the burst of 100 spent at 30/s net), closed 5 s later.
		expect(closedAfterMs).toBeGreaterThan(7_500);
		expect(closedAfterMs).toBeLessThan(9_500);
		const applied = Y.decodeStateVector(Y.encodeStateVector(room.doc));
		const [[, clock]] = [...applied] as [[number, number]];
		const prefix = new Y.Doc();
		let count = 0;
		while (Y.decodeStateVector(Y.encodeStateVector(prefix)).get([...applied.keys()][0]!) !== clock) Y.applyUpdate(prefix, updates[count++]!);
		expect(paragraphsOf(room.doc)).toEqual(paragraphsOf(prefix));
		expect(count).toBeLessThan(sent);
		// Nothing after the close.
		connection.receive(syncUpdateMessage(updates[sent]!, 2));
		await vi.advanceTimersByTimeAsync(1000);
		expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(prefix));
		room.destroy();
	});

	it('updates held back for a missing dependency count towards the 16 MiB limit (BI-11)', async () => {
		const room = await loadedRoom();
		const { socket, connection } = connect(room);
		const source = new Y.Doc();
		const updates: Uint8Array[] = [];
		source.on('update', (update: Uint8Array) => updates.push(update));
		const text = new Y.XmlText();
		source.transact(() => {
			const paragraph = new Y.XmlElement('paragraph');
			paragraph.insert(0, [text]);
			source.getXmlFragment('default').push([paragraph]);
		});
		for (let n = 0; n < 19; n++) text.insert(text.length, `${n} `.padEnd(900 * 1024, 'lorem ipsum '));
		// The first update (the paragraph) never arrives: everything after it waits in Yjs's pending store.
		for (const update of updates.slice(1)) connection.receive(syncUpdateMessage(update, 2));
		expect(socket.closed).toEqual({ code: 4413, reason: 'DOC_TOO_LARGE' });
		expect(paragraphsOf(room.doc)).toEqual([]);
		room.destroy();
	});
});
