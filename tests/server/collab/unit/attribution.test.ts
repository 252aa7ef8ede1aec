import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../../server/collab/connection';
import { Room, serverOrigin } from '../../../../server/collab/room';
import { memoryStore, type DocumentStore } from '../../../../server/collab/store';
import { paragraphsOf } from '../../../helpers/bystander';
import { appendParagraph, describeMessage, impersonating, syncUpdateMessage } from '../../../helpers/collab';
import { capturingLogger, FakeSocket, principal, writer } from '../../../helpers/rooms';

/**
 * BI-13: every Yjs client id has one author. Nobody can add text under another person's id (which
 * would make it look written by them), without any client losing its own text over it.
 */

function roomOn(store: DocumentStore, documentId: string): Room {
	return new Room(documentId, crypto.randomUUID(), { store, log: capturingLogger(), saveWindowMs: 5, compactAfter: 500 });
}

/** An awareness message announcing `clientId`, as a y-websocket provider sends on connect. */
function awarenessOf(clientId: number, { clock = 1, state = '{}' } = {}): Uint8Array {
	const inner = encoding.createEncoder();
	encoding.writeVarUint(inner, 1);
	encoding.writeVarUint(inner, clientId);
	encoding.writeVarUint(inner, clock);
	encoding.writeVarString(inner, state);
	const outer = encoding.createEncoder();
	encoding.writeVarUint(outer, 1);
	encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
	return encoding.toUint8Array(outer);
}

function refusals(socket: FakeSocket): unknown[] {
	return socket.sent.map(describeMessage).filter((message) => message.type === 2);
}

async function scene() {
	const store = memoryStore();
	const documentId = crypto.randomUUID();
	const room = roomOn(store, documentId);
	await room.load();
	const alice = { principal: principal('member'), socket: new FakeSocket(), doc: new Y.Doc() };
	const bob = { principal: principal('member'), socket: new FakeSocket(), doc: new Y.Doc() };
	const aliceConnection = new Connection(alice.socket, alice.principal, room, writer);
	const bobConnection = new Connection(bob.socket, bob.principal, room, writer);
	aliceConnection.receive(awarenessOf(alice.doc.clientID));
	bobConnection.receive(awarenessOf(bob.doc.clientID));
	aliceConnection.receive(syncUpdateMessage(appendParagraph(alice.doc, 'Judges are appointed by merit.'), 2));
	Y.applyUpdate(bob.doc, Y.encodeStateAsUpdate(alice.doc));
	return { store, documentId, room, alice, bob, aliceConnection, bobConnection };
}

describe('Authorship of Yjs client ids (BI-13)', () => {
	it("a connection's own client id is bound to its account and stored in the same append as its text", async () => {
		const { store, documentId, room, alice } = await scene();
		expect(room.ownerOf(alice.doc.clientID)).toBe(alice.principal.userId);
		await room.flush();
		expect(store.rows.get(documentId)!.owners.get(alice.doc.clientID)).toBe(alice.principal.userId);
		expect(store.rows.get(documentId)!.log).toHaveLength(1);
	});

	it("new text under another author's id is refused with CLIENT_ID and never applied; the sender's own text in the same message is", async () => {
		const { room, alice, bob, bobConnection } = await scene();
		const forger = impersonating(alice.doc);
		const forged = appendParagraph(forger, 'Alice withdraws the recommendation.');
		bobConnection.receive(syncUpdateMessage(forged, 2));
		expect(refusals(bob.socket)).toEqual([{ type: 2, subtype: 0, payload: 'CLIENT_ID' }]);
		expect(paragraphsOf(room.doc)).toEqual(['Judges are appointed by merit.']);

		const own = appendParagraph(bob.doc, 'Bob asks for a transition period.');
		bobConnection.receive(syncUpdateMessage(Y.mergeUpdates([forged, own]), 1));
		expect(refusals(bob.socket)).toHaveLength(2);
		expect(paragraphsOf(room.doc)).toEqual(['Judges are appointed by merit.', 'Bob asks for a transition period.']);
		expect(bob.socket.closed).toBeNull();
		expect(room.ownerOf(alice.doc.clientID)).toBe(alice.principal.userId);
		expect(room.ownerOf(bob.doc.clientID)).toBe(bob.principal.userId);
	});

	it('text of another author that the server already has passes: a client re-sending what it received is no forger', async () => {
		const { room, alice, bob, bobConnection } = await scene();
		bobConnection.receive(syncUpdateMessage(Y.encodeStateAsUpdate(alice.doc), 1));
		bobConnection.receive(syncUpdateMessage(Y.mergeUpdates([Y.encodeStateAsUpdate(alice.doc), appendParagraph(bob.doc, 'Agreed.')]), 2));
		expect(refusals(bob.socket)).toEqual([]);
		expect(paragraphsOf(room.doc)).toEqual(['Judges are appointed by merit.', 'Agreed.']);
	});

	it('text under an id nobody owns yet passes unbound (a relay after a crash); its author binds the id on return', async () => {
		const store = memoryStore();
		const documentId = crypto.randomUUID();
		const room = roomOn(store, documentId);
		await room.load();
		// Carol's first words reached Bob, but the server died before storing them.
		const carol = { principal: principal('member'), socket: new FakeSocket(), doc: new Y.Doc() };
		const lost = appendParagraph(carol.doc, 'Carol: hearings are public.');
		const bob = { principal: principal('member'), socket: new FakeSocket(), doc: new Y.Doc() };
		Y.applyUpdate(bob.doc, lost);
		const bobConnection = new Connection(bob.socket, bob.principal, room, writer);
		bobConnection.receive(awarenessOf(bob.doc.clientID));
		bobConnection.receive(syncUpdateMessage(Y.mergeUpdates([lost, appendParagraph(bob.doc, 'Bob: and recorded.')]), 1));
		expect(refusals(bob.socket)).toEqual([]);
		expect(paragraphsOf(room.doc)).toEqual(['Carol: hearings are public.', 'Bob: and recorded.']);
		expect(room.ownerOf(carol.doc.clientID)).toBeUndefined();

		const carolConnection = new Connection(carol.socket, carol.principal, room, writer);
		carolConnection.receive(awarenessOf(carol.doc.clientID));
		Y.applyUpdate(carol.doc, Y.encodeStateAsUpdate(room.doc));
		carolConnection.receive(syncUpdateMessage(appendParagraph(carol.doc, 'Carol: with interpreters.'), 2));
		expect(refusals(carol.socket)).toEqual([]);
		expect(room.ownerOf(carol.doc.clientID)).toBe(carol.principal.userId);
		expect(paragraphsOf(room.doc)).toHaveLength(3);
	});

	it("the server's own edits (minutes, vote outcomes) bind its id: no client can write under it", async () => {
		const { room, bob, bobConnection } = await scene();
		room.doc.transact(() => appendParagraph(room.doc, 'Vote: adopted.'), serverOrigin);
		expect(room.ownerOf(room.doc.clientID)).toBeNull();
		const forger = new Y.Doc();
		Y.applyUpdate(forger, Y.encodeStateAsUpdate(room.doc));
		forger.clientID = room.doc.clientID;
		bobConnection.receive(syncUpdateMessage(appendParagraph(forger, 'Vote: rejected.'), 2));
		expect(refusals(bob.socket)).toEqual([{ type: 2, subtype: 0, payload: 'CLIENT_ID' }]);
		expect(paragraphsOf(room.doc)).not.toContain('Vote: rejected.');
	});

	it('the bindings are stored: after a reload the same forgery is still refused', async () => {
		const { store, documentId, room, alice } = await scene();
		await room.close();
		room.destroy();
		const reloaded = roomOn(store, documentId);
		await reloaded.load();
		const mallory = { principal: principal('member'), socket: new FakeSocket() };
		const connection = new Connection(mallory.socket, mallory.principal, reloaded, writer);
		connection.receive(syncUpdateMessage(appendParagraph(impersonating(alice.doc), 'Alice resigns.'), 2));
		expect(refusals(mallory.socket)).toEqual([{ type: 2, subtype: 0, payload: 'CLIENT_ID' }]);
		expect(paragraphsOf(reloaded.doc)).toEqual(['Judges are appointed by merit.']);
	});

	it('an id announced by a live connection is its person\'s before they write anything: nobody else writes under it', async () => {
		const { room, bob, bobConnection } = await scene();
		const carol = { principal: principal('member'), doc: new Y.Doc() };
		new Connection(new FakeSocket(), carol.principal, room, writer).receive(awarenessOf(carol.doc.clientID));
		Y.applyUpdate(carol.doc, Y.encodeStateAsUpdate(room.doc));
		bobConnection.receive(syncUpdateMessage(appendParagraph(impersonating(carol.doc), 'Carol agrees with everything.'), 2));
		expect(refusals(bob.socket)).toEqual([{ type: 2, subtype: 0, payload: 'CLIENT_ID' }]);
		expect(paragraphsOf(room.doc)).toEqual(['Judges are appointed by merit.']);
	});
});

describe('Awareness client ids (BI-16)', () => {
	it("a connection cannot take another person's awareness id: not to remove them, not to speak as them", async () => {
		const { room, alice } = await scene();
		const mallory = new Connection(new FakeSocket(), principal('participant'), room, writer);
		mallory.receive(awarenessOf(alice.doc.clientID, { clock: 5, state: 'null' }));
		expect(room.awareness.getStates().has(alice.doc.clientID)).toBe(true);
		mallory.receive(awarenessOf(alice.doc.clientID, { clock: 6, state: '{"cursor":null}' }));
		expect(room.awareness.getStates().get(alice.doc.clientID)).toEqual({ user: expect.objectContaining({ id: alice.principal.userId }) });
		// Its own id still works afterwards.
		mallory.receive(awarenessOf(4242));
		expect(room.awareness.getStates().has(4242)).toBe(true);
	});

	it('a reconnect of the same person takes its id over, and the old socket leaving does not remove the new presence', async () => {
		const { room, alice, aliceConnection } = await scene();
		const again = new Connection(new FakeSocket(), alice.principal, room, writer);
		again.receive(awarenessOf(alice.doc.clientID, { clock: 2 }));
		aliceConnection.detach();
		expect(room.awareness.getStates().has(alice.doc.clientID)).toBe(true);
		again.detach();
		expect(room.awareness.getStates().has(alice.doc.clientID)).toBe(false);
	});
});
