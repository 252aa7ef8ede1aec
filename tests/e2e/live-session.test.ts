import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import { openEditor } from '../helpers/collab';
import { createDocument } from '../helpers/group';

/** The number of the paragraph ("§ N. …") at the top of what the page shows of the text (below a sticky toolbar). */
function topParagraph(page: Page): Promise<number> {
	return page.evaluate(() => {
		// What the reader sees starts below the toolbar and below the projector's head (it stays on top).
		const covering = [document.querySelector('.editor-frame .toolbar'), ...document.querySelectorAll('[data-covers-top]')];
		const top = Math.max(0, ...covering.map((element) => element?.getBoundingClientRect().bottom ?? 0));
		for (const paragraph of document.querySelectorAll('.ProseMirror > p')) {
			if (paragraph.getBoundingClientRect().bottom > top) return Number(/§ (\d+)\./.exec(paragraph.textContent ?? '')?.[1] ?? -1);
		}
		return -1;
	});
}

/** Waits until the page stopped scrolling (smooth scrolling takes a moment) and answers where it is. */
async function settled(page: Page): Promise<number> {
	let last = NaN;
	for (;;) {
		await page.waitForTimeout(300);
		const now = await page.evaluate(() => window.scrollY);
		if (now === last) return topParagraph(page);
		last = now;
	}
}

describe.runIf(browserAvailable())('running a session in Chromium', () => {
	const world = browserWorld();
	const { pageAs, pageErrors } = world;

	it('a moderator and two participants: hands raised, the floor given, the countdown on every page, the projector follows, the minutes write themselves', async () => {
		const draft = await createDocument(world.roster.member, world.roster.groupId, 'Draft recommendations');
		const minutes = await createDocument(world.roster.member, world.roster.groupId, 'Minutes', 'minutes');
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, {
			title: 'First sitting',
			agenda: [{ title: 'Opening', plannedMinutes: 5 }, { title: 'Appointment of judges', plannedMinutes: 45 }],
			documentIds: [draft, minutes]
		});
		const sessionUrl = `${world.server.url}/sessions/${created.body.session.id}`;

		const chair = await pageAs(world.roster.moderator);
		const p1 = await pageAs(world.roster.participant);
		const p2 = await pageAs(world.roster.observer);
		const member = await pageAs(world.roster.member);
		const projector = await pageAs(world.roster.moderator, 1600);
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

		// The moderator calls a vote on the recommendation; a member votes; the participant and the
		// observer watch; the result reaches everyone and the server writes it into the text.
		await chair.getByTestId('call-vote-1').click();
		await expect.poll(() => projector.getByTestId('vote-open').textContent()).toMatch(/Vote on Recommendation 1.*Votes cast: 0/s);
		await expect.poll(() => p1.getByTestId('vote-open').textContent()).toContain('Members and moderators are voting.');
		expect(await p1.getByTestId('vote-yes').count()).toBe(0);
		expect(await p2.getByTestId('vote-yes').count()).toBe(0);
		await member.getByTestId('vote-yes').click();
		await expect.poll(() => member.getByTestId('vote-counted').count()).toBe(1);
		await expect.poll(() => chair.getByTestId('vote-count').textContent()).toBe('Votes cast: 1');
		await expect.poll(() => projector.getByTestId('vote-count').textContent()).toBe('Votes cast: 1');
		await member.screenshot({ path: artifactPath('24a-vote-member-voted.png'), fullPage: true });
		await projector.screenshot({ path: artifactPath('24b-vote-projector-open.png') });
		chair.once('dialog', (dialog) => void dialog.accept());
		await chair.getByTestId('vote-close').click();
		for (const page of [chair, p1, p2, member, projector]) {
			await expect.poll(() => page.getByTestId('vote-result').textContent()).toMatch(/Result for Recommendation 1.*Adopted.*Yes 1 · No 0 · Abstain 0/s);
		}
		for (const page of [member, p1, projector]) {
			await page.locator(".ProseMirror section[data-status='adopted']", { hasText: 'objective criteria' }).waitFor();
		}
		await expect.poll(() => member.locator('.recommendation-status').first().inputValue()).toBe('adopted');
		await chair.screenshot({ path: artifactPath('24c-vote-result-moderator.png'), fullPage: true });
		await p1.screenshot({ path: artifactPath('24d-vote-result-participant.png'), fullPage: true });
		await projector.screenshot({ path: artifactPath('24e-vote-result-projector.png') });

		// The minutes got the item's heading and the finished speaker's line, written by the server.
		await chair.getByRole('tab', { name: /Minutes/ }).click();
		await chair.locator('.ProseMirror', { hasText: 'Appointment of judges' }).waitFor();
		await expect.poll(() => chair.locator('.ProseMirror').textContent()).toMatch(/Dilnoza Karimova \(Member\) — \d+ s/);
		await chair.screenshot({ path: artifactPath('24-minutes-written.png'), fullPage: true });

		expect(pageErrors).toEqual([]);
	}, 150_000);

	it('a participant following the moderator is scrolled to where the moderator scrolled in a long document, and stops following after scrolling by hand', async () => {
		// A long text, written by a member's editor: paragraphs of different lengths, so that each
		// screen width wraps them differently.
		const long = await createDocument(world.roster.member, world.roster.groupId, 'Long draft');
		const writer = openEditor(world.server.url, world.roster.member, long);
		writer.doc.transact(() => {
			const fragment = writer.doc.getXmlFragment('default');
			for (let n = 1; n <= 90; n++) {
				const paragraph = new Y.XmlElement('paragraph');
				const words = n % 3 === 0 ? 'Judges are appointed and promoted on objective criteria, published in advance, by a body independent of the executive. '.repeat(3) : 'Hearings are public.';
				paragraph.insert(0, [new Y.XmlText(`§ ${n}. ${words}`)]);
				fragment.push([paragraph]);
			}
		});
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Second sitting', documentIds: [long] });
		const sessionUrl = `${world.server.url}/sessions/${created.body.session.id}`;

		const chair = await pageAs(world.roster.moderator);
		const participant = await pageAs(world.roster.participant, 1100);
		const projector = await pageAs(world.roster.moderator, 1600);
		await gotoReady(chair, sessionUrl);
		await gotoReady(participant, sessionUrl);
		await gotoReady(projector, `${sessionUrl}/projector`);
		await chair.getByTestId('start-session').click();
		await chair.getByRole('tab', { name: /Long draft/ }).click(); // shown to the room: the moderator's view leads
		await chair.getByTestId('room-follows').waitFor();
		for (const page of [chair, participant, projector]) await page.locator('.ProseMirror', { hasText: '§ 90.' }).waitFor();
		expect(await participant.getByLabel('Follow the moderator').isChecked()).toBe(true);

		// The moderator scrolls down with the mouse wheel: the participant and the projector go to the same paragraph.
		await chair.mouse.move(720, 600);
		await chair.mouse.wheel(0, 2600);
		const first = await settled(chair);
		expect(first).toBeGreaterThan(10);
		await expect.poll(() => topParagraph(participant)).toBeOneOf([first - 1, first, first + 1]);
		await expect.poll(() => topParagraph(projector)).toBeOneOf([first - 1, first, first + 1]);
		await chair.mouse.wheel(0, 1500);
		const second = await settled(chair);
		expect(second).toBeGreaterThan(first);
		await expect.poll(() => topParagraph(participant)).toBeOneOf([second - 1, second, second + 1]);
		await expect.poll(() => topParagraph(projector)).toBeOneOf([second - 1, second, second + 1]);
		// The projector's head (speaker, vote, what is discussed) stays on screen over the scrolled text.
		expect(await projector.locator('.projector-head').evaluate((head) => head.getBoundingClientRect().top)).toBe(0);
		await settled(participant);
		await chair.screenshot({ path: artifactPath('25-follow-moderator-chair.png') });
		await participant.screenshot({ path: artifactPath('26-follow-moderator-participant.png') });
		await projector.screenshot({ path: artifactPath('27-follow-moderator-projector.png') });

		// The participant scrolls by hand: they stop following, and "Follow again" is offered.
		await participant.mouse.move(560, 600);
		await participant.mouse.wheel(0, -1200);
		await participant.getByTestId('follow-again').waitFor();
		expect(await participant.getByLabel('Follow the moderator').isChecked()).toBe(false);
		const own = await settled(participant);
		expect(own).toBeLessThan(second - 1);
		await chair.mouse.wheel(0, 1500);
		const third = await settled(chair);
		expect(third).toBeGreaterThan(second);
		await expect.poll(() => topParagraph(projector)).toBeOneOf([third - 1, third, third + 1]);
		expect(await settled(participant)).toBe(own); // left alone
		await participant.screenshot({ path: artifactPath('28-follow-again-offered.png') });

		// "Follow again" takes them back to the moderator's place, and following goes on.
		await participant.getByRole('button', { name: 'Follow again' }).click();
		await expect.poll(() => topParagraph(participant)).toBeOneOf([third - 1, third, third + 1]);
		expect(await participant.getByTestId('follow-again').count()).toBe(0);
		expect(await participant.getByLabel('Follow the moderator').isChecked()).toBe(true);
		await chair.mouse.wheel(0, -2000);
		const back = await settled(chair);
		await expect.poll(() => topParagraph(participant)).toBeOneOf([back - 1, back, back + 1]);

		// The same in the other languages: the participant's offer to follow again, the moderator's note.
		for (const locale of ['fr', 'ru', 'kk']) {
			for (const page of [participant, chair]) {
				await page.getByTestId('language-select').selectOption(locale);
				await page.locator(`html[lang="${locale}"][data-ready="true"]`).waitFor();
			}
			await chair.locator('[data-testid="room-follows"]').waitFor();
			await participant.locator('.ProseMirror', { hasText: '§ 90.' }).waitFor();
			await expect.poll(() => topParagraph(participant)).toBeOneOf([back - 1, back, back + 1]); // following again after the reload
			await settled(participant);
			await participant.mouse.move(560, 600);
			await participant.mouse.wheel(0, 400);
			await participant.getByTestId('follow-again').waitFor();
			await settled(participant);
			await chair.screenshot({ path: artifactPath(`29-follow-moderator-chair-${locale}.png`) });
			await participant.screenshot({ path: artifactPath(`29-follow-again-${locale}.png`) });
		}

		writer.destroy();
		expect(pageErrors).toEqual([]);
	}, 180_000);
});
