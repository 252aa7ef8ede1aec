import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';

const root = join(import.meta.dirname, '..', '..');
const locales = ['en', 'fr', 'ru', 'kk'] as const;

describe('messages', () => {
	const files = Object.fromEntries(locales.map((locale) => [locale, JSON.parse(readFileSync(join(root, 'messages', `${locale}.json`), 'utf8'))]));

	it('every message exists in all four languages', () => {
		const keys = (locale: string) => Object.keys(files[locale]).sort();
		for (const locale of locales) expect(keys(locale), locale).toEqual(keys('en'));
	});

	it('counts take the plural form of each language: French 0 and 1 are singular, Russian has one, few and many', () => {
		const unread = (count: number, locale: (typeof locales)[number]) => m.unread_count({ count }, { locale });
		expect([0, 1, 2].map((n) => unread(n, 'fr'))).toEqual(['0 non lu', '1 non lu', '2 non lus']);
		expect([1, 3, 5, 21, 22, 11].map((n) => unread(n, 'ru'))).toEqual([
			'1 непрочитанное',
			'3 непрочитанных',
			'5 непрочитанных',
			'21 непрочитанное',
			'22 непрочитанных',
			'11 непрочитанных'
		]);
		expect([1, 2].map((n) => unread(n, 'kk'))).toEqual(['1 оқылмаған', '2 оқылмаған']);
		expect([1, 2].map((n) => unread(n, 'en'))).toEqual(['1 unread', '2 unread']);
		expect(m.issue_too_long({ limit: 1 }, { locale: 'en' })).toBe('At most 1 character.');
		expect(m.issue_too_long({ limit: 21 }, { locale: 'ru' })).toBe('Не более 21 символа.');
		expect(m.issue_too_long({ limit: 200 }, { locale: 'ru' })).toBe('Не более 200 символов.');
	});

	it('placeholders are in the reader’s language, and a new group’s is no existing group’s name', () => {
		const agenda = locales.map((locale) => m.field_agenda_placeholder({}, { locale }));
		expect(new Set(agenda).size).toBe(4);
		expect(m.field_agenda_placeholder({}, { locale: 'kk' })).toMatch(/^[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі ]+ \| \d+\n/);
		// Numbered after the groups there are: "Working group 3 — …" when the event has two.
		expect(m.group_name_placeholder({ number: 3 }, { locale: 'en' })).toBe('Working group 3 — its topic');
	});
});

/**
 * Svelte drops the whitespace at the start and end of a block, so `{a}{#if b} · {c}{/if}` renders
 * "a· c" ("Moderator· Draft", issue 11). A separator with spaces at a block's edge is written as
 * an expression instead: `{#if b}{' · '}{c}{/if}`.
 */
describe('Svelte templates', () => {
	function svelteFiles(dir: string): string[] {
		return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) return entry.name === 'paraglide' ? [] : svelteFiles(path);
			return entry.name.endsWith('.svelte') ? [path] : [];
		});
	}

	it('never begin or end a block with a space next to text (Svelte would drop it)', () => {
		const found: string[] = [];
		for (const file of svelteFiles(join(root, 'src'))) {
			readFileSync(file, 'utf8')
				.split('\n')
				.forEach((line, index) => {
					const opens = /\{(?:#if|:else(?: if)?|#each|#key)[^}]*\}[ \t]+[^\s<{]/.test(line);
					const closes = /[^\s>}][ \t]+\{(?:\/if|:else|\/each|\/key)/.test(line);
					if (opens || closes) found.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
				});
		}
		expect(found).toEqual([]);
	});
});
