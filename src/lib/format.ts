import { getLocale } from '$lib/paraglide/runtime';

// ICU data for Kazakh is thin (month names come out as "M12"), so Kazakh dates are spelled here.
const kazakhMonths = ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'];

/** "8–9 December 2026" in the reader's language; dates are calendar days (no time zone shift). */
export function formatDateRange(startsOn: string | null, endsOn: string | null): string | null {
	if (!startsOn) return null;
	const start = new Date(startsOn + 'T00:00:00Z');
	const end = endsOn && endsOn !== startsOn ? new Date(endsOn + 'T00:00:00Z') : null;
	if (getLocale() === 'kk') return kazakhRange(start, end);
	const format = new Intl.DateTimeFormat(getLocale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
	return end ? format.formatRange(start, end) : format.format(start);
}

function kazakhRange(start: Date, end: Date | null): string {
	const day = (d: Date) => `${d.getUTCDate()} ${kazakhMonths[d.getUTCMonth()]}`;
	if (!end) return `${start.getUTCFullYear()} жылғы ${day(start)}`;
	if (start.getUTCFullYear() !== end.getUTCFullYear()) {
		return `${start.getUTCFullYear()} жылғы ${day(start)} – ${end.getUTCFullYear()} жылғы ${day(end)}`;
	}
	const from = start.getUTCMonth() === end.getUTCMonth() ? String(start.getUTCDate()) : day(start);
	return `${start.getUTCFullYear()} жылғы ${from}–${day(end)}`;
}

// Working languages are shown in their own names, as on a conference's interpretation channels.
const endonyms: Record<string, string> = {
	en: 'English',
	fr: 'Français',
	ru: 'Русский',
	kk: 'Қазақша',
	ky: 'Кыргызча',
	uz: 'Oʻzbekcha',
	tg: 'Тоҷикӣ',
	tk: 'Türkmençe',
	mn: 'Монгол'
};

export function languageName(code: string): string {
	if (endonyms[code]) return endonyms[code];
	try {
		return new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
	} catch {
		return code;
	}
}
