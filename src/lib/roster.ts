import { email } from './protocol/api';

/**
 * A roster as organizers have it: pasted from a spreadsheet or a mail client, or a CSV file. Each
 * line may hold one or more addresses separated by commas, semicolons, tabs or spaces, with names
 * and delegations around them ("Aigerim Bekova <aigerim@court.kz>", "Bekova;aigerim@court.kz;KZ"):
 * whatever holds an "@" is taken as an address, the rest is ignored. A line with no "@" at all is
 * reported (a typo must not silently drop a delegate), except a first line with commas, semicolons
 * or tabs: a CSV header.
 */
export type Roster = {
	/** Valid addresses, lower-cased, each once, in the order first seen. */
	emails: string[];
	/** What was not an address: bad addresses, and lines holding none, as written. */
	unreadable: string[];
};

const separators = /[\s,;<>"'()[\]]+/;

export function parseRoster(text: string): Roster {
	const emails: string[] = [];
	const unreadable: string[] = [];
	const seen = new Set<string>();
	const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim());
	const first = lines.findIndex((line) => line !== '');
	lines.forEach((line, index) => {
		if (line === '') return;
		const candidates = line
			.split(separators)
			.map((token) => token.replace(/^mailto:/i, ''))
			.filter((token) => token.includes('@'));
		if (candidates.length === 0) {
			if (index !== first || !/[,;\t]/.test(line)) unreadable.push(line);
			return;
		}
		for (const candidate of candidates) {
			const parsed = email.safeParse(candidate);
			if (!parsed.success) unreadable.push(candidate);
			else if (!seen.has(parsed.data)) {
				seen.add(parsed.data);
				emails.push(parsed.data);
			}
		}
	});
	return { emails, unreadable };
}
