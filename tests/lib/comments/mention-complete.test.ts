import { describe, expect, it } from 'vitest';
import { fold, insertMention, matchPeople, mentionQuery, type Person } from '../../../src/lib/comments/mention-complete';
import { findMentions } from '../../../src/lib/mentions';

const people: Person[] = [
	{ id: 'aigerim', name: 'Aigerim Bekova' },
	{ id: 'aigerim-kk', name: 'Айгерим Сәрсенова' },
	{ id: 'erlan', name: 'Ерлан Сұлтанов' },
	{ id: 'helene', name: 'Hélène Dupont' },
	{ id: 'anna', name: 'Anna' },
	{ id: 'anna-maria', name: 'Anna Maria' },
	{ id: 'oskar', name: 'Øskar Łukasz' }
];
const names = (query: string) => matchPeople(people, query).map((person) => person.name);

describe('@name completion', () => {
	it('finds the "@…" being typed at the caret, not an e-mail address nor an "@" on another line', () => {
		expect(mentionQuery('Ask @ai', 7)).toEqual({ start: 4, end: 7, query: 'ai' });
		expect(mentionQuery('@', 1)).toEqual({ start: 0, end: 1, query: '' });
		expect(mentionQuery('@Aigerim Be', 11)).toMatchObject({ query: 'Aigerim Be' });
		expect(mentionQuery('write to anna@ex', 16)).toBeNull();
		expect(mentionQuery('@ai\nnext', 8)).toBeNull();
		expect(mentionQuery('@ hello', 7)).toBeNull();
		expect(mentionQuery('no mention', 10)).toBeNull();
		// The caret inside a word: the rest of the word is replaced too.
		expect(mentionQuery('(@aigxyz) ok', 5)).toEqual({ start: 1, end: 8, query: 'aig' });
	});

	it('matches names from their start or any word, without case or accents, Cyrillic and Kazakh letters included', () => {
		expect(names('ai')).toEqual(['Aigerim Bekova']);
		expect(names('айг')).toEqual(['Айгерим Сәрсенова']);
		expect(names('АЙГ')).toEqual(['Айгерим Сәрсенова']);
		expect(names('бек')).toEqual([]);
		expect(names('bek')).toEqual(['Aigerim Bekova']);
		// Kazakh letters typed as their Russian neighbours, and as themselves.
		expect(names('сұл')).toEqual(['Ерлан Сұлтанов']);
		expect(names('сул')).toEqual(['Ерлан Сұлтанов']);
		expect(names('сарс')).toEqual(['Айгерим Сәрсенова']);
		expect(names('helene')).toEqual(['Hélène Dupont']);
		expect(names('HÉL')).toEqual(['Hélène Dupont']);
		expect(names('oskar lu')).toEqual(['Øskar Łukasz']);
		// Whole-name matches before word matches, then by name; an empty query lists everyone.
		expect(names('anna')).toEqual(['Anna', 'Anna Maria']);
		expect(names('maria')).toEqual(['Anna Maria']);
		expect(names('')).toHaveLength(people.length);
		expect(matchPeople(people, '', 3)).toHaveLength(3);
		expect(names('Aigerim Bekova x')).toEqual([]);
		expect(fold('Ёлка Қазақ İstanbul')).toBe('елка казак istanbul');
	});

	it('inserts the name as written, with a space after it, and the server recognises it as a mention of that person', () => {
		for (const person of people) {
			const body = 'Please @' + fold(person.name).slice(0, 3) + ' check';
			const at = mentionQuery(body, body.indexOf(' check'))!;
			const inserted = insertMention(body, at, person);
			expect(inserted.body).toBe(`Please @${person.name} check`);
			expect(inserted.body.slice(0, inserted.caret)).toBe(`Please @${person.name} `);
			const found = findMentions(inserted.body, people);
			expect(found).toEqual([{ userId: person.id, start: 7, end: 8 + person.name.length }]);
		}
		const end = insertMention('@айг', mentionQuery('@айг', 4)!, people[1]!);
		expect(end).toEqual({ body: '@Айгерим Сәрсенова ', caret: 19 });
		expect(findMentions(end.body, people)).toMatchObject([{ userId: 'aigerim-kk' }]);
	});
});
