/** A group member who may be mentioned: whoever the server's mention parser knows (see src/lib/mentions.ts). */
export type Person = { id: string; name: string };

/** The "@…" being typed: `body.slice(start, end)` is replaced by the chosen mention; `query` is what follows "@". */
export type MentionQuery = { start: number; end: number; query: string };

// The same rule as the server's parser: an "@" right after a letter or digit (an e-mail) starts no mention.
const wordCharacter = /[\p{L}\p{N}_]/u;
const wordTail = /^[\p{L}\p{N}_]*/u;
/** Longer than any name plus some slack: beyond it an "@" far back is no longer being completed. */
const longestQuery = 80;

// Letters with no Unicode decomposition that people type as their plain neighbour: Kazakh letters
// on a Russian keyboard (ұ as у, қ as к …) and a few Latin ones (ł, ø, dotless ı of Kazakh Latin).
const plainLetter: Record<string, string> = {
	ә: 'а', ғ: 'г', қ: 'к', ң: 'н', ө: 'о', ұ: 'у', ү: 'у', һ: 'х', і: 'и',
	ı: 'i', ł: 'l', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ß: 'ss', æ: 'ae', œ: 'oe'
};
const foldable = new RegExp(`[${Object.keys(plainLetter).join('')}]`, 'gu');

/**
 * A name or query as compared for completion: without case and accents (é → e, й → и, ё → е), with
 * Kazakh letters as their Russian neighbours. Only for matching: the text inserted is the name as written.
 */
export function fold(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(foldable, (letter) => plainLetter[letter]!);
}

/**
 * The mention being typed at `caret` in `body`, or null: an "@" not preceded by a letter or digit,
 * then text up to the caret on the same line that does not start with a space. A name may hold
 * spaces ("@Aigerim Be"), so the query runs to the caret; the caller closes the list when nothing matches.
 */
export function mentionQuery(body: string, caret: number): MentionQuery | null {
	const start = body.lastIndexOf('@', caret - 1);
	if (start === -1 || caret - start - 1 > longestQuery) return null;
	if (start > 0 && wordCharacter.test(body[start - 1]!)) return null;
	const query = body.slice(start + 1, caret);
	if (/[\n\r@]/.test(query) || /^\s/u.test(query)) return null;
	// The rest of a word the caret is inside of belongs to the mention being replaced.
	const end = caret + (body.slice(caret).match(wordTail)?.[0].length ?? 0);
	return { start, end, query };
}

/**
 * The people whose name, or a word of it, begins with `query` (accent- and case-insensitive),
 * whole-name matches first, then by name; at most `limit`. An empty query lists everyone.
 */
export function matchPeople(people: Person[], query: string, limit = 8): Person[] {
	const wanted = fold(query);
	const ranked: { person: Person; rank: number }[] = [];
	for (const person of people) {
		const name = fold(person.name);
		if (name.startsWith(wanted)) ranked.push({ person, rank: 0 });
		else if (wordStarts(name).some((at) => name.startsWith(wanted, at))) ranked.push({ person, rank: 1 });
	}
	return ranked
		.sort((a, b) => a.rank - b.rank || a.person.name.localeCompare(b.person.name))
		.slice(0, limit)
		.map((entry) => entry.person);
}

function wordStarts(name: string): number[] {
	const starts: number[] = [];
	for (let at = 1; at < name.length; at++) if (!wordCharacter.test(name[at - 1]!) && wordCharacter.test(name[at]!)) starts.push(at);
	return starts;
}

/**
 * `body` with the typed "@…" replaced by "@" and the person's name exactly as the server's parser
 * recognises it, followed by a space unless one follows already (a name followed by a letter is no
 * mention); `caret` is where typing goes on, after that space.
 */
export function insertMention(body: string, at: MentionQuery, person: Person): { body: string; caret: number } {
	const rest = body.slice(at.end);
	const mention = `@${person.name}`;
	const spaced = /^\s/u.test(rest) ? mention : `${mention} `;
	const caret = at.start + mention.length + 1;
	return { body: body.slice(0, at.start) + spaced + rest, caret };
}
