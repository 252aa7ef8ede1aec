import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';

/** The countdown's reading in seconds ("1:05" → 65; "−0:03" → −3). */
async function reading(page: Page): Promise<number> {
	const text = (await page.getByTestId('countdown').textContent()) ?? '';
	const match = /(−?)(\d+):(\d\d)/.exec(text);
	if (!match) throw new Error(`no countdown in "${text}"`);
	return (match[1] ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** Both pages' countdowns read at the same moment: how far apart they are, in seconds. */
async function apart(a: Page, b: Page): Promise<number> {
	const [x, y] = await Promise.all([reading(a), reading(b)]);
	return Math.abs(x - y);
}

describe.runIf(browserAvailable())('the speaking timer keeps the server’s time, in Chromium', () => {
	const world = browserWorld();

	it('a page offline for ten seconds keeps counting, and after reconnecting shows what a page that stayed online shows (± 1 s)', async () => {
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Afternoon sitting' });
		const url = `${world.server.url}/sessions/${created.body.session.id}`;
		const chair = await world.pageAs(world.roster.moderator);
		const speaker = await world.pageAs(world.roster.participant);
		const away = await world.pageAs(world.roster.observer);
		const member = await world.pageAs(world.roster.member);
		for (const page of [chair, speaker, away, member]) await gotoReady(page, url);
		await chair.getByTestId('start-session').click();
		await speaker.getByTestId('raise-hand').click();
		await chair.getByTestId('speaker-list').locator('li').first().waitFor();
		await chair.getByTestId('next-speaker').click();
		for (const page of [chair, away]) await expect.poll(() => page.getByTestId('floor').textContent()).toContain('Ерлан Сұлтанов');
		await expect.poll(() => apart(chair, away)).toBeLessThanOrEqual(1);

		// The observer's network drops while the participant speaks; their timer goes on. Meanwhile
		// the session changes (a hand is raised): its snapshot reaches them only after the drop.
		await away.context().setOffline(true);
		const cut = await reading(away);
		await member.getByTestId('raise-hand').click();
		await chair.getByTestId('speaker-list').locator('li', { hasText: 'Dilnoza Karimova' }).waitFor();
		await expect.poll(() => reading(away), { timeout: 20_000 }).toBeGreaterThanOrEqual(cut + 5);
		await expect.poll(() => apart(chair, away)).toBeLessThanOrEqual(1);
		await away.waitForTimeout(5_000); // about ten seconds offline in all
		await away.context().setOffline(false);

		// Back online: the same reading as the chair's page, now and for the following seconds.
		await away.getByTestId('speaker-list').locator('li', { hasText: 'Dilnoza Karimova' }).waitFor({ timeout: 30_000 });
		await expect.poll(() => away.locator('.session-head .tone-warn').count(), { timeout: 30_000 }).toBe(0);
		for (let sample = 0; sample < 6; sample++) {
			expect(await apart(chair, away)).toBeLessThanOrEqual(1);
			await away.waitForTimeout(500);
		}
		await away.screenshot({ path: artifactPath('session-clock-after-offline.png'), fullPage: true });
		expect(world.pageErrors).toEqual([]);
	}, 120_000);
});
