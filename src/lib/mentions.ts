import type { Mention } from './protocol/comments';

const wordCharacter = /[\p{L}\p{N}_]/u;

/**
 * The mentions in a comment body: "@" followed by the name of one of `people` (case-insensitive,
 * the longest name that fits wins, so "@Anna Maria" beats "@Anna"), where the "@" does not follow
 * a letter or digit (an e-mail address is no mention) and the name is not followed by one. The
 * server computes them when a comment is written; clients highlight `body.slice(start, end)`.
 */
export function findMentions(body: string, people: { id: string; name: string }[]): Mention[] {
	const candidates = people
		.map((person) => ({ id: person.id, name: person.name.toLowerCase() }))
		.filter((person) => person.name.length > 0)
		.sort((a, b) => b.name.length - a.name.length);
	const mentions: Mention[] = [];
	for (let at = body.indexOf('@'); at !== -1; at = body.indexOf('@', at + 1)) {
		if (at > 0 && wordCharacter.test(body[at - 1]!)) continue;
		const found = candidates.find((person) => {
			const end = at + 1 + person.name.length;
			if (body.slice(at + 1, end).toLowerCase() !== person.name) return false;
			return end === body.length || !wordCharacter.test(body[end]!);
		});
		if (!found) continue;
		const end = at + 1 + found.name.length;
		mentions.push({ userId: found.id, start: at, end });
		at = end - 1;
	}
	return mentions;
}
