import { describe, expect, it } from 'vitest';
import { findMentions } from '../../src/lib/mentions';

const people = [
	{ id: 'anna', name: 'Anna' },
	{ id: 'anna-maria', name: 'Anna Maria' },
	{ id: 'erlan', name: 'Ерлан Сұлтанов' }
];

describe('mentions', () => {
	it('find group members named after "@", case-insensitively, the longest name first', () => {
		const body = '@anna maria and @Anna, ask @ЕРЛАН СҰЛТАНОВ.';
		const found = findMentions(body, people);
		expect(found.map((m) => [m.userId, body.slice(m.start, m.end)])).toEqual([
			['anna-maria', '@anna maria'],
			['anna', '@Anna'],
			['erlan', '@ЕРЛАН СҰЛТАНОВ']
		]);
	});

	it('an e-mail address, a longer word and an unknown name are no mentions', () => {
		expect(findMentions('write to anna@example.org', people)).toEqual([]);
		expect(findMentions('@Annabel and @Annas', people)).toEqual([]);
		expect(findMentions('@nobody @ @', people)).toEqual([]);
	});
});
