import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import type { ApiClient } from '../helpers/client';
import { seedLongNames, type LongWorld } from '../helpers/long-names';

/**
 * Issue 11, point 5: what a newcomer tripped over, measured in Chromium at a desktop (1440 px) and
 * a phone (390 px) width, in English and Kazakh, with every name as long as the server allows.
 */

type Overflow = { page: number; window: number; sticking: string[]; cut: string[]; beyond: string[] };

/**
 * How wide the page is against the window, which elements holding a long name stick out of the
 * window (a table may scroll inside its own box instead), and which are cut short without their
 * whole text on hover (a `title` on them or around them).
 */
function overflowOf(page: Page, marks: string[]): Promise<Overflow> {
	return page.evaluate((marks) => {
		const width = document.documentElement.clientWidth;
		const sticking: string[] = [];
		const cut: string[] = [];
		for (const element of document.querySelectorAll<HTMLElement>('body *')) {
			const own = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent ?? '').join('');
			if (!marks.some((mark) => own.includes(mark))) continue;
			const box = element.getBoundingClientRect();
			if (box.width === 0 || element.closest('.visually-hidden, .table-wrap, option')) continue;
			const describe = `${element.tagName.toLowerCase()}.${element.className} «${own.trim().slice(0, 24)}…»`;
			if (box.right > width + 1 || box.left < -1) sticking.push(describe);
			const clipped = getComputedStyle(element).overflowX !== 'visible' && (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1);
			if (clipped) {
				const titled = element.closest('[title]')?.getAttribute('title') ?? '';
				if (!titled.includes(own.trim())) cut.push(describe);
			}
		}
		// Whatever else reaches past the window (to say what widens a page that is too wide).
		const beyond = [...document.querySelectorAll<HTMLElement>('body *')]
			.filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-wrap, .visually-hidden'))
			.slice(0, 5)
			.map((element) => `${element.tagName.toLowerCase()}.${element.className} ${Math.round(element.getBoundingClientRect().right)}`);
		return { page: document.documentElement.scrollWidth, window: width, sticking, cut, beyond };
	}, marks);
}

describe.runIf(browserAvailable())('a newcomer with long names, on a desktop and a phone', () => {
	const world = browserWorld();
	let seminar: LongWorld;
	let marks: string[];

	beforeAll(async () => {
		seminar = await seedLongNames(world.server.url);
		marks = Object.values(seminar.names).map((name) => name.slice(0, 12));
	});
	afterAll(() => seminar?.editor.destroy());

	async function open(client: ApiClient, path: string, width: number): Promise<Page> {
		const page = await world.pageAs(client, width);
		await gotoReady(page, world.server.url + path);
		return page;
	}

	const pages = () =>
		[
			['dashboard', seminar.organizer, '/'],
			['event', seminar.organizer, `/events/${seminar.eventId}`],
			['group-organizer', seminar.organizer, `/groups/${seminar.groupId}`],
			['group-participant', seminar.participant, `/groups/${seminar.groupId}`],
			['document', seminar.member, `/documents/${seminar.documentId}`],
			['session-member', seminar.member, `/sessions/${seminar.sessionId}`],
			['session-moderator', seminar.moderator, `/sessions/${seminar.sessionId}`],
			['projector', seminar.moderator, `/sessions/${seminar.sessionId}/projector`],
			['account', seminar.member, '/account']
		] as const;

	it('on a phone the session room shows the vote before the text, the text before the agenda, and a one-row header', async () => {
		for (const client of [seminar.member]) expect((await client.put('/api/me/locale', { locale: 'en' })).status).toBe(200);
		const page = await open(seminar.member, `/sessions/${seminar.sessionId}`, 390);
		await page.getByTestId('vote-yes').waitFor();
		const top = (selector: string) => page.locator(selector).first().evaluate((element) => element.getBoundingClientRect().top + window.scrollY);
		const [vote, text, agenda] = [await top('[data-testid="vote-yes"]'), await top('.session-document'), await top('.agenda-panel')];
		expect(vote).toBeLessThan(text);
		expect(text).toBeLessThan(agenda);
		expect(vote).toBeLessThan(900);
		// One row: every item of the header sits on the same line, inside the window.
		const items = await page.locator('.site-nav > *').evaluateAll((elements) =>
			elements.filter((element) => element.getBoundingClientRect().width > 1 && element.getBoundingClientRect().height > 1).map((element) => ({ top: element.getBoundingClientRect().top, bottom: element.getBoundingClientRect().bottom, right: element.getBoundingClientRect().right }))
		);
		const firstBottom = Math.min(...items.map((item) => item.bottom));
		for (const item of items) expect(item.top).toBeLessThan(firstBottom);
		for (const item of items) expect(item.right).toBeLessThanOrEqual(390);
		// The people here: role and document with a space on both sides of the dot.
		await expect.poll(() => page.locator('.presence-list').textContent()).toMatch(/Member · /);
		await page.screenshot({ path: artifactPath('newcomer-session-phone-top.png') });
		await page.context().close();
	}, 60_000);

	it('the projector: its head never covers the first line of the text, its headings are larger than its text, on a desktop and a phone', async () => {
		for (const width of [1440, 390]) {
			const page = await open(seminar.moderator, `/sessions/${seminar.sessionId}/projector`, width);
			await page.locator('.ProseMirror h2', { hasText: 'Preamble' }).waitFor();
			await page.waitForTimeout(600); // the smooth scroll to the recommendation under discussion
			const measured = await page.evaluate(() => {
				const size = (element: Element | null) => parseFloat(getComputedStyle(element!).fontSize);
				const heading = document.querySelector('.ProseMirror h2')!;
				return {
					headBottom: document.querySelector('.projector-head')!.getBoundingClientRect().bottom,
					firstLine: heading.getBoundingClientRect().top,
					heading: size(heading),
					body: size(document.querySelector('.ProseMirror p')),
					page: document.documentElement.scrollWidth,
					window: document.documentElement.clientWidth
				};
			});
			expect(measured.headBottom, `${width} px`).toBeLessThanOrEqual(measured.firstLine);
			expect(measured.heading, `${width} px`).toBeGreaterThan(measured.body);
			expect(measured.page, `${width} px`).toBeLessThanOrEqual(measured.window);
			await page.screenshot({ path: artifactPath(`newcomer-projector-view-${width}.png`) });
			await page.context().close();
		}
	}, 60_000);

	for (const locale of ['en', 'kk'] as const) {
		for (const width of [1440, 390]) {
			it(`every page fits a ${width} px window in ${locale}: long names wrap or are shortened with the whole name on hover`, async () => {
				for (const client of [seminar.organizer, seminar.moderator, seminar.member, seminar.participant]) {
					expect((await client.put('/api/me/locale', { locale })).status).toBe(200);
				}
				const failures: Record<string, Overflow> = {};
				for (const [name, client, path] of pages()) {
					const page = await open(client, path, width);
					if (path.includes('/documents/') || path.includes('/sessions/')) await page.locator('.ProseMirror', { hasText: 'Judges are appointed' }).waitFor();
					await page.screenshot({ path: artifactPath(`newcomer-${name}-${width}-${locale}.png`), fullPage: true });
					const found = await overflowOf(page, marks);
					if (found.page > found.window || found.sticking.length || found.cut.length) failures[name] = found;
					await page.context().close();
				}
				expect(failures).toEqual({});
				expect(world.pageErrors).toEqual([]);
			}, 240_000);
		}
	}
});
