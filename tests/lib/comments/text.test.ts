import { describe, expect, it } from 'vitest';
import { findLinks, splitBody } from '../../../src/lib/comments/text';

describe('comment text', () => {
	it('makes http and https addresses links, without the punctuation that ends the sentence', () => {
		const body = 'See https://example.org/a?b=1, and (http://x.kz/page). Not javascript:alert(1) nor ftp://x.org';
		expect(findLinks(body).map((link) => link.href)).toEqual(['https://example.org/a?b=1', 'http://x.kz/page']);
	});

	it('keeps a closing bracket that belongs to the address', () => {
		expect(findLinks('read https://en.wikipedia.org/wiki/Judge_(law).')[0]!.href).toBe('https://en.wikipedia.org/wiki/Judge_(law)');
	});

	it('splits a body into text, links and mentions, marking mentions of me', () => {
		const body = '@Anna look at https://example.org <b>now</b>';
		const segments = splitBody(body, [{ userId: 'anna', start: 0, end: 5 }], 'anna');
		expect(segments).toEqual([
			{ kind: 'mention', text: '@Anna', userId: 'anna', mine: true },
			{ kind: 'text', text: ' look at ' },
			{ kind: 'link', text: 'https://example.org', href: 'https://example.org' },
			{ kind: 'text', text: ' <b>now</b>' }
		]);
		expect(segments.map((s) => s.text).join('')).toBe(body);
		expect(splitBody(body, [{ userId: 'anna', start: 0, end: 5 }], 'erlan')[0]).toMatchObject({ mine: false });
	});

	it('ignores mentions outside the body and overlapping ones', () => {
		const segments = splitBody('@A @B', [{ userId: 'a', start: 0, end: 2 }, { userId: 'x', start: 1, end: 4 }, { userId: 'y', start: 3, end: 99 }], null);
		expect(segments.map((s) => s.kind)).toEqual(['mention', 'text']);
	});
});
