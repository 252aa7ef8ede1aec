import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import type { ApiClient } from '../helpers/client';
import { commentOn, selectPhrase, typeDocument } from '../helpers/editor-page';
import { createDocument } from '../helpers/group';

/** Each open thread card beside the text, in the margin's order: its top and bottom, and the top of its words (viewport pixels; NaN when none). */
async function cardPlaces(page: Page): Promise<{ id: string; card: number; bottom: number; words: number }[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll<HTMLElement>('.threads.placed > [data-thread-id]')].map((card) => {
			const id = card.dataset.threadId!;
			const box = card.getBoundingClientRect();
			const words = document.querySelector(`.comment-highlight[data-comment-id="${CSS.escape(id)}"]`)?.getBoundingClientRect().top ?? NaN;
			return { id, card: box.top, bottom: box.bottom, words };
		})
	);
}

/**
 * What is wrong with the margin's cards, as sentences (none when right): in the order of their
 * words, each beside its words (3 px) or, when the card above still reaches there, just below it,
 * and no two overlapping.
 */
async function marginProblems(page: Page): Promise<string[]> {
	const places = await cardPlaces(page);
	if (!places.length) return ['no card beside the text'];
	const problems: string[] = [];
	places.forEach((place, i) => {
		const above = places[i - 1];
		if (Number.isNaN(place.words)) return void problems.push(`card ${i} has no highlighted words`);
		if (above && place.words < above.words - 1) problems.push(`card ${i} is out of document order`);
		if (above && place.card < above.bottom) problems.push(`card ${i} overlaps the card above`);
		const beside = Math.abs(place.card - place.words) <= 3;
		const pushed = !!above && place.card > place.words && Math.abs(place.card - (above.bottom + 8)) <= 3;
		if (!beside && !pushed) problems.push(`card ${i} is at ${Math.round(place.card)}, its words at ${Math.round(place.words)}`);
	});
	return problems;
}

describe.runIf(browserAvailable())('comments and questions in Chromium', () => {
	const world = browserWorld();
	const { pageAs, pageErrors } = world;

	it('a participant comments on a phrase while a member types before it: the highlight stays on the phrase on both pages', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Draft recommendations');
		const url = `${world.server.url}/documents/${documentId}`;
		const member = await pageAs(world.roster.member);
		const participant = await pageAs(world.roster.participant);
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
		const narrow = await pageAs(world.roster.participant, 420);
		await gotoReady(narrow, url);
		await narrow.locator('.comment-highlight').waitFor();
		await narrow.screenshot({ path: artifactPath('32-comments-narrow.png'), fullPage: true });
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('on a wide screen each card sits beside its words or just below the card above, follows them when a member types above, and comes to them when they are clicked', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'A long draft');
		const url = `${world.server.url}/documents/${documentId}`;
		const member = await pageAs(world.roster.member);
		await gotoReady(member, url);
		await member.locator('.ProseMirror').click();
		for (let i = 1; i <= 40; i++) {
			await member.keyboard.insertText(`Clause ${i} asks for matter ${i} to be heard.`);
			await member.keyboard.press('Enter');
		}
		await expect.poll(() => member.getByTestId('sync-status').textContent()).toContain('All changes saved');
		const participant = await pageAs(world.roster.participant);
		await gotoReady(participant, url);
		await participant.locator('.ProseMirror', { hasText: 'Clause 40 asks' }).waitFor();
		// Clauses 3 and 4 are one line apart: the second card cannot sit beside its words.
		const commented = [3, 4, 15, 27, 38];
		for (const i of commented) {
			await selectPhrase(participant, `matter ${i} to be`);
			await participant.getByTestId('comment-button').click();
			await participant.getByTestId('new-comment').locator('.quote', { hasText: `matter ${i} to be` }).waitFor();
			await participant.locator('#new-comment').fill(`Thread on clause ${i}.`);
			await participant.getByRole('button', { name: 'Send' }).click();
			await thread(participant, `Thread on clause ${i}.`).waitFor();
		}
		for (const i of commented) await thread(member, `Thread on clause ${i}.`).waitFor();
		const ids: Record<number, string> = {};
		for (const i of commented) ids[i] = (await thread(participant, `Thread on clause ${i}.`).getAttribute('data-thread-id'))!;

		for (const page of [participant, member]) {
			await expect.poll(() => marginProblems(page), { timeout: 15_000 }).toEqual([]);
			const places = await cardPlaces(page);
			expect(places.map((place) => place.id)).toEqual(commented.map((i) => ids[i]));
			expect(Math.abs(places[0]!.card - places[0]!.words)).toBeLessThanOrEqual(3);
			expect(places[1]!.card - places[1]!.words).toBeGreaterThan(10);
			for (const at of [2, 3, 4]) expect(Math.abs(places[at]!.card - places[at]!.words)).toBeLessThanOrEqual(3);
		}
		await participant.screenshot({ path: artifactPath('44-margin-aligned.png') });

		// Another member types five paragraphs at the top: the participant's cards move with their words.
		const before = (await cardPlaces(participant)).find((place) => place.id === ids[27])!;
		await member.locator('.ProseMirror').focus();
		await member.keyboard.press('Control+Home');
		for (let i = 1; i <= 5; i++) {
			await member.keyboard.insertText(`A new opening paragraph number ${i}.`);
			await member.keyboard.press('Enter');
		}
		await participant.locator('.ProseMirror', { hasText: 'opening paragraph number 5' }).waitFor();
		await expect
			.poll(async () => {
				const after = (await cardPlaces(participant)).find((place) => place.id === ids[27])!;
				return { wordsMoved: after.words - before.words > 100, cardMovedAlike: Math.abs(after.card - before.card - (after.words - before.words)) <= 2 };
			})
			.toEqual({ wordsMoved: true, cardMovedAlike: true });
		await expect.poll(() => marginProblems(participant)).toEqual([]);

		// A click on the words of the pushed card makes it the active one, exactly beside them; the card above moves up.
		await participant.locator(`.comment-highlight[data-comment-id="${ids[4]}"]`).click();
		await participant.locator(`.thread.active[data-thread-id="${ids[4]}"]`).waitFor();
		await expect
			.poll(async () => {
				const [third, fourth] = (await cardPlaces(participant)).slice(0, 2);
				return { exact: Math.abs(fourth!.card - fourth!.words) <= 3, above: third!.bottom <= fourth!.card - 7 };
			})
			.toEqual({ exact: true, above: true });
		await participant.screenshot({ path: artifactPath('45-margin-active.png') });

		// By keyboard: a card's button activates it, and the caret moved into commented words activates theirs.
		await thread(member, 'Thread on clause 38.').locator('.thread-focus').focus();
		await member.keyboard.press('Enter');
		await member.locator(`.thread.active[data-thread-id="${ids[38]}"]`).waitFor();
		await member.locator('.ProseMirror p', { hasText: 'Clause 15 asks' }).click({ position: { x: 2, y: 8 } });
		await member.keyboard.press('Home');
		for (let i = 0; i < 'Clause 15 asks for ma'.length; i++) await member.keyboard.press('ArrowRight');
		await member.locator(`.thread.active[data-thread-id="${ids[15]}"]`).waitFor();
		await expect.poll(() => marginProblems(member)).toEqual([]);

		// A narrow screen keeps a plain list below the text.
		const narrow = await pageAs(world.roster.participant, 420);
		await gotoReady(narrow, url);
		await narrow.getByTestId('thread').first().waitFor();
		const layout = await narrow.evaluate(() => ({
			positions: [...document.querySelectorAll('[data-testid="thread"]')].map((card) => getComputedStyle(card).position),
			below: document.querySelector('[data-testid="thread"]')!.getBoundingClientRect().top > document.querySelector('.editor-frame')!.getBoundingClientRect().bottom
		}));
		expect(layout).toEqual({ positions: commented.map(() => 'relative'), below: true });
		expect(pageErrors).toEqual([]);
	}, 180_000);

	it('the moderator hides a question and it disappears for the participant', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Questions draft');
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Second sitting', agenda: [], documentIds: [documentId] });
		const url = `${world.server.url}/sessions/${created.body.session.id}`;
		const chair = await pageAs(world.roster.moderator);
		const participant = await pageAs(world.roster.participant);
		for (const page of [chair, participant]) await gotoReady(page, url);
		const projector = await pageAs(world.roster.moderator, 1600);
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
	const thread = (page: Page, text: string) => page.getByTestId('thread').filter({ hasText: text });
	const countComments = async (client: ApiClient, documentId: string): Promise<number> => {
		const response = await client.get(`/api/documents/${documentId}/comments`);
		expect(response.status).toBe(200);
		return response.body.comments.length;
	};

	it('a comment written while the connection is down is kept, shown as not yet sent, survives a reload and is sent once when it is back', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Offline comments');
		const url = `${world.server.url}/documents/${documentId}`;
		const page = await pageAs(world.roster.member);
		// Socket.IO (comments) goes through a switch; the document's own WebSocket (Yjs) does not.
		let online = true;
		const open: WebSocketRoute[] = [];
		await page.context().routeWebSocket(/\/socket\.io\//, (ws) => {
			if (!online) return void ws.close();
			open.push(ws);
			ws.connectToServer();
		});
		await typeDocument(page, url, 'Court fees are waived for people on low incomes.');
		await expect.poll(() => open.length).toBeGreaterThan(0);
		await page.getByText('No comments yet.').waitFor();

		online = false;
		for (const ws of open.splice(0)) await ws.close();
		await commentOn(page, 'low incomes', 'Define low incomes — written offline.');
		const unsent = page.getByTestId('unsent').filter({ hasText: 'Define low incomes — written offline.' });
		await unsent.getByText('Not yet sent').waitFor();
		await page.screenshot({ path: artifactPath('36-comment-offline.png'), fullPage: true });

		await page.reload();
		await page.locator('html[data-ready="true"]').waitFor();
		await unsent.getByText('Not yet sent').waitFor();
		expect(await countComments(world.roster.member, documentId)).toBe(0);

		online = true;
		await thread(page, 'Define low incomes — written offline.').waitFor({ timeout: 30_000 });
		await expect.poll(() => page.getByTestId('unsent').count()).toBe(0);
		await expect.poll(() => page.locator('.comment-highlight').allTextContents()).toEqual(['low incomes']);
		expect(await countComments(world.roster.member, documentId)).toBe(1);
		// Nothing is left to send again: another reload, and a colleague, see the one comment.
		await page.reload();
		await thread(page, 'Define low incomes — written offline.').waitFor();
		const colleague = await pageAs(world.roster.member2);
		await gotoReady(colleague, url);
		await expect.poll(() => thread(colleague, 'Define low incomes').count()).toBe(1);
		expect(await page.getByTestId('unsent').count()).toBe(0);
		expect(await countComments(world.roster.member, documentId)).toBe(1);
		await page.screenshot({ path: artifactPath('37-comment-sent-after-reconnect.png'), fullPage: true });
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('the author edits, deletes, resolves and reopens, and a second page follows each change', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Thread life');
		const url = `${world.server.url}/documents/${documentId}`;
		const author = await pageAs(world.roster.participant);
		const other = await pageAs(world.roster.member);
		author.on('dialog', (dialog) => void dialog.accept());
		await typeDocument(other, url, 'Appeals are heard within thirty days. Hearings are public.');
		await gotoReady(author, url);
		await author.locator('.ProseMirror', { hasText: 'Hearings are public.' }).waitFor();

		await commentOn(author, 'thirty days', 'Too long?');
		await thread(other, 'Too long?').waitFor();
		await commentOn(author, 'public', 'Also online?');
		await thread(other, 'Also online?').waitFor();

		// Edit: the new words and "edited" on the other page.
		// Editing replaces the words with a text box: find the comment by its id, not its text.
		const firstId = await thread(author, 'Too long?').getByTestId('comment').first().getAttribute('data-comment-id');
		const first = author.locator(`[data-comment-id="${firstId}"]`);
		await first.getByRole('button', { name: 'Edit' }).click();
		await first.locator('textarea').fill('Is thirty days too long?');
		await first.getByRole('button', { name: 'Save' }).click();
		await thread(other, 'Is thirty days too long?').getByText('edited').waitFor();

		// A reply, then its deletion: gone on the other page; the thread's first comment deleted
		// while it has a reply stays as a placeholder.
		await author.locator('.comment-highlight', { hasText: 'thirty days' }).click();
		await author.locator('.thread.active textarea').fill('Fourteen would do.');
		await author.getByRole('button', { name: 'Reply' }).click();
		await thread(other, 'Is thirty days too long?').locator('.reply', { hasText: 'Fourteen would do.' }).waitFor();
		await thread(author, 'Is thirty days too long?').locator('.reply').getByRole('button', { name: 'Delete' }).click();
		await expect.poll(() => thread(other, 'Is thirty days too long?').locator('.reply').count()).toBe(0);
		await thread(author, 'Also online?').getByRole('button', { name: 'Delete' }).click();
		await expect.poll(() => thread(other, 'Also online?').count()).toBe(0);
		await expect.poll(() => other.locator('.comment-highlight').allTextContents()).toEqual(['thirty days']);

		// Resolve: the thread leaves the open list on the other page; reopen brings it back.
		await thread(author, 'Is thirty days too long?').getByRole('button', { name: 'Resolve' }).click();
		await other.getByRole('button', { name: 'Resolved threads (1)' }).waitFor();
		await expect.poll(() => other.getByTestId('thread').count()).toBe(0);
		expect(await other.getByText('No comments yet').count()).toBe(0);
		await other.getByRole('button', { name: 'Resolved threads (1)' }).click();
		await thread(other, 'Is thirty days too long?').and(other.locator('.resolved')).waitFor();
		await other.screenshot({ path: artifactPath('38-thread-resolved-other.png'), fullPage: true });
		await author.getByRole('button', { name: 'Resolved threads (1)' }).click();
		await thread(author, 'Is thirty days too long?').getByRole('button', { name: 'Reopen' }).click();
		await expect.poll(() => other.getByRole('button', { name: /Resolved threads/ }).count()).toBe(0);
		await thread(other, 'Is thirty days too long?').and(other.locator('.thread:not(.resolved)')).waitFor();
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a comment made while a member is away shows as unread on the group page; opening the document clears it', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Unread draft');
		const url = `${world.server.url}/documents/${documentId}`;
		const writer = await pageAs(world.roster.member2);
		await typeDocument(writer, url, 'Legal aid is free for minors.');
		await commentOn(writer, 'free for minors', 'And for pensioners?');
		await thread(writer, 'And for pensioners?').waitFor();

		const reader = await pageAs(world.roster.member);
		const group = `${world.server.url}/groups/${world.roster.groupId}`;
		await gotoReady(reader, group);
		const row = reader.locator('.document-list li', { hasText: 'Unread draft' });
		await row.getByTestId('unread').filter({ hasText: '1 unread' }).waitFor();
		await reader.screenshot({ path: artifactPath('39-group-unread.png'), fullPage: true });

		await row.getByRole('link', { name: 'Unread draft' }).click();
		await thread(reader, 'And for pensioners?').waitFor();
		await expect
			.poll(async () => {
				await gotoReady(reader, group);
				await reader.locator('.document-list li', { hasText: 'Unread draft' }).waitFor();
				await new Promise((resolve) => setTimeout(resolve, 500));
				return row.getByTestId('unread').count();
			}, { timeout: 15_000 })
			.toBe(0);
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a mention of a member is highlighted for that member, and a thread whose words were deleted is listed on deleted text', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Mentions and deletions');
		const url = `${world.server.url}/documents/${documentId}`;
		const member = await pageAs(world.roster.member);
		const participant = await pageAs(world.roster.participant);
		await typeDocument(member, url, 'Bailiffs report yearly. Obsolete clause to strike.');
		await gotoReady(participant, url);
		await participant.locator('.ProseMirror', { hasText: 'Obsolete clause' }).waitFor();

		await commentOn(participant, 'report yearly', '@Dilnoza Karimova can you check this?');
		const mentioned = thread(member, 'can you check this?');
		await mentioned.locator('mark.mention.mine', { hasText: '@Dilnoza Karimova' }).waitFor();
		await mentioned.getByText('Mentions you').waitFor();
		// The author sees the name marked as a mention, but not as theirs.
		await thread(participant, 'can you check this?').locator('mark.mention:not(.mine)', { hasText: '@Dilnoza Karimova' }).waitFor();
		expect(await thread(participant, 'can you check this?').getByText('Mentions you').count()).toBe(0);

		await commentOn(participant, 'Obsolete clause', 'Why keep it?');
		await thread(member, 'Why keep it?').waitFor();
		// The member deletes every commented word.
		await selectPhrase(member, 'Obsolete clause');
		await member.keyboard.press('Shift+End');
		await member.keyboard.press('Backspace');
		await member.locator('.ProseMirror', { hasText: 'Bailiffs report yearly.' }).waitFor();
		for (const page of [member, participant]) {
			await page.getByTestId('on-deleted').getByTestId('thread').filter({ hasText: 'Why keep it?' }).waitFor();
			await page.getByRole('heading', { name: 'On deleted text' }).waitFor();
			await expect.poll(() => page.locator('.comment-highlight').allTextContents()).toEqual(['report yearly']);
		}
		await member.screenshot({ path: artifactPath('40-mention-and-deleted-text.png'), fullPage: true });
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a member joins the paragraph of a commented phrase to the one before it (Backspace) and splits it again (Enter): the thread stays on its words for everyone, also after a reload', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Joined paragraphs');
		const url = `${world.server.url}/documents/${documentId}`;
		const member = await pageAs(world.roster.member);
		await gotoReady(member, url);
		await member.locator('.ProseMirror').click();
		await member.keyboard.type('Courts publish their judgments.');
		await member.keyboard.press('Enter');
		await member.keyboard.type('Hearings are public unless the law says otherwise.');
		await expect.poll(() => member.getByTestId('sync-status').textContent()).toContain('All changes saved');
		const participant = await pageAs(world.roster.participant);
		await gotoReady(participant, url);
		await participant.locator('.ProseMirror', { hasText: 'says otherwise' }).waitFor();
		await commentOn(participant, 'unless the law says otherwise', 'Which law?');
		await thread(member, 'Which law?').waitFor();
		const anchorNow = async () => (await world.roster.member.get(`/api/documents/${documentId}/comments`)).body.comments[0].anchor;
		const before = await anchorNow();

		// y-prosemirror deletes the second paragraph and inserts its text again into the first, so the
		// commented words are new ones: the member's editor moves the thread onto them.
		await member.locator('.ProseMirror p', { hasText: 'Hearings are public' }).click({ position: { x: 2, y: 8 } });
		await member.keyboard.press('Home');
		await member.keyboard.press('Backspace');
		for (const page of [member, participant]) {
			// One paragraph left (its text is not compared: the member's caret label sits inside it on the other page).
			await expect.poll(() => page.locator('.ProseMirror p').count()).toBe(1);
			await expect.poll(() => page.getByTestId('on-deleted').count()).toBe(0);
			await expect.poll(() => page.locator('.comment-highlight').allTextContents()).toEqual(['unless the law says otherwise']);
			await thread(page, 'Which law?').waitFor();
		}
		await expect.poll(anchorNow).not.toEqual(before);

		// Enter at the same place splits the paragraph again: the second half is re-created too.
		const afterJoin = await anchorNow();
		await member.keyboard.press('Enter');
		for (const page of [member, participant]) {
			await expect.poll(() => page.locator('.ProseMirror p').count()).toBe(2);
			await expect.poll(() => page.getByTestId('on-deleted').count()).toBe(0);
			await expect.poll(() => page.locator('.comment-highlight').allTextContents()).toEqual(['unless the law says otherwise']);
		}
		await expect.poll(anchorNow).not.toEqual(afterJoin);
		await participant.reload();
		await expect.poll(() => participant.locator('.comment-highlight').allTextContents()).toEqual(['unless the law says otherwise']);
		expect(await participant.getByTestId('on-deleted').count()).toBe(0);
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a question about a recommendation names it, and the questions sort by votes or by time', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Session recommendations');
		const writer = await pageAs(world.roster.member);
		await gotoReady(writer, `${world.server.url}/documents/${documentId}`);
		await writer.locator('.ProseMirror').click();
		await writer.getByRole('button', { name: 'Insert recommendation' }).click();
		await writer.keyboard.type('Publish every judgment online.');
		await expect.poll(() => writer.getByTestId('sync-status').textContent()).toContain('All changes saved');
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Third sitting', agenda: [], documentIds: [documentId] });
		const url = `${world.server.url}/sessions/${created.body.session.id}`;
		const participant = await pageAs(world.roster.participant);
		const observer = await pageAs(world.roster.member2);
		for (const page of [participant, observer]) await gotoReady(page, url);

		await participant.locator('#question-body').fill('Does this cover closed hearings?');
		await participant.getByRole('combobox', { name: 'About' }).selectOption({ label: 'Recommendation 1' });
		await participant.getByTestId('ask').click();
		const about = observer.getByTestId('question').filter({ hasText: 'Does this cover closed hearings?' });
		await expect.poll(() => about.locator('.question-about').textContent()).toBe('→ Recommendation 1');

		await participant.locator('#question-body').fill('Older question');
		await participant.getByRole('combobox', { name: 'About' }).selectOption({ label: 'The session in general' });
		await participant.getByTestId('ask').click();
		await observer.getByTestId('question').filter({ hasText: 'Older question' }).waitFor();
		await participant.locator('#question-body').fill('Newest question');
		await participant.getByTestId('ask').click();
		await observer.getByTestId('question').filter({ hasText: 'Newest question' }).waitFor();
		expect(await observer.getByTestId('question').filter({ hasText: 'Older question' }).locator('.question-about').count()).toBe(0);

		// Two votes for the older question, one for the first: by votes they lead, by time the newest does.
		for (const voter of [observer, participant]) await voter.getByTestId('question').filter({ hasText: 'Older question' }).locator('.upvote').click();
		await observer.getByTestId('question').filter({ hasText: 'Does this cover' }).locator('.upvote').click();
		const order = () => observer.getByTestId('question').locator('.comment-body').allTextContents();
		await expect.poll(order).toEqual(['Older question', 'Does this cover closed hearings?', 'Newest question']);
		await observer.getByRole('combobox', { name: 'Sort' }).selectOption('time');
		await expect.poll(order).toEqual(['Newest question', 'Older question', 'Does this cover closed hearings?']);
		await observer.screenshot({ path: artifactPath('41-questions-by-time.png'), fullPage: true });
		await observer.getByRole('combobox', { name: 'Sort' }).selectOption('votes');
		await expect.poll(order).toEqual(['Older question', 'Does this cover closed hearings?', 'Newest question']);
		expect(pageErrors).toEqual([]);
	}, 120_000);
	it('a reply to a question reaches another page under its question', async () => {
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Fourth sitting', agenda: [], documentIds: [] });
		const url = `${world.server.url}/sessions/${created.body.session.id}`;
		const asker = await pageAs(world.roster.participant);
		const answerer = await pageAs(world.roster.member);
		for (const page of [asker, answerer]) await gotoReady(page, url);
		await asker.locator('#question-body').fill('Is the hall wheelchair accessible?');
		await asker.getByTestId('ask').click();
		const question = (page: Page) => page.getByTestId('question').filter({ hasText: 'Is the hall wheelchair accessible?' });
		await question(answerer).getByTestId('reply-to-question').click();
		await question(answerer).locator('textarea').fill('Yes, by the east entrance.');
		await question(answerer).getByRole('button', { name: 'Reply' }).click();
		await question(asker).getByTestId('question-reply').filter({ hasText: 'Yes, by the east entrance.' }).waitFor();
		// A reply is no question of its own: still one question, with one vote button.
		expect(await asker.getByTestId('question').count()).toBe(1);
		expect(await asker.locator('.upvote').count()).toBe(1);
		await asker.screenshot({ path: artifactPath('42-question-reply.png'), fullPage: true });
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a comment or question the server refuses for good goes back into its box, with the reason', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Refusals');
		const page = await pageAs(world.roster.member);
		await typeDocument(page, `${world.server.url}/documents/${documentId}`, 'Notaries keep registers.');
		const refused = 'Ring the bell \u0007 please';
		await selectPhrase(page, 'keep registers');
		await page.getByTestId('comment-button').click();
		await page.locator('#new-comment').fill(refused);
		await page.getByRole('button', { name: 'Send' }).click();
		await page.getByTestId('comments').getByRole('alert').filter({ hasText: 'could not be sent as written' }).waitFor();
		expect(await page.locator('#new-comment').inputValue()).toBe(refused);
		expect(await page.getByTestId('unsent').count()).toBe(0);
		await page.screenshot({ path: artifactPath('43-comment-refused.png'), fullPage: true });

		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Fifth sitting', agenda: [], documentIds: [] });
		await gotoReady(page, `${world.server.url}/sessions/${created.body.session.id}`);
		await page.locator('#question-body').fill(refused);
		await page.getByTestId('ask').click();
		await page.getByTestId('questions').getByRole('alert').filter({ hasText: 'could not be sent as written' }).waitFor();
		await expect.poll(() => page.locator('#question-body').inputValue()).toBe(refused);
		expect(await page.getByTestId('question').count()).toBe(0);
		expect(pageErrors).toEqual([]);
	}, 120_000);
	it('a question over the rate limit waits as not yet sent and goes out by itself once the window has passed', async () => {
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Sixth sitting', agenda: [], documentIds: [] });
		const page = await pageAs(world.roster.member2);
		await gotoReady(page, `${world.server.url}/sessions/${created.body.session.id}`);
		for (let i = 1; i <= 6; i++) {
			await page.locator('#question-body').fill(`Quick question ${i}`);
			await page.getByTestId('ask').click();
			if (i < 6) await page.getByTestId('question').filter({ hasText: `Quick question ${i}` }).waitFor();
		}
		await page.getByTestId('unsent').filter({ hasText: 'Quick question 6' }).getByText('Not yet sent').waitFor();
		await page.getByTestId('question').filter({ hasText: 'Quick question 6' }).waitFor({ timeout: 25_000 });
		expect(await page.getByTestId('unsent').count()).toBe(0);
		expect(await page.getByTestId('question').count()).toBe(6);
		expect(pageErrors).toEqual([]);
	}, 120_000);
});
