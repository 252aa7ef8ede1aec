import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, gotoReady, launchChromium, pageAs as openPageAs } from '../helpers/browser';
import type { ApiClient } from '../helpers/client';
import { createDocument, seedGroup, type Roster } from '../helpers/group';
import { startServer, type RunningServer } from '../helpers/server';

describe.runIf(browserAvailable())('running a session in Chromium', () => {
	let server: RunningServer;
	let browser: Browser;
	let roster: Roster;
	const pageErrors: string[] = [];

	beforeAll(async () => {
		server = await startServer('pglite');
		roster = await seedGroup(server.url);
		browser = await launchChromium();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await server?.dispose();
	});

	const pageAs = (client: ApiClient, width = 1440): Promise<Page> => openPageAs(browser, server.url, client, pageErrors, width);

	it('a moderator and two participants: hands raised, the floor given, the countdown on every page, the projector follows, the minutes write themselves', async () => {
		const draft = await createDocument(roster.member, roster.groupId, 'Draft recommendations');
		const minutes = await createDocument(roster.member, roster.groupId, 'Minutes', 'minutes');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, {
			title: 'First sitting',
			agenda: [{ title: 'Opening', plannedMinutes: 5 }, { title: 'Appointment of judges', plannedMinutes: 45 }],
			documentIds: [draft, minutes]
		});
		const sessionUrl = `${server.url}/sessions/${created.body.session.id}`;

		const chair = await pageAs(roster.moderator);
		const p1 = await pageAs(roster.participant);
		const p2 = await pageAs(roster.observer);
		const member = await pageAs(roster.member);
		const projector = await pageAs(roster.moderator, 1600);
		for (const page of [chair, p1, p2, member]) await gotoReady(page, sessionUrl);
		await gotoReady(projector, `${sessionUrl}/projector`);

		await chair.getByTestId('start-session').click();
		await chair.getByRole('button', { name: 'Appointment of judges' }).click();
		for (const page of [p1, member, projector]) {
			await expect.poll(() => page.locator('h1').first().textContent().then((t) => t ?? '')).toMatch(/First sitting|Appointment of judges/);
		}
		await expect.poll(() => projector.locator('.projector-head h1').textContent()).toBe('Appointment of judges');
		await expect.poll(() => p1.getByTestId('session-status').textContent()).toBe('In session');

		// An observer may not ask for the floor; a participant and a member may.
		expect(await p2.getByTestId('raise-hand').count()).toBe(0);
		await p1.getByTestId('raise-hand').click();
		await member.getByLabel('Point of order').check();
		await member.getByTestId('raise-hand').click();
		await expect.poll(() => chair.getByTestId('speaker-list').locator('li').allTextContents()).toEqual([
			expect.stringContaining('Dilnoza Karimova'),
			expect.stringContaining('Ерлан Сұлтанов')
		]);

		await chair.getByTitle('Speaking time limit').selectOption('120');
		await chair.getByTestId('next-speaker').click();
		for (const page of [chair, p1, p2]) {
			await expect.poll(() => page.getByTestId('floor').textContent()).toContain('Dilnoza Karimova');
			await expect.poll(() => page.getByTestId('countdown').textContent()).toMatch(/1:5\d/);
		}
		await expect.poll(() => projector.locator('.projector-speaker').textContent()).toBe('Dilnoza Karimova');
		await expect.poll(() => projector.locator('.projector-next').textContent()).toContain('Ерлан Сұлтанов');

		// The moderator shows a recommendation to the room: the projector marks it.
		await chair.getByRole('tab', { name: /Draft recommendations/ }).click();
		await chair.locator('.ProseMirror').click();
		await chair.getByRole('button', { name: 'Insert recommendation' }).click();
		await chair.keyboard.type('Judges are appointed on objective criteria.');
		await chair.locator('.recommendation-picks button').first().click();
		await projector.locator('.ProseMirror section.under-discussion', { hasText: 'objective criteria' }).waitFor();
		await expect.poll(() => projector.locator('.projector-focus').textContent()).toBe('Recommendation 1');

		await chair.waitForTimeout(1100); // let the first speaker speak for a second
		await chair.getByTestId('next-speaker').click();
		await expect.poll(() => p1.getByTestId('floor').textContent()).toContain('Ерлан Сұлтанов');
		await chair.screenshot({ path: artifactPath('20-session-moderator.png'), fullPage: true });
		await p1.screenshot({ path: artifactPath('21-session-participant-speaking.png'), fullPage: true });
		await p2.screenshot({ path: artifactPath('22-session-observer.png'), fullPage: true });
		await projector.screenshot({ path: artifactPath('23-projector.png') });

		// The minutes got the item's heading and the finished speaker's line, written by the server.
		await chair.getByRole('tab', { name: /Minutes/ }).click();
		await chair.locator('.ProseMirror', { hasText: 'Appointment of judges' }).waitFor();
		await expect.poll(() => chair.locator('.ProseMirror').textContent()).toMatch(/Dilnoza Karimova \(Member\) — \d+ s/);
		await chair.screenshot({ path: artifactPath('24-minutes-written.png'), fullPage: true });

		expect(pageErrors).toEqual([]);
	}, 150_000);
});
