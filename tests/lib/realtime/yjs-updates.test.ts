import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeVector, reauthor, splitUpdate, textBeyond } from '../../../src/lib/realtime/yjs-updates';

/** A paragraph holding `text`, appended to the document's fragment. */
function paragraph(doc: Y.Doc, text: string): Y.XmlText {
	const element = new Y.XmlElement('paragraph');
	const content = new Y.XmlText();
	element.insert(0, [content]);
	doc.getXmlFragment('default').push([element]);
	content.insert(0, text);
	return content;
}

const plain = (doc: Y.Doc) =>
	doc
		.getXmlFragment('default')
		.toArray()
		.map((p) => (p as Y.XmlElement).toArray().map((t) => (t as Y.XmlText).toString()).join(''))
		.join('\n');

function clone(doc: Y.Doc, clientID?: number): Y.Doc {
	const copy = new Y.Doc();
	if (clientID !== undefined) copy.clientID = clientID;
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}

describe('refused edits written anew under another client id', () => {
	it('carry the same text, on top of what others wrote meanwhile, from two older client ids', () => {
		const server = new Y.Doc();
		paragraph(server, 'Agreed preamble.');
		// Yesterday's tab (one client id) and today's (another) typed offline.
		const yesterday = clone(server, 1001);
		const text = (yesterday.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
		text.insert(text.length, ' Added yesterday.');
		const today = clone(yesterday, 1002);
		paragraph(today, 'A new paragraph today.');
		((today.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText).delete(0, 7);
		const refused = Y.encodeStateAsUpdate(today, Y.encodeStateVector(server));
		expect(textBeyond(today, Y.decodeStateVector(Y.encodeStateVector(server)))).toBe(' Added yesterday.\nA new paragraph today.');

		// Meanwhile someone else wrote on the server; the refused text goes again under id 2000.
		const colleague = clone(server, 3000);
		paragraph(colleague, 'Colleague’s note.');
		Y.applyUpdate(server, Y.encodeStateAsUpdate(colleague));
		const fresh = clone(server, 2000);
		const { update, end } = reauthor(refused, 2000, 0);
		expect(Y.parseUpdateMeta(update).to).toEqual(new Map([[2000, end]]));
		fresh.transact((transaction) => {
			Y.applyUpdate(fresh, update);
			transaction.local = true;
		});
		expect(fresh.store.pendingStructs).toBeNull();
		expect(fresh.clientID).toBe(2000);
		expect(plain(fresh)).toContain('preamble. Added yesterday.');
		expect(plain(fresh)).not.toContain('Agreed');
		expect(plain(fresh)).toContain('A new paragraph today.');
		expect(plain(fresh)).toContain('Colleague’s note.');
		// The server, which refuses ids 1001 and 1002, takes it and ends up with the same text.
		Y.applyUpdate(server, update);
		expect(plain(server)).toBe(plain(fresh));
		expect([...Y.decodeStateVector(Y.encodeStateVector(server)).keys()]).not.toContain(1001);
	});
});

describe('an update too large for one message', () => {
	it('is cut into pieces under the limit that rebuild the same document in any order', () => {
		const local = new Y.Doc();
		const text = paragraph(local, 'Start. ');
		for (let i = 0; i < 4; i++) text.insert(text.length, `Judgment ${i}/2026 😀 `.repeat(20_000));
		paragraph(local, 'Last paragraph.');
		text.delete(0, 7);
		const update = Y.encodeStateAsUpdate(local);
		expect(update.byteLength).toBeGreaterThan(1024 * 1024);
		const pieces = splitUpdate(update, 512 * 1024)!;
		expect(pieces.length).toBeGreaterThan(2);
		for (const piece of pieces) expect(piece.byteLength).toBeLessThan(600 * 1024);
		const remote = new Y.Doc();
		for (const piece of [...pieces].reverse()) Y.applyUpdate(remote, piece);
		expect(plain(remote)).toBe(plain(local));
		expect(Y.encodeStateVector(remote)).toEqual(Y.encodeStateVector(local));
	});

	it('is left alone when nothing needs cutting', () => {
		const local = new Y.Doc();
		paragraph(local, 'Short.');
		const pieces = splitUpdate(Y.encodeStateAsUpdate(local), 512 * 1024)!;
		const remote = new Y.Doc();
		for (const piece of pieces) Y.applyUpdate(remote, piece);
		expect(plain(remote)).toBe('Short.');
		expect(pieces).toHaveLength(2); // the structs, then the deletions
		expect(encodeVector(new Map([[5, 3]]))).toEqual(new Uint8Array([1, 5, 3]));
	});
});
