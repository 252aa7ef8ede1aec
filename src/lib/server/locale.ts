import { locales, type Locale } from '../protocol/roles';

export const localeCookieName = 'PARAGLIDE_LOCALE';

/**
 * The UI language of a request: the logged-in user's saved choice, else the browser's cookie,
 * else the best match in `Accept-Language`, else English.
 */
export function chooseLocale(saved: Locale | null | undefined, cookie: string | undefined, acceptLanguage: string | null): Locale {
	if (saved) return saved;
	if (isLocale(cookie)) return cookie;
	return fromAcceptLanguage(acceptLanguage) ?? 'en';
}

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export function fromAcceptLanguage(header: string | null): Locale | null {
	if (!header) return null;
	const ranked = header
		.split(',')
		.map((part, index) => {
			const [tag = '', ...params] = part.trim().split(';');
			const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
			return { base: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), index };
		})
		.filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
		.sort((a, b) => b.q - a.q || a.index - b.index);
	return ranked.map((entry) => entry.base).find(isLocale) ?? null;
}
