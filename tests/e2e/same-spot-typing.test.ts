import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import { createDocument } from '../helpers/group';
import { backends } from '../helpers/services';
import { caretAtEndOf, blockText, insertBlock, placeCaret, selectionText, type BlockKind, type CaretMethod } from '../helpers/editor';

/**
 * Issue 11, points 1 and 2: people who put their caret at the same place and type at the same
 * time each keep their sentence whole and in order, in every kind of block, and a remote edit never
 * moves anyone's caret or selection. Each trial appends a fresh block, places every caret at its end
 * (by click and End, by a mouse-drag selection and End, or by script), types one sentence per person
 * at 30 ms a key all at once, and checks that every editor shows the block as the seed followed by
 * the sentences one after the other, in some order; what was stored is read back after a restart.
 */
const kinds: BlockKind[] = ['paragraph', 'recommendation', 'heading', 'listItem'];
const methods: CaretMethod[] = ['click', 'drag', 'script'];
const trials = 20;

function orders<T>(items: T[]): T[][] {
	if (items.length <= 1) return [items];
	return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

for (const backend of backends()) {
	describe.runIf(browserAvailable())(`typing at the same spot (${backend})`, () => {
		const world = browserWorld(backend);

		for (const kind of kinds) {
			it(`two and three people typing at the end of one ${kind} each keep their sentence whole and in order, and it is stored so`, async () => {
				const { roster, server } = world;
				const documentId = await createDocument(roster.member, roster.groupId, `Same spot: ${kind}`);
				const people = [
					{ client: roster.member, say: (n: number) => ` Dilnoza adds ${n}.` },
					{ client: roster.member2, say: (n: number) => ` Бакыт қосады ${n}.` },
					{ client: roster.moderator, say: (n: number) => ` Aigerim agrees ${n}.` }
				];
				const pages: Page[] = [];
				for (const person of people) {
					const page = await world.pageAs(person.client);
					await gotoReady(page, `${server.url}/documents/${documentId}`);
					await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('All changes saved');
					pages.push(page);
				}
				const expected = new Map<number, string>();
				const failures: string[] = [];
				for (let n = 1; n <= trials; n++) {
					const typing = n % 4 === 0 ? pages : pages.slice(0, 2);
					const method = methods[n % methods.length]!;
					const seed = `T${n}:`;
					await insertBlock(pages[0]!, kind, seed);
					for (const page of pages) await expect.poll(() => blockText(page, kind, seed)).toBe(seed);
					for (const page of typing) {
						await placeCaret(page, kind, seed, method);
						await expect.poll(() => caretAtEndOf(page, seed), { message: `${method} put the caret at the end of ${seed}` }).toBe(true);
					}
					const sentences = typing.map((_, i) => people[i]!.say(n));
					await Promise.all(typing.map((page, i) => page.keyboard.type(sentences[i]!, { delay: 30 })));
					const whole = orders(sentences).map((order) => seed + order.join(''));
					// Every editor converges on the same text; it must be one of the whole orders.
					await expect
						.poll(async () => {
							const texts = await Promise.all(pages.map((page) => blockText(page, kind, seed)));
							return texts.every((text) => text === texts[0]) && texts[0]!.length >= whole[0]!.length;
						}, { timeout: 20_000 })
						.toBe(true);
					const text = (await blockText(pages[0]!, kind, seed))!;
					if (!whole.includes(text)) failures.push(`trial ${n} (${typing.length} people, ${method}): ${JSON.stringify(text)}`);
					expected.set(n, text);
				}
				await pages[0]!.screenshot({ path: artifactPath(`same-spot-${kind}-${backend}.png`), fullPage: true });
				expect(failures, failures.join('\n')).toEqual([]);

				// What everyone saw is what was stored: read back by a fresh page after a restart.
				for (const page of pages) await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('All changes saved');
				for (const page of pages) await page.context().close();
				await world.restart('SIGTERM');
				const reader = await world.pageAs(roster.observer);
				await gotoReady(reader, `${world.server.url}/documents/${documentId}`);
				await expect.poll(() => blockText(reader, kind, `T${trials}:`)).toBe(expected.get(trials));
				for (const [n, text] of expected) expect(await blockText(reader, kind, `T${n}:`)).toBe(text);
				await reader.context().close();
				expect(world.pageErrors).toEqual([]);
			}, 600_000);
		}

		for (const kind of ['paragraph', 'recommendation'] as const) {
			it(`in a ${kind}, another person typing earlier in it and right before my selected word leaves exactly that word selected, and my next key replaces only it`, async () => {
				const { roster, server } = world;
				const documentId = await createDocument(roster.member, roster.groupId, `Selection: ${kind}`);
				const mine = await world.pageAs(roster.member);
				const theirs = await world.pageAs(roster.member2);
				for (const page of [mine, theirs]) await gotoReady(page, `${server.url}/documents/${documentId}`);
				const seed = 'S1: courts shall publish every judgment';
				await insertBlock(mine, kind, seed);
				await expect.poll(() => blockText(theirs, kind, 'S1:')).toBe(seed);

				// I double-click "every"; they type at the start of the text and right before "every".
				await mine.getByText(seed).dblclick({ position: await wordPosition(mine, seed, 'every') });
				await expect.poll(() => selectionText(mine)).toBe('every');
				await placeCaret(theirs, kind, 'S1:', 'script', 'S1: '.length);
				await theirs.keyboard.type('Draft: ', { delay: 30 });
				await placeCaret(theirs, kind, 'S1:', 'script', 'S1: Draft: courts shall publish '.length);
				await theirs.keyboard.type('in full ', { delay: 30 });
				await expect.poll(() => blockText(mine, kind, 'S1:')).toBe('S1: Draft: courts shall publish in full every judgment');
				expect(await selectionText(mine)).toBe('every');

				// A remote edit right after my caret does not move it either.
				await mine.keyboard.type('each', { delay: 30 });
				await expect.poll(() => blockText(theirs, kind, 'S1:')).toBe('S1: Draft: courts shall publish in full each judgment');
				await placeCaret(theirs, kind, 'S1:', 'script', 'S1: Draft: courts shall publish in full each'.length);
				await theirs.keyboard.type(' final', { delay: 30 });
				await expect.poll(() => blockText(mine, kind, 'S1:')).toBe('S1: Draft: courts shall publish in full each final judgment');
				await mine.keyboard.type(' reasoned', { delay: 30 });
				await expect.poll(() => blockText(theirs, kind, 'S1:')).toBe('S1: Draft: courts shall publish in full each reasoned final judgment');
				await mine.screenshot({ path: artifactPath(`selection-kept-${kind}-${backend}.png`) });
				for (const page of [mine, theirs]) await page.context().close();
				expect(world.pageErrors).toEqual([]);
			}, 120_000);
		}
	});
}

/** Where `word` is inside the element showing `text`, relative to that element (for a click on it). */
async function wordPosition(page: Page, text: string, word: string): Promise<{ x: number; y: number }> {
	return page.evaluate(
		({ text, word }) => {
			const node = [...document.querySelectorAll('.ProseMirror p, .ProseMirror h2')]
				.flatMap((el) => [...el.childNodes])
				.find((child): child is Text => child instanceof Text && child.data.includes(text))!;
			const element = node.parentElement!;
			const start = text.indexOf(word);
			const range = document.createRange();
			range.setStart(node, start + 1);
			range.setEnd(node, start + 2);
			const rect = range.getBoundingClientRect();
			const box = element.getBoundingClientRect();
			return { x: rect.left - box.left + rect.width / 2, y: rect.top - box.top + rect.height / 2 };
		},
		{ text, word }
	);
}
