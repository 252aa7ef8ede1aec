import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import { newUser } from '../helpers/client';
import { commentOn, selectPhrase, typeDocument } from '../helpers/editor-page';
import { createDocument, type Roster } from '../helpers/group';
import type { RunningServer } from '../helpers/server';

/** Someone new in the roster's group with `role`, and the UI in `locale`. */
async function joinGroup(server: RunningServer, roster: Roster, name: string, role: string, locale = 'en'): Promise<Awaited<ReturnType<typeof newUser>>> {
	const person = await newUser(server.url, name);
	expect((await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: person.user.email, role })).status).toBe(201);
	expect((await person.request('PUT', '/api/me/locale', { json: { locale } })).status).toBe(200);
	return person;
}

describe.runIf(browserAvailable())('comment boxes in Chromium: @name completion, and text refused on reconnect given back', () => {
	const world = browserWorld();
	const { pageAs, pageErrors } = world;
	const thread = (page: Page, text: string) => page.getByTestId('thread').filter({ hasText: text });
	const optionNames = (page: Page) => page.getByRole('listbox', { name: /./ }).getByRole('option').allTextContents().then((names) => names.map((n) => n.trim()));

	it('"@ai" offers Aigerim: arrows and Enter choose, Escape closes, a click chooses, and she sees the mention highlighted as hers', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Mentions by completion');
		const url = `${world.server.url}/documents/${documentId}`;
		const writer = await pageAs(world.roster.member);
		const mentioned = await pageAs(world.roster.moderator);
		await typeDocument(writer, url, 'Courts publish their schedules weekly.');
		await gotoReady(mentioned, url);
		await mentioned.locator('.ProseMirror', { hasText: 'schedules weekly' }).waitFor();

		await selectPhrase(writer, 'schedules weekly');
		await writer.getByTestId('comment-button').click();
		const box = writer.getByRole('combobox', { name: 'Write a comment…' });
		await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
		await writer.keyboard.type('Please @');
		const list = writer.getByRole('listbox', { name: 'People to mention' });
		await list.waitFor();
		// Everyone in the group but the writer, the event's organizer included.
		expect(await optionNames(writer)).toEqual(['Aigerim Bekova', 'Elena Petrova', 'Sophie Laurent', 'Бакыт Токтогулов', 'Ерлан Сұлтанов']);
		expect(await box.getAttribute('aria-expanded')).toBe('true');
		const activeOption = async () => (await writer.locator(`#${await box.getAttribute('aria-activedescendant')}`).textContent())?.trim();
		expect(await activeOption()).toBe('Aigerim Bekova');
		await writer.keyboard.press('ArrowDown');
		expect(await activeOption()).toBe('Elena Petrova');
		expect(await list.getByRole('option', { name: 'Elena Petrova' }).getAttribute('aria-selected')).toBe('true');
		await writer.keyboard.press('ArrowUp');
		await writer.keyboard.press('ArrowUp');
		expect(await activeOption()).toBe('Ерлан Сұлтанов');

		await writer.keyboard.type('ai');
		await expect.poll(() => optionNames(writer)).toEqual(['Aigerim Bekova']);
		expect(await activeOption()).toBe('Aigerim Bekova');
		await writer.screenshot({ path: artifactPath('50-mention-list-en.png') });
		await writer.keyboard.press('Enter');
		await expect.poll(() => box.inputValue()).toBe('Please @Aigerim Bekova ');
		expect(await box.getAttribute('aria-expanded')).toBe('false');
		expect(await box.getAttribute('aria-activedescendant')).toBeNull();
		expect(await list.isHidden()).toBe(true);

		// Escape closes the list and leaves the text as typed; a new "@" opens it again.
		await writer.keyboard.type('could you check? @so');
		await expect.poll(() => optionNames(writer)).toEqual(['Sophie Laurent']);
		await writer.keyboard.press('Escape');
		await expect.poll(() => box.getAttribute('aria-expanded')).toBe('false');
		await writer.keyboard.type('p');
		expect(await box.getAttribute('aria-expanded')).toBe('false');
		expect(await writer.getByTestId('new-comment').count()).toBe(1); // Escape closed the list, not the composer
		for (let i = 0; i < 4; i++) await writer.keyboard.press('Backspace');
		await writer.keyboard.type('cc @бак');
		await list.getByRole('option', { name: 'Бакыт Токтогулов' }).click();
		await expect.poll(() => box.inputValue()).toBe('Please @Aigerim Bekova could you check? cc @Бакыт Токтогулов ');
		await writer.getByRole('button', { name: 'Send' }).click();

		const seen = thread(mentioned, 'could you check?');
		await seen.locator('mark.mention.mine', { hasText: '@Aigerim Bekova' }).waitFor();
		await seen.getByText('Mentions you').waitFor();
		expect(await seen.locator('mark.mention').allTextContents()).toEqual(['@Aigerim Bekova', '@Бакыт Токтогулов']);

		// The edit box completes too: the writer adds the organizer with Tab.
		// Editing replaces the words with a text box: find the comment by its id, not its text.
		const commentId = await thread(writer, 'could you check?').getByTestId('comment').first().getAttribute('data-comment-id');
		const comment = writer.locator(`[data-comment-id="${commentId}"]`);
		await comment.getByRole('button', { name: 'Edit' }).click();
		const edit = comment.getByRole('combobox');
		await edit.press('End');
		await edit.pressSequentially(' and @ele');
		await expect.poll(() => optionNames(writer)).toEqual(['Elena Petrova']);
		await edit.press('Tab');
		await expect.poll(() => edit.inputValue()).toMatch(/and @Elena Petrova $/);
		await comment.getByRole('button', { name: 'Save' }).click();
		await expect.poll(() => seen.locator('mark.mention').allTextContents()).toEqual(['@Aigerim Bekova', '@Бакыт Токтогулов', '@Elena Petrova']);
		await mentioned.screenshot({ path: artifactPath('51-mention-highlighted.png') });
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('in Kazakh, "@айг" in the question box finds Айгерим and Tab inserts her name', async () => {
		const asker = await joinGroup(world.server, world.roster, 'Нұрлан Әбенов', 'participant', 'kk');
		const aigerim = await joinGroup(world.server, world.roster, 'Айгерим Сейтқали', 'participant');
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Kazakh sitting', agenda: [], documentIds: [] });
		const page = await pageAs(asker);
		await gotoReady(page, `${world.server.url}/sessions/${created.body.session.id}`);
		await page.locator('html[lang="kk"]').waitFor();
		const box = page.locator('#question-body');
		await box.click();
		await page.keyboard.type('Сұрақ @айг');
		await expect.poll(() => optionNames(page)).toEqual(['Айгерим Сейтқали']);
		await page.getByRole('listbox', { name: 'Атап өтуге болатын адамдар' }).waitFor();
		await page.getByTestId('questions').screenshot({ path: artifactPath('52-mention-list-kk.png') });
		await page.keyboard.press('Tab');
		await expect.poll(() => box.inputValue()).toBe('Сұрақ @Айгерим Сейтқали ');
		await page.getByTestId('ask').click();
		const question = page.getByTestId('question').filter({ hasText: 'Сұрақ' });
		await question.locator('mark.mention', { hasText: '@Айгерим Сейтқали' }).waitFor();
		const hers = await pageAs(aigerim);
		await gotoReady(hers, `${world.server.url}/sessions/${created.body.session.id}`);
		await hers.getByTestId('question').filter({ hasText: 'Сұрақ' }).locator('mark.mention.mine').waitFor();
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a comment written offline and refused on reconnect (the writer was made an observer) keeps its text: shown with the reason, kept across a reload, copied, and sent again once allowed', async () => {
		const writer = await joinGroup(world.server, world.roster, 'Арман Жоламанов', 'participant');
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Refused on reconnect');
		const url = `${world.server.url}/documents/${documentId}`;
		const owner = await pageAs(world.roster.member);
		await typeDocument(owner, url, 'Enforcement officers wear identification.');

		const page = await pageAs(writer);
		await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.server.url });
		// Socket.IO (comments) goes through a switch; the document's own WebSocket (Yjs) does not.
		let online = true;
		const open: WebSocketRoute[] = [];
		await page.context().routeWebSocket(/\/socket\.io\//, (ws) => {
			if (!online) return void ws.close();
			open.push(ws);
			ws.connectToServer();
		});
		await gotoReady(page, url);
		await page.locator('.ProseMirror', { hasText: 'wear identification' }).waitFor();
		await expect.poll(() => open.length).toBeGreaterThan(0);

		online = false;
		for (const ws of open.splice(0)) await ws.close();
		const text = 'Which identification exactly? A badge with a number, written offline.';
		await commentOn(page, 'wear identification', text);
		await page.getByTestId('unsent').getByText('Not yet sent').waitFor();

		const demoted = await world.roster.organizer.post(`/api/groups/${world.roster.groupId}/members`, { email: writer.user.email, role: 'observer' });
		expect(demoted.status).toBe(200);
		online = true;

		const refused = page.locator('[data-testid="unsent"].refused');
		await refused.getByRole('alert').filter({ hasText: 'Your role in this group no longer allows comments here.' }).waitFor({ timeout: 30_000 });
		// The reason is said once, with the text it concerns.
		expect(await page.getByTestId('comments').getByRole('alert').count()).toBe(1);
		const box = refused.getByRole('combobox');
		expect(await box.inputValue()).toBe(text);
		expect(await page.getByTestId('thread').count()).toBe(0);
		await page.screenshot({ path: artifactPath('53-comment-refused-on-reconnect.png'), fullPage: true });

		// A reload keeps it (it is never sent again by itself), and the copy button copies it.
		await page.reload();
		await page.locator('html[data-ready="true"]').waitFor();
		await expect.poll(() => refused.getByRole('combobox').inputValue()).toBe(text);
		await refused.getByRole('button', { name: 'Copy the text' }).click();
		await refused.getByRole('button', { name: 'Copied' }).waitFor();
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
		expect((await world.roster.member.get(`/api/documents/${documentId}/comments`)).body.comments).toEqual([]);

		// Allowed again, the writer changes the words and sends them: one comment, with the new words.
		expect((await world.roster.organizer.post(`/api/groups/${world.roster.groupId}/members`, { email: writer.user.email, role: 'participant' })).status).toBe(200);
		await refused.getByRole('combobox').fill('Which identification exactly? A badge with a number.');
		await refused.getByRole('button', { name: 'Send again' }).click();
		await thread(owner, 'A badge with a number.').waitFor();
		await expect.poll(() => page.getByTestId('unsent').count()).toBe(0);
		await expect.poll(() => owner.locator('.comment-highlight').allTextContents()).toEqual(['wear identification']);
		const comments = (await world.roster.member.get(`/api/documents/${documentId}/comments`)).body.comments;
		expect(comments.map((c: { body: string }) => c.body)).toEqual(['Which identification exactly? A badge with a number.']);
		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('a reply written offline to a thread deleted meanwhile is refused on reconnect and listed as not sent, until discarded on purpose', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Refused reply');
		const url = `${world.server.url}/documents/${documentId}`;
		const owner = await pageAs(world.roster.member);
		owner.on('dialog', (dialog) => void dialog.accept());
		await typeDocument(owner, url, 'Registries are kept for ten years.');
		await commentOn(owner, 'ten years', 'Why ten?');

		const page = await pageAs(world.roster.member2);
		let online = true;
		const open: WebSocketRoute[] = [];
		await page.context().routeWebSocket(/\/socket\.io\//, (ws) => {
			if (!online) return void ws.close();
			open.push(ws);
			ws.connectToServer();
		});
		await gotoReady(page, url);
		await thread(page, 'Why ten?').waitFor();
		await page.locator('.comment-highlight').click();
		online = false;
		for (const ws of open.splice(0)) await ws.close();
		await page.locator('.thread.active').getByRole('combobox').fill('Because the law says so.');
		await page.locator('.thread.active').getByRole('button', { name: 'Reply' }).click();
		await page.getByTestId('unsent').getByText('Not yet sent').waitFor();

		await thread(owner, 'Why ten?').getByRole('button', { name: 'Delete' }).click();
		await expect.poll(() => owner.getByTestId('thread').count()).toBe(0);
		online = true;

		const refused = page.locator('[data-testid="unsent"].refused');
		await refused.getByRole('alert').filter({ hasText: 'What it refers to is gone' }).waitFor({ timeout: 30_000 });
		await expect.poll(() => page.getByTestId('thread').count()).toBe(0);
		expect(await refused.getByRole('combobox').inputValue()).toBe('Because the law says so.');
		await page.screenshot({ path: artifactPath('54-reply-refused-thread-gone.png'), fullPage: true });

		// Discarding asks first: "Cancel" keeps the text, "OK" drops it for good (also after a reload).
		let answer: 'dismiss' | 'accept' = 'dismiss';
		const asked: string[] = [];
		page.on('dialog', (dialog) => {
			asked.push(dialog.message());
			void dialog[answer]();
		});
		await refused.getByRole('button', { name: 'Discard' }).click();
		await expect.poll(() => asked).toEqual(['Discard this text? It was not sent and will be lost.']);
		expect(await refused.getByRole('combobox').inputValue()).toBe('Because the law says so.');
		answer = 'accept';
		await refused.getByRole('button', { name: 'Discard' }).click();
		await expect.poll(() => page.getByTestId('unsent').count()).toBe(0);
		await page.reload();
		await page.locator('html[data-ready="true"]').waitFor();
		await page.getByText('No comments yet').waitFor();
		expect(await page.getByTestId('unsent').count()).toBe(0);
		expect(pageErrors).toEqual([]);
	}, 120_000);
});
