import { describe, expect, it } from 'vitest';
import { parseRoster } from '../../src/lib/roster';

describe('parseRoster', () => {
	it('reads one address per line, or several separated by commas, semicolons, tabs or spaces', () => {
		expect(parseRoster('a@court.kz\nb@court.kz, c@court.kz; d@court.kz\te@court.kz f@court.kz').emails).toEqual([
			'a@court.kz',
			'b@court.kz',
			'c@court.kz',
			'd@court.kz',
			'e@court.kz',
			'f@court.kz'
		]);
	});

	it('takes the address out of a mail client’s "Name <address>" and a CSV row with names and delegations', () => {
		const text = 'Name;E-mail;Delegation\nAigerim Bekova <Aigerim@Court.kz>\n"Сұлтанов, Ерлан";erlan@prokuratura.kz;Қазақстан\nmailto:sophie@osce.org';
		expect(parseRoster(text)).toEqual({ emails: ['aigerim@court.kz', 'erlan@prokuratura.kz', 'sophie@osce.org'], unreadable: [] });
	});

	it('lists each address once, in the order first seen, whatever its case', () => {
		expect(parseRoster('b@x.org\na@x.org\nB@X.org').emails).toEqual(['b@x.org', 'a@x.org']);
	});

	it('reports what is not an address, and any line but a CSV header that holds none', () => {
		const roster = parseRoster('a@x.org\naigerim.court.kz\nb@@x.org\n\nc@x.org');
		expect(roster.emails).toEqual(['a@x.org', 'c@x.org']);
		expect(roster.unreadable).toEqual(['aigerim.court.kz', 'b@@x.org']);
	});

	it('reports a first line without an address unless it looks like a CSV header', () => {
		expect(parseRoster('aigerim.court.kz\nb@x.org').unreadable).toEqual(['aigerim.court.kz']);
		expect(parseRoster('name,email\nb@x.org').unreadable).toEqual([]);
	});

	it('finds nothing in blank text', () => {
		expect(parseRoster(' \n\r\n ')).toEqual({ emails: [], unreadable: [] });
	});
});
