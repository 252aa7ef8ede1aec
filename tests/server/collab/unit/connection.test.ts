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

	it('with the clock standing still, exactly the burst of 100 updates is applied and the 101st closes 4429 (BI-19)', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const room = await loadedRoom();
		const { socket, connection } = connect(room);
		const { updates } = smallEdits(200);
		for (const update of updates) connection.receive(syncUpdateMessage(update, 2));
		expect(socket.closed).toEqual({ code: 4429, reason: 'RATE_LIMITED' });
		const expected = new Y.Doc();
		for (const update of updates.slice(0, 100)) Y.applyUpdate(expected, update);
		expect(paragraphsOf(room.doc)).toEqual(paragraphsOf(expected));
		expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(expected));
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
