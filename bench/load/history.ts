import * as Y from 'yjs';

export type History = {
	edits: number;
	/** The edits as sent to the servers: `batch` consecutive edits merged into one update each. */
	messages: Uint8Array[];
	finalStateVector: Uint8Array;
	/** Length of `getXmlFragment('default').toString()` of the finished document. */
	contentLength: number;
	/** Bytes of Y.encodeStateAsUpdate of the finished document. */
	stateBytes: number;
	paragraphs: number;
	authors: number;
	ms: number;
};

/** Deterministic, so every run and every server gets the same document (mulberry32). */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A minutes document as a session produces it: `authors` people taking turns in bursts of 1–20
 * edits, each edit one Yjs transaction in TipTap's shape (paragraph elements holding text) — 80 %
 * a typed character at the author's cursor, 10 % a backspace, 5 % a jump to a random place,
 * 3 % a new paragraph, 2 % bold on a few characters. Every edit is its own update, so the
 * history has `edits` updates before they are merged `batch` at a time for sending.
 */
export function buildHistory(edits: number, batch: number, authors = 12): History {
	const started = performance.now();
	const next = random(20260101);
	const doc = new Y.Doc();
	const fragment = doc.getXmlFragment('default');
	const paragraphs: Y.XmlText[] = [];
	const newParagraph = (index: number): Y.XmlText => {
		const text = new Y.XmlText();
		const element = new Y.XmlElement('paragraph');
		element.insert(0, [text]);
		fragment.insert(index, [element]);
		paragraphs.splice(index, 0, text);
		return text;
	};
	const updates: Uint8Array[] = [];
	doc.on('update', (update: Uint8Array) => updates.push(update));
	const cursors = Array.from({ length: authors }, () => ({ text: null as Y.XmlText | null, offset: 0 }));
	doc.clientID = 1000;
	doc.transact(() => newParagraph(0));
	const letters = 'etaoinshrdlu cmfwypvbgkqjxz ';
	let author = 0;
	let burst = 0;
	const type = (cursor: { text: Y.XmlText | null; offset: number }) => {
		cursor.text!.insert(cursor.offset, letters[Math.floor(next() * letters.length)]!);
		cursor.offset++;
	};
	// Each pass is one transaction; a pass that changes nothing (bold on bold text) emits no update.
	for (let pass = 0; updates.length < edits && pass < edits * 2; pass++) {
		if (burst-- <= 0) {
			author = Math.floor(next() * authors);
			burst = 1 + Math.floor(next() * 20);
			doc.clientID = 1001 + author;
		}
		const cursor = cursors[author]!;
		if (!cursor.text) cursor.text = paragraphs[Math.floor(next() * paragraphs.length)]!;
		cursor.offset = Math.min(cursor.offset, cursor.text.length);
		const text = cursor.text;
		const roll = next();
		doc.transact(() => {
			if (roll < 0.8) {
				type(cursor);
			} else if (roll < 0.9) {
				if (cursor.offset === 0) return type(cursor);
				text.delete(cursor.offset - 1, 1);
				cursor.offset--;
			} else if (roll < 0.95) {
				cursor.text = paragraphs[Math.floor(next() * paragraphs.length)]!;
				cursor.offset = Math.floor(next() * (cursor.text.length + 1));
				type(cursor);
			} else if (roll < 0.98) {
				cursor.text = newParagraph(paragraphs.indexOf(text) + 1);
				cursor.offset = 0;
			} else if (text.length >= 4) {
				text.format(Math.floor(next() * (text.length - 3)), 3, { bold: true });
			} else {
				type(cursor);
			}
		});
	}
	const messages: Uint8Array[] = [];
	for (let i = 0; i < updates.length; i += batch) messages.push(Y.mergeUpdates(updates.slice(i, i + batch)));
	const history: History = {
		edits: updates.length,
		messages,
		finalStateVector: Y.encodeStateVector(doc),
		contentLength: fragment.toString().length,
		stateBytes: Y.encodeStateAsUpdate(doc).byteLength,
		paragraphs: paragraphs.length,
		authors,
		ms: performance.now() - started
	};
	doc.destroy();
	return history;
}
