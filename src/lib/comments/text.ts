import type { Mention } from '../protocol/comments';

/** A piece of a comment body, rendered as a text node, a link or a highlighted mention (never as HTML). */
export type Segment =
	| { kind: 'text'; text: string }
	| { kind: 'link'; text: string; href: string }
	| { kind: 'mention'; text: string; userId: string; mine: boolean };

// A web address: http(s):// then anything up to a space; punctuation that usually ends a sentence is left out.
const linkPattern = /https?:\/\/[^\s<>"]+/giu;
const trailing = /[.,;:!?)\]}'»”]+$/u;

/** The http(s) links of a plain text, as [start, end) ranges with their target. */
export function findLinks(text: string): { start: number; end: number; href: string }[] {
	const found: { start: number; end: number; href: string }[] = [];
	for (const match of text.matchAll(linkPattern)) {
		let url = match[0];
		// Keep a closing bracket that closes one opened inside the address (Wikipedia style).
		const cut = url.match(trailing)?.[0] ?? '';
		if (cut) url = url.slice(0, url.length - cut.length);
		if (cut.startsWith(')') && url.includes('(') && !url.includes(')')) url += ')';
		try {
			const parsed = new URL(url);
			if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
			if (!parsed.hostname) continue;
		} catch {
			continue;
		}
		found.push({ start: match.index, end: match.index + url.length, href: url });
	}
	return found;
}

/**
 * A body split into text, links (http/https only) and mentions (`mine` when it names `me`). Mentions
 * come from the server (UTF-16 offsets into the body); a link overlapping a mention is dropped.
 */
export function splitBody(body: string, mentions: Mention[], me: string | null): Segment[] {
	const marks: ({ start: number; end: number } & ({ href: string } | { userId: string }))[] = [];
	for (const mention of mentions) {
		if (mention.start >= 0 && mention.end <= body.length && mention.start < mention.end) marks.push(mention);
	}
	for (const link of findLinks(body)) {
		if (!marks.some((mark) => link.start < mark.end && mark.start < link.end)) marks.push(link);
	}
	marks.sort((a, b) => a.start - b.start);
	const segments: Segment[] = [];
	let at = 0;
	for (const mark of marks) {
		if (mark.start < at) continue; // overlapping mentions: the first wins
		if (mark.start > at) segments.push({ kind: 'text', text: body.slice(at, mark.start) });
		const text = body.slice(mark.start, mark.end);
		if ('href' in mark) segments.push({ kind: 'link', text, href: mark.href });
		else segments.push({ kind: 'mention', text, userId: mark.userId, mine: mark.userId === me });
		at = mark.end;
	}
	if (at < body.length) segments.push({ kind: 'text', text: body.slice(at) });
	return segments;
}

/** Whether a comment mentions `me`. */
export const mentionsMe = (mentions: Mention[], me: string): boolean => mentions.some((mention) => mention.userId === me);
