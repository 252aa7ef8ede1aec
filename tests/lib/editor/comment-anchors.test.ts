import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { initProseMirrorDoc } from '@tiptap/y-tiptap';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createAnchor, resolveAnchor, type AnchorBinding, type ResolvedAnchor } from '../../../src/lib/editor/comment-anchors';
import { Recommendation } from '../../../src/lib/editor/recommendation';
import type { CommentAnchor } from '../../../src/lib/protocol/comments';

/**
 * The anchor functions the editor uses (src/lib/editor/comment-anchors.ts), driven headless: two
 * copies of a document are edited concurrently around a commented range, then synced, and the
 * anchor must still cover the same words — every surviving commented character and no other
 * original character — or be reported deleted when none of them survived. The ProseMirror side is
 * the app's own schema, with the type → node mapping y-tiptap builds for a bound editor.
 */

const schema = getSchema([StarterKit.configure({ undoRedo: false }), Recommendation]);

/** A seeded PRNG (mulberry32): every failure names its seed and replays. */
function prng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: T[]) => items[Math.floor(next() * items.length)]! };
}

// Original text uses each character once (CJK ideographs from U+4E00), so a character names itself;
// text typed during the test comes from another alphabet.
let nextOriginal = 0x4e00;
const original = (length: number) => Array.from({ length }, () => String.fromCodePoint(nextOriginal++)).join('');
const isOriginal = (char: string) => char.codePointAt(0)! >= 0x4e00 && char.codePointAt(0)! < 0x9fff;
const typed = 'abcdefghijklmnopqrstuvwxyzәғқңөұүһі ';

function paragraph(text: string): Y.XmlElement {
	const element = new Y.XmlElement('paragraph');
	element.insert(0, [new Y.XmlText(text)]);
	return element;
}

/** A document of plain paragraphs and one recommendation holding paragraphs (nested blocks). */
function seedDocument(random: ReturnType<typeof prng>): Y.Doc {
	nextOriginal = 0x4e00; // unique within one document is enough
	const doc = new Y.Doc();
	const fragment = doc.getXmlFragment('default');
	doc.transact(() => {
		fragment.insert(0, [paragraph(original(3 + random.int(8))), paragraph(original(3 + random.int(8)))]);
		const recommendation = new Y.XmlElement('recommendation');
		recommendation.setAttribute('id', crypto.randomUUID());
		recommendation.setAttribute('status', 'draft');
		recommendation.insert(0, [paragraph(original(3 + random.int(8))), paragraph(original(3 + random.int(8)))]);
		fragment.insert(2, [recommendation, paragraph(original(3 + random.int(8)))]);
	});
	return doc;
}

/** What an editor bound to `doc` would have: the ProseMirror document and y-tiptap's mapping. */
function bind(doc: Y.Doc): AnchorBinding & { pm: ReturnType<typeof initProseMirrorDoc>['doc'] } {
	const fragment = doc.getXmlFragment('default');
	const { doc: pm, mapping } = initProseMirrorDoc(fragment, schema);
	return { doc, fragment, mapping, pm };
}

/** Every paragraph's text type, in document order. */
function texts(doc: Y.Doc): { paragraph: Y.XmlElement; text: Y.XmlText }[] {
	const found: { paragraph: Y.XmlElement; text: Y.XmlText }[] = [];
	const walk = (node: Y.XmlElement | Y.XmlFragment) => {
		for (const child of node.toArray()) {
			if (!(child instanceof Y.XmlElement)) continue;
			if (child.nodeName === 'paragraph') {
				const text = child.get(0);
				if (text instanceof Y.XmlText) found.push({ paragraph: child, text });
			} else walk(child);
		}
	};
	walk(doc.getXmlFragment('default'));
	return found;
}

/** A random range of text positions spanning one or two paragraphs and at least one character. */
function pickRange(random: ReturnType<typeof prng>, pm: ReturnType<typeof bind>['pm']): { from: number; to: number } {
	const blocks: { start: number; end: number }[] = [];
	pm.descendants((node, pos) => {
		if (node.isTextblock) blocks.push({ start: pos + 1, end: pos + 1 + node.content.size });
	});
	for (;;) {
		const first = random.int(blocks.length);
		const last = Math.min(blocks.length - 1, first + random.int(2));
		const a = blocks[first]!;
		const b = blocks[last]!;
		const from = a.start + random.int(a.end - a.start + 1);
		const to = b.start + random.int(b.end - b.start + 1);
		if (to > from && pm.textBetween(from, to, '').length > 0) return { from, to };
	}
}

/** One random edit: typing, deleting a stretch, a new paragraph, or (rarely) deleting a paragraph. */
function edit(random: ReturnType<typeof prng>, doc: Y.Doc): void {
	const all = texts(doc);
	if (all.length === 0) return;
	const { paragraph: block, text } = random.pick(all);
	const roll = random.next();
	if (roll < 0.5) {
		const length = 1 + random.int(4);
		text.insert(random.int(text.length + 1), Array.from({ length }, () => random.pick([...typed])).join(''));
	} else if (roll < 0.85) {
		if (text.length === 0) return;
		const at = random.int(text.length);
		text.delete(at, 1 + random.int(Math.min(6, text.length - at)));
	} else if (roll < 0.95) {
		const parent = block.parent as Y.XmlElement | Y.XmlFragment;
		const index = parent.toArray().indexOf(block);
		parent.insert(index + random.int(2), [paragraph('new ' + random.pick([...typed]))]);
	} else if (all.length > 2) {
		const parent = block.parent as Y.XmlElement | Y.XmlFragment;
		if (parent instanceof Y.XmlElement && parent.length === 1) return; // a recommendation keeps one paragraph
		parent.delete(parent.toArray().indexOf(block), 1);
	}
}

function sync(a: Y.Doc, b: Y.Doc): void {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

/** The original characters of the whole document, in order. */
const originals = (pm: ReturnType<typeof bind>['pm']) => [...pm.textBetween(0, pm.content.size, '')].filter(isOriginal);

function check(seed: number): ResolvedAnchor['state'] {
	const random = prng(seed);
	const alice = seedDocument(random);
	const bob = new Y.Doc();
	sync(alice, bob);
	const before = bind(alice);
	const range = pickRange(random, before.pm);
	const commented = new Set([...before.pm.textBetween(range.from, range.to, '')].filter(isOriginal));
	const anchor: CommentAnchor = createAnchor(before, range.from, range.to)!;
	expect(anchor, `seed ${seed}`).not.toBeNull();
	// Right after creation the anchor is exactly the selection.
	expect(resolveAnchor(before, anchor), `seed ${seed}`).toEqual({ state: 'live', ...range });

	for (let round = 0, rounds = 1 + random.int(4); round < rounds; round++) {
		for (let i = 0, n = random.int(6); i < n; i++) edit(random, alice);
		for (let i = 0, n = random.int(6); i < n; i++) edit(random, bob);
		sync(alice, bob);
	}

	const [a, b] = [bind(alice), bind(bob)];
	expect(a.pm.toJSON(), `seed ${seed}: the copies converged`).toEqual(b.pm.toJSON());
	const surviving = new Set(originals(a.pm).filter((char) => commented.has(char)));
	const resolved = resolveAnchor(a, anchor);
	expect(resolveAnchor(b, anchor), `seed ${seed}: both copies place the anchor alike`).toEqual(resolved);
	if (resolved.state === 'live') {
		const covered = [...a.pm.textBetween(resolved.from, resolved.to, '')].filter(isOriginal);
		// Text typed between the commented words joins them (as in Google Docs); no other original text does.
		expect(covered, `seed ${seed}: the anchor covers exactly the surviving commented words`).toEqual([...surviving]);
	} else {
		expect(resolved.state, `seed ${seed}`).toBe('deleted');
		expect([...surviving], `seed ${seed}: deleted only when no commented character is left`).toEqual([]);
	}
	return resolved.state;
}

describe('comment anchors', () => {
	it('stay on the same words under 2,000 random concurrent edit sessions of two copies, or report deleted when the words are gone', () => {
		const outcomes = { live: 0, deleted: 0, unknown: 0 };
		for (let seed = 1; seed <= 2000; seed++) outcomes[check(seed)]++;
		// Both outcomes must have been exercised many times, or the test proves little.
		expect(outcomes.live).toBeGreaterThan(500);
		expect(outcomes.deleted).toBeGreaterThan(50);
		expect(outcomes.unknown).toBe(0);
	});

	it('report deleted when every commented word was deleted, and unknown in a copy that has not received the text', () => {
		const doc = new Y.Doc();
		doc.getXmlFragment('default').insert(0, [paragraph('The court shall be independent')]);
		const binding = bind(doc);
		const anchor = createAnchor(binding, 5, 10)!; // "court"
		expect(binding.pm.textBetween(5, 10)).toBe('court');
		const other = bind(new Y.Doc());
		expect(resolveAnchor(other, anchor)).toEqual({ state: 'unknown' });
		const text = texts(doc)[0]!.text;
		text.insert(4, 'supreme ');
		text.insert(text.length, ' and impartial');
		const moved = resolveAnchor(bind(doc), anchor);
		expect(moved.state === 'live' && bind(doc).pm.textBetween(moved.from, moved.to)).toBe('court');
		text.delete(12, 5);
		expect(resolveAnchor(bind(doc), anchor)).toEqual({ state: 'deleted' });
		expect(resolveAnchor(bind(doc), { from: 'AAAA', to: anchor.to })).toEqual({ state: 'unknown' });
	});

	it('text typed right before or right after the words stays outside, also concurrently; text typed between them joins', () => {
		const alice = new Y.Doc();
		alice.getXmlFragment('default').insert(0, [paragraph('The court shall be independent')]);
		const bob = new Y.Doc();
		sync(alice, bob);
		const anchor = createAnchor(bind(alice), 5, 10)!; // "court"
		texts(alice)[0]!.text.insert(4, 'supreme '); // just before "court"
		texts(bob)[0]!.text.insert(9, 'ss'); // just after "court"
		sync(alice, bob);
		const outside = bind(alice);
		const resolved = resolveAnchor(outside, anchor);
		expect(outside.pm.textBetween(1, outside.pm.content.size - 1)).toBe('The supreme courtss shall be independent');
		expect(resolved.state === 'live' && outside.pm.textBetween(resolved.from, resolved.to)).toBe('court');
		texts(bob)[0]!.text.insert(15, '-o-'); // "cou-o-rt"
		sync(alice, bob);
		const inside = bind(alice);
		const joined = resolveAnchor(inside, anchor);
		expect(joined.state === 'live' && inside.pm.textBetween(joined.from, joined.to)).toBe('cou-o-rt');
	});

	it('an empty selection is no anchor', () => {
		const doc = new Y.Doc();
		doc.getXmlFragment('default').insert(0, [paragraph('Text')]);
		expect(createAnchor(bind(doc), 2, 2)).toBeNull();
	});
});
