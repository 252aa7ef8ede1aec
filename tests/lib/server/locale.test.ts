import { describe, expect, it } from 'vitest';
import { chooseLocale, fromAcceptLanguage, isLocale } from '../../../src/lib/server/locale';

describe('chooseLocale', () => {
	it("uses the user's saved locale over the cookie and the browser's languages", () => {
		expect(chooseLocale('kk', 'fr', 'ru')).toBe('kk');
	});

	it('uses the cookie when nothing is saved', () => {
		expect(chooseLocale(null, 'ru', 'fr,en;q=0.5')).toBe('ru');
		expect(chooseLocale(undefined, 'fr', 'kk')).toBe('fr');
	});

	it('ignores a cookie that names no supported locale', () => {
		expect(chooseLocale(null, 'de', 'kk')).toBe('kk');
		expect(chooseLocale(null, 'KK', null)).toBe('en');
	});

	it('falls back to Accept-Language, then to English', () => {
		expect(chooseLocale(null, undefined, 'kk-KZ,ru;q=0.9')).toBe('kk');
		expect(chooseLocale(null, undefined, null)).toBe('en');
		expect(chooseLocale(null, undefined, 'de-DE')).toBe('en');
	});
});

describe('fromAcceptLanguage', () => {
	it.each([
		['kk-KZ,ru;q=0.9', 'kk'],
		['de,fr;q=0.5', 'fr'],
		['ru;q=0.5,fr;q=0.8', 'fr'],
		['en;q=0.8, kk;q=0.8', 'en'],
		['FR-ca', 'fr'],
		['de-DE, ru ; q=0.7', 'ru']
	])('picks the best supported language of %j → %s', (header, expected) => {
		expect(fromAcceptLanguage(header)).toBe(expected);
	});

	it('ignores a language the browser marks with q=0', () => {
		expect(fromAcceptLanguage('kk;q=0,ru;q=0.1')).toBe('ru');
		expect(fromAcceptLanguage('fr;q=0')).toBeNull();
		expect(fromAcceptLanguage('fr;q=0.000')).toBeNull();
	});

	it.each(['', ';;;', ',,,', '*', 'q=1', 'fr;q=1.2.3', 'xx-YY;q=0.9, zz', '😀', 'kk'.repeat(5000), '\u0000\u0001'])(
		'finds no locale in the garbage header %j, so the request gets English',
		(header) => {
			expect(fromAcceptLanguage(header)).toBeNull();
			expect(chooseLocale(null, undefined, header)).toBe('en');
		}
	);
});

describe('isLocale', () => {
	it('accepts exactly en, fr, ru and kk', () => {
		expect(['en', 'fr', 'ru', 'kk'].every(isLocale)).toBe(true);
		expect([undefined, null, '', 'EN', 'kk-KZ', 'de', 42].some(isLocale)).toBe(false);
	});
});
