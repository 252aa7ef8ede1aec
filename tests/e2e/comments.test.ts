import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, gotoReady, launchChromium, pageAs as openPageAs } from '../helpers/browser';
import type { ApiClient } from '../helpers/client';
import { createDocument, seedGroup, type Roster } from '../helpers/group';
import { startServer, type RunningServer } from '../helpers/server';

/** Selects `phrase` in the editor of `page` with the DOM selection (as a mouse drag would). */
async function selectPhrase(page: Page, phrase: string): Promise<void> {
	await page.evaluate((text) => {
		const root = document.querySelector('.ProseMirror')!;
		const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const at = node.textContent!.indexOf(text);
			if (at === -1) continue;
			const range = document.createRange();
			range.setStart(node, at);
			range.setEnd(node, at + text.length);
			const selection = document.getSelection()!;
			selection.removeAllRanges();
			selection.addRange(range);
			return;
		}
		throw new Error(`not found: ${text}`);
	}, phrase);
}

describe.runIf(browserAvailable())('comments and questions in Chromium', () => {
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

	it('a participant comments on a phrase while a member types before it: the highlight stays on the phrase on both pages', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Draft recommendations');
		const url = `${server.url}/documents/${documentId}`;
		const member = await pageAs(roster.member);
		const participant = await pageAs(roster.participant);
		for (const page of [member, participant]) {
			await gotoReady(page, url);
			await page.locator('.ProseMirror').waitFor();
		}
		await member.locator('.ProseMirror').click();
		await member.keyboard.type('Judges are appointed on objective criteria. See https://example.org/judges for details.');
		await participant.locator('.ProseMirror', { hasText: 'for details' }).waitFor();

		await selectPhrase(participant, 'objective criteria');
		await participant.getByTestId('comment-button').click();
		await participant.locator('#new-comment').fill('Which criteria? <b>not bold</b> https://example.org/criteria');
		// The member keeps typing before the phrase while the comment is written and sent.
		await member.keyboard.press('Control+Home');
		await member.keyboard.type('In every court, ');
		await participant.getByRole('button', { name: 'Send' }).click();

		for (const page of [participant, member]) {
			await expect.poll(() => page.locator('.comment-highlight').allTextContents()).toEqual(['objective criteria']);
			await page.getByTestId('thread').first().waitFor();
		}
		await member.keyboard.type('Nowadays ');
		await participant.locator('.ProseMirror', { hasText: 'In every court, Nowadays' }).waitFor();
		for (const page of [participant, member]) {
			await expect.poll(() => page.locator('.comment-highlight').allTextContents()).toEqual(['objective criteria']);
		}
		// Plain text: the tags are shown as typed, the link is an <a> to http(s) only.
		const body = member.getByTestId('thread').locator('.comment-body').first();
		expect(await body.textContent()).toContain('<b>not bold</b>');
		expect(await body.locator('b').count()).toBe(0);
		expect(await body.locator('a').getAttribute('href')).toBe('https://example.org/criteria');

		// Clicking the highlight focuses the thread; the member replies.
		await member.locator('.comment-highlight').click();
		await member.locator('.thread.active').waitFor();
		await member.locator('.thread.active textarea').fill('Objective and published ones.');
		await member.getByRole('button', { name: 'Reply' }).click();
		await participant.locator('.thread .reply', { hasText: 'Objective and published ones.' }).waitFor();
		await member.screenshot({ path: artifactPath('30-comments-member.png'), fullPage: true });
		await participant.screenshot({ path: artifactPath('31-comments-participant.png'), fullPage: true });

		// Narrow screens: the margin goes below the text.
		const narrow = await pageAs(roster.participant, 420);
		await gotoReady(narrow, url);
		await narrow.locator('.comment-highlight').waitFor();
		await narrow.screenshot({ path: artifactPath('32-comments-narrow.png'), fullPage: true });
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('the moderator hides a question and it disappears for the participant', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Questions draft');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Second sitting', agenda: [], documentIds: [documentId] });
		const url = `${server.url}/sessions/${created.body.session.id}`;
		const chair = await pageAs(roster.moderator);
		const participant = await pageAs(roster.participant);
		for (const page of [chair, participant]) await gotoReady(page, url);
		const projector = await pageAs(roster.moderator, 1600);
		await gotoReady(projector, `${url}/projector`);

		await participant.locator('#question-body').fill('May observers speak?');
		await participant.getByTestId('ask').click();
		await participant.locator('#question-body').fill('Off-topic remark');
		await participant.getByTestId('ask').click();
		await chair.getByTestId('question').filter({ hasText: 'May observers speak?' }).waitFor();
		await chair.getByTestId('question').filter({ hasText: 'Off-topic remark' }).waitFor();

		await chair.getByTestId('question').filter({ hasText: 'May observers speak?' }).locator('.upvote').click();
		await expect.poll(() => participant.getByTestId('question').filter({ hasText: 'May observers speak?' }).getByTestId('votes').textContent()).toBe('1');
		await chair.getByTestId('question').filter({ hasText: 'May observers speak?' }).getByRole('button', { name: 'Pin to projector' }).click();
		await projector.getByTestId('projector-question').filter({ hasText: 'May observers speak?' }).waitFor();

		await chair.getByTestId('question').filter({ hasText: 'Off-topic remark' }).getByRole('button', { name: 'Hide' }).click();
		await expect.poll(() => participant.getByTestId('question').allTextContents()).toEqual([expect.stringContaining('May observers speak?')]);
		await chair.getByTestId('question').filter({ hasText: 'Off-topic remark' }).locator('.badge', { hasText: 'Hidden' }).waitFor();

		// Pre-moderation: a new question waits, marked for its author, until approved.
		await chair.getByTestId('premoderation').check();
		await participant.locator('#question-body').fill('Waiting question');
		await participant.getByTestId('ask').click();
		await participant.getByTestId('question').filter({ hasText: 'Waiting for approval' }).waitFor();
		await chair.screenshot({ path: artifactPath('33-questions-moderator.png'), fullPage: true });
		await participant.screenshot({ path: artifactPath('34-questions-participant.png'), fullPage: true });
		await projector.screenshot({ path: artifactPath('35-projector-question.png') });
		expect(pageErrors).toEqual([]);
	}, 120_000);
});
