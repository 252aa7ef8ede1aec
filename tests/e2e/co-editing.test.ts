import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, gotoReady, launchChromium, pageAs as openPageAs } from '../helpers/browser';
import type { ApiClient } from '../helpers/client';
import { createDocument, seedGroup, type Roster } from '../helpers/group';
import { restartServer, startServer, type RunningServer } from '../helpers/server';

describe.runIf(browserAvailable())('co-editing a document in Chromium', () => {
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

	const pageAs = (client: ApiClient): Promise<Page> => openPageAs(browser, server.url, client, pageErrors);

	it('two members see each other type and each other’s carets, a participant reads only, and a server restart loses nothing', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Draft recommendations');
		const a = await pageAs(roster.member);
		const b = await pageAs(roster.member2);
		const reader = await pageAs(roster.participant);
		for (const page of [a, b, reader]) {
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await page.locator('.ProseMirror').waitFor();
		}
		await expect.poll(() => a.getByTestId('sync-status').textContent()).toContain('All changes saved');

		await a.locator('.ProseMirror').click();
		await a.keyboard.type('Preamble agreed by the working group.');
		await a.keyboard.press('Enter');
		await a.getByRole('button', { name: 'Insert recommendation' }).click();
		await a.keyboard.type('Judges are appointed on objective criteria — Судьялар объективті өлшемдер негізінде тағайындалады.');
		await b.locator('.ProseMirror', { hasText: 'Судьялар объективті' }).waitFor();
		// "Recommendation N" is a CSS counter on this label (checked on the screenshots).
		expect(await b.locator('.recommendation-title').getAttribute('data-label')).toBe('Recommendation');
		expect(await b.locator('section[data-type="recommendation"]').getAttribute('data-id')).toMatch(/^[0-9a-f-]{36}$/);

		await b.locator('.ProseMirror p').first().click();
		await b.keyboard.press('End');
		await b.keyboard.type(' Amended in the room.');
		await a.locator('.ProseMirror', { hasText: 'Amended in the room.' }).waitFor();
		// Each sees the other's caret with the account's name.
		await a.locator('.collaboration-carets__label', { hasText: 'Бакыт Токтогулов' }).waitFor();
		await b.locator('.collaboration-carets__label', { hasText: 'Dilnoza Karimova' }).waitFor();
		await expect.poll(() => b.getByTestId('sync-status').textContent()).toContain('All changes saved');
		await a.screenshot({ path: artifactPath('10-coediting-member-a.png'), fullPage: true });
		await b.screenshot({ path: artifactPath('11-coediting-member-b.png'), fullPage: true });

		// The participant follows live but cannot type.
		await reader.locator('.ProseMirror', { hasText: 'Amended in the room.' }).waitFor();
		expect(await reader.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false');
		expect(await reader.getByTestId('readonly-banner').textContent()).toContain('cannot change it');
		await reader.locator('.ProseMirror').click();
		await reader.keyboard.type('participant tries to type');
		expect(await a.locator('.ProseMirror').textContent()).not.toContain('participant tries to type');
		await reader.screenshot({ path: artifactPath('12-coediting-participant.png'), fullPage: true });

		// The server restarts: pages reconnect by themselves and the text is intact.
		server = await restartServer(server, 'SIGTERM');
		await expect.poll(() => a.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('All changes saved');
		await a.keyboard.type(' Typed after the restart.');
		await b.locator('.ProseMirror', { hasText: 'Typed after the restart.' }).waitFor({ timeout: 20_000 });
		const fresh = await pageAs(roster.observer);
		await gotoReady(fresh, `${server.url}/documents/${documentId}`);
		await fresh.locator('.ProseMirror', { hasText: 'Typed after the restart.' }).waitFor();
		const text = await fresh.locator('.ProseMirror').textContent();
		expect(text).toContain('Preamble agreed by the working group. Amended in the room.');
		expect(text).toContain('Судьялар объективті өлшемдер негізінде тағайындалады.');
		await fresh.screenshot({ path: artifactPath('13-after-restart-observer.png'), fullPage: true });

		// A moderator locks the text: the members' editors turn read-only at once.
		const chair = await pageAs(roster.moderator);
		await gotoReady(chair, `${server.url}/documents/${documentId}`);
		await chair.getByTestId('lock-button').click();
		await expect.poll(() => a.getByTestId('readonly-banner').textContent()).toContain('Locked by Aigerim Bekova');
		expect(await a.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false');
		await a.screenshot({ path: artifactPath('14-locked-member.png'), fullPage: true });
		await chair.getByTestId('lock-button').click();
		await expect.poll(() => a.locator('.ProseMirror').getAttribute('contenteditable')).toBe('true');

		expect(pageErrors).toEqual([]);
	}, 120_000);

	it('text typed while the server is unreachable is kept in the browser, survives closing the tab, and reaches everyone later (FT-07b)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Offline minutes', 'minutes');
		const page = await pageAs(roster.member);
		await gotoReady(page, `${server.url}/documents/${documentId}`);
		await page.locator('.ProseMirror').click();
		await page.keyboard.type('Opening remarks. ');
		await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('All changes saved');

		// The venue Wi-Fi drops: the server is gone while the rapporteur keeps typing.
		const port = new URL(server.url).port;
		const database = { env: { DATA_DIR: server.env.DATA_DIR! }, dispose: server.dispose };
		await server.kill('SIGKILL');
		await page.keyboard.type('Written while offline — желі жоқ кезде жазылды.');
		await expect.poll(() => page.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('saved on this device');
		// Everything typed is committed in IndexedDB before the tab closes (a busy machine can take a while).
		await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-local-pending'), { timeout: 15_000 }).toBe('false');
		await page.screenshot({ path: artifactPath('15-offline-typing.png'), fullPage: true });
		const context = page.context();
		await page.close();

		server = await startServer('pglite', { env: { PORT: port }, database });
		// The rapporteur opens the document again later, in the same browser.
		const again = await context.newPage();
		await gotoReady(again, `${server.url}/documents/${documentId}`);
		await again.locator('.ProseMirror', { hasText: 'Written while offline — желі жоқ кезде жазылды.' }).waitFor();
		const colleague = await pageAs(roster.observer);
		await gotoReady(colleague, `${server.url}/documents/${documentId}`);
		await colleague.locator('.ProseMirror', { hasText: 'Opening remarks. Written while offline — желі жоқ кезде жазылды.' }).waitFor({ timeout: 15_000 });
		await colleague.screenshot({ path: artifactPath('16-offline-text-arrived.png'), fullPage: true });
	}, 120_000);

	it('a paste too large to send is kept in the page with a clear message, reaches nobody, and after undo the editor works again (BI-09)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Annex of judgments', 'notes');
		const writer = await pageAs(roster.member);
		const colleague = await pageAs(roster.member2);
		for (const page of [writer, colleague]) await gotoReady(page, `${server.url}/documents/${documentId}`);
		await writer.locator('.ProseMirror').click();
		await writer.keyboard.type('Annex follows. ');
		await colleague.locator('.ProseMirror', { hasText: 'Annex follows.' }).waitFor();

		// 1.5 MiB of text in one paste: one Yjs update over the 1 MiB frame limit.
		const paste = (text: string) =>
			writer.evaluate((content) => {
				const data = new DataTransfer();
				data.setData('text/plain', content);
				document.querySelector('.ProseMirror')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
			}, text);
		await paste('Judgment 1/2026. '.repeat(95_000));
		await expect.poll(() => writer.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('too large to send at once');
		expect((await writer.locator('.ProseMirror').textContent())!.length).toBeGreaterThan(1_500_000);
		await writer.screenshot({ path: artifactPath('17-paste-too-large.png') });
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(await colleague.locator('.ProseMirror').textContent()).toBe('Annex follows. ');

		// Undo, then paste a part: it goes through and the editor is saved again.
		await writer.keyboard.press('Control+z');
		await expect.poll(() => writer.locator('.ProseMirror').textContent().then((text) => text!.length)).toBeLessThan(100);
		await paste('Judgment 2/2026 in part. ');
		await colleague.locator('.ProseMirror', { hasText: 'Judgment 2/2026 in part.' }).waitFor({ timeout: 15_000 });
		await expect.poll(() => writer.getByTestId('sync-status').textContent(), { timeout: 15_000 }).toContain('All changes saved');
		expect(await colleague.locator('.ProseMirror').textContent()).not.toContain('Judgment 1/2026');
	}, 120_000);
});
