import { describe, expect, it } from 'vitest';
import { diffAroundCaret } from '$lib/editor/caret-diff';
import { simpleDiff } from 'lib0/diff';

function apply(before: string, diff: { index: number; remove: number; insert: string }): string {
	return before.slice(0, diff.index) + diff.insert + before.slice(diff.index + diff.remove);
}

describe('the text diff placed at the caret', () => {
	it('a space typed just before another space is the one before it (simpleDiff says after)', () => {
		expect(simpleDiff('T1: ', 'T1:  ')).toEqual({ index: 4, remove: 0, insert: ' ' });
		expect(diffAroundCaret('T1: ', 'T1:  ', 4)).toEqual({ index: 3, remove: 0, insert: ' ' });
	});

	it('a letter typed before the same letter, and a word typed before a word that starts alike', () => {
		expect(diffAroundCaret('x Bakyt', 'x BBakyt', 3)).toEqual({ index: 2, remove: 0, insert: 'B' });
		expect(diffAroundCaret('publish every', 'publish every every', 13)).toEqual({ index: 7, remove: 0, insert: ' every' });
	});

	it('a character deleted before the caret among equal ones is that one (Backspace)', () => {
		expect(diffAroundCaret('abccd', 'abcd', 2)).toEqual({ index: 2, remove: 1, insert: '' });
		expect(diffAroundCaret('aaaa', 'aaa', 1)).toEqual({ index: 1, remove: 1, insert: '' });
	});

	it('a selection replaced by typing', () => {
		expect(diffAroundCaret('courts shall publish', 'courts may publish', 10)).toEqual({ index: 7, remove: 5, insert: 'may' });
	});

	it('never splits a surrogate pair, and is always a correct diff whatever the caret says', () => {
		expect(diffAroundCaret('a😀', 'a😀😀', 3)).toEqual({ index: 1, remove: 0, insert: '😀' });
		const cases: [string, string][] = [
			['', 'abc'],
			['abc', ''],
			['hello world', 'hello brave world'],
			['aaa', 'aaaaa'],
			['Судья', 'Судьялар'],
			['x😀y', 'x😀😀y']
		];
		for (const [before, after] of cases) for (let caret = 0; caret <= after.length; caret++) expect(apply(before, diffAroundCaret(before, after, caret))).toBe(after);
	});
});
