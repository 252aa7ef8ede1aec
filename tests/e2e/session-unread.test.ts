import { describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import { commentOn, typeDocument } from '../helpers/editor-page';
import { createDocument } from '../helpers/group';

describe.runIf(browserAvailable())('unread comments in the session room, in Chromium', () => {
	const world = browserWorld();
	const { pageAs, pageErrors } = world;

	it('a comment on a document another member has not open counts on its tab at once; opening the tab clears it, also after a reload; the group page counts questions per session', async () => {
		const minutes = await createDocument(world.roster.member, world.roster.groupId, 'Minutes of the sitting', 'minutes');
		const fees = await createDocument(world.roster.member, world.roster.groupId, 'Draft on court fees');
		const created = await world.roster.moderator.post(`/api/groups/${world.roster.groupId}/sessions`, { title: 'Sitting on fees', agenda: [], documentIds: [minutes, fees] });
		const room = `${world.server.url}/sessions/${created.body.session.id}`;
		const writer = await pageAs(world.roster.member2);
		await typeDocument(writer, `${world.server.url}/documents/${fees}`, 'Court fees are waived for minors.');

		const reader = await pageAs(world.roster.member);
		await gotoReady(reader, room);
		const feesTab = reader.getByRole('tab', { name: /Draft on court fees/ });
		const badge = feesTab.getByTestId('unread');
		/** The number on the tab; its accessible name says "N unread". */
		const shown = async () => ((await badge.count()) ? badge.locator('[aria-hidden="true"]').textContent() : null);
		await reader.getByRole('tab', { name: /Minutes of the sitting/, selected: true }).waitFor();
		await reader.locator('.ProseMirror').waitFor();
		expect(await badge.count()).toBe(0);

		// Live: each comment counts within seconds (the counts are otherwise asked only every 15 s).
		await commentOn(writer, 'Court fees', 'Which fees exactly?');
		await expect.poll(shown, { timeout: 5000 }).toBe('1');
		await commentOn(writer, 'minors', 'And for pensioners?');
		await expect.poll(shown, { timeout: 5000 }).toBe('2');
		await reader.getByRole('tab', { name: /Draft on court fees.*2 unread/ }).waitFor();
		expect(await reader.getByRole('tab', { name: /Minutes of the sitting/ }).getByTestId('unread').count()).toBe(0);
		await reader.locator('.document-tabs').screenshot({ path: artifactPath('55-session-tab-unread.png') });

		// The writer's own room does not count their comments.
		const writerRoom = await pageAs(world.roster.member2);
		await gotoReady(writerRoom, room);
		await writerRoom.locator('.ProseMirror').waitFor();

		// A reload asks the server: still two.
		await reader.reload();
		await reader.locator('html[data-ready="true"]').waitFor();
		await expect.poll(shown).toBe('2');

		// Opening the tab reads them; going back to the first document leaves the tab without a badge.
		await feesTab.click();
		await reader.getByTestId('thread').filter({ hasText: 'And for pensioners?' }).waitFor();
		expect(await badge.count()).toBe(0);
		await reader.getByRole('tab', { name: /Minutes of the sitting/ }).click();
		await reader.getByRole('tab', { name: /Minutes of the sitting/, selected: true }).waitFor();
		expect(await badge.count()).toBe(0);
		expect(await writerRoom.getByRole('tab', { name: /Draft on court fees/ }).getByTestId('unread').count()).toBe(0);

		// After a reload the two are read; a third comment counts as the only unread one.
		await reader.reload();
		await reader.locator('html[data-ready="true"]').waitFor();
		await reader.locator('.ProseMirror').waitFor();
		await commentOn(writer, 'waived', 'Waived by whom?');
		await expect.poll(shown, { timeout: 5000 }).toBe('1');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(await shown()).toBe('1');

		// A question asked while the reader is away counts on the session in the group page until the room is opened.
		const group = `${world.server.url}/groups/${world.roster.groupId}`;
		await gotoReady(reader, group);
		await writerRoom.locator('#question-body').fill('Are fees waived on appeal?');
		await writerRoom.getByTestId('ask').click();
		await writerRoom.getByTestId('question').filter({ hasText: 'Are fees waived on appeal?' }).waitFor();
		const sessionRow = reader.locator('.document-list li', { hasText: 'Sitting on fees' });
		await gotoReady(reader, group);
		await sessionRow.getByTestId('unread').filter({ hasText: '1 unread' }).waitFor();
		await reader.screenshot({ path: artifactPath('56-group-session-unread.png'), fullPage: true });
		await sessionRow.getByRole('link', { name: 'Sitting on fees' }).click();
		await reader.getByTestId('question').filter({ hasText: 'Are fees waived on appeal?' }).waitFor();
		await expect
			.poll(
				async () => {
					await gotoReady(reader, group);
					await sessionRow.waitFor();
					await new Promise((resolve) => setTimeout(resolve, 500));
					return sessionRow.getByTestId('unread').count();
				},
				{ timeout: 15_000 }
			)
			.toBe(0);
		expect(pageErrors).toEqual([]);
	}, 150_000);
});
