import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The global stylesheet is plain CSS, but the bundler accepts CSS nesting: a rule left unclosed
 * silently swallows every rule after it as nested selectors (once the vote panel lost all its
 * styles that way). Rules nest only inside at-rules here.
 */
describe('src/app.css', () => {
	const css = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'app.css'), 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');

	it('closes every block, and nests rules only inside at-rules (@media, @supports, …)', () => {
		const open: string[] = [];
		let prelude = '';
		const misplaced: string[] = [];
		for (const char of css) {
			if (char === '{') {
				const selector = prelude.trim();
				if (open.length && !open.at(-1)!.startsWith('@')) misplaced.push(`${selector} inside ${open.at(-1)}`);
				open.push(selector);
				prelude = '';
			} else if (char === '}') {
				expect(open.length, 'a "}" without its "{"').toBeGreaterThan(0);
				open.pop();
				prelude = '';
			} else if (char === ';') {
				prelude = '';
			} else {
				prelude += char;
			}
		}
		expect(misplaced).toEqual([]);
		expect(open).toEqual([]);
	});
});
