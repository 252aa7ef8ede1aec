import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import { openEditor } from '../helpers/collab';
import { createDocument } from '../helpers/group';
import { restartServer } from '../helpers/server';
import { backends } from '../helpers/services';

/** Whether the service worker holds a copy of the page at `url` (the page asks it to keep one). */
function hasOfflineCopy(page: Page, url: string): Promise<boolean> {
	return page.evaluate(async (address) => (await caches.match(address)) !== undefined, url);
}

/** The document's text as stored by the server (read by a fresh Yjs client, no browser copy). */
async function storedText(baseUrl: string, client: Parameters<typeof openEditor>[1], documentId: string): Promise<string> {
	const reader = openEditor(baseUrl, client, documentId);
	try {
		await new Promise<void>((resolve) => reader.provider.once('sync', () => resolve()));
		return reader.text();
	} finally {
		reader.destroy();
	}
}

for (const backend of backends()) {
	describe.runIf(browserAvailable())(`reopening a document with no network, in Chromium (${backend})`, () => {
		const world = browserWorld(backend);

		it('a document opened before reloads offline with its text, takes more typing, and everything reaches the server when the network returns', async () => {
			const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Recommendations on court fees');
			const url = `${world.server.url}/documents/${documentId}`;
			const page = await world.pageAs(world.roster.member);
			await gotoReady(page, url);
			await page.locator('.ProseMirror').click();
			await page.keyboard.type('Typed online. ');
			await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('All changes saved');
			await expect.poll(() => hasOfflineCopy(page, url), { timeout: 20_000 }).toBe(true);

			// The train enters a tunnel; the rapporteur reloads the page.
			await page.context().setOffline(true);
			await page.reload();
			await page.locator('html[data-ready="true"]').waitFor();
			await page.locator('.ProseMirror', { hasText: 'Typed online.' }).waitFor();
			await expect.poll(() => page.getByTestId('offline-copy').textContent()).toContain('Opened without a connection');
			// The sync line's own wording while offline is another change's (issue 11, "Offline within 2 s").
			await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/Offline|Reconnecting/);
			await page.locator('.ProseMirror').click();
			await page.keyboard.press('End');
			await page.keyboard.type('Typed offline after a reload — желі жоқ.');
			await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-local-pending'), { timeout: 15_000 }).toBe('false');
			await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('saved on this device');
			await page.screenshot({ path: artifactPath(`offline-reopened-${backend}.png`), fullPage: true });
			const whole = 'Typed online. Typed offline after a reload — желі жоқ.';

			// Out of the tunnel: the text reaches a colleague, the page drops its "opened offline" note.
			await page.context().setOffline(false);
			const colleague = await world.pageAs(world.roster.member2);
			await gotoReady(colleague, url);
			await colleague.locator('.ProseMirror', { hasText: whole }).waitFor({ timeout: 20_000 });
			await expect.poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toContain('All changes saved');
			await expect.poll(() => page.getByTestId('offline-copy').count(), { timeout: 20_000 }).toBe(0);

			// It is stored: a restarted server still has it.
			const restarted = await restartServer(world.server, 'SIGTERM');
			try {
				await expect.poll(() => storedText(restarted.url, world.roster.observer, documentId), { timeout: 20_000 }).toBe(whole);
			} finally {
				await restarted.stop();
			}
			expect(world.pageErrors).toEqual([]);
		}, 180_000);
	});
}

describe.runIf(browserAvailable())('the service worker’s caches, in Chromium', () => {
	const world = browserWorld();

	it('after a logout and another person’s login in the same browser, the first person’s copy is never shown offline', async () => {
		const documentId = await createDocument(world.roster.member, world.roster.groupId, 'Confidential draft');
		const url = `${world.server.url}/documents/${documentId}`;
		const page = await world.pageAs(world.roster.member);
		await gotoReady(page, url);
		await page.locator('.ProseMirror').waitFor();
		await expect.poll(() => hasOfflineCopy(page, url), { timeout: 20_000 }).toBe(true);

		await page.getByRole('button', { name: 'Log out' }).click();
		await page.waitForURL((address) => !address.pathname.startsWith('/documents/'));
		await gotoReady(page, `${world.server.url}/login`);
		await page.getByLabel('E-mail').fill(world.roster.member2.user.email);
		await page.getByLabel('Password').fill('correct horse battery');
		await page.locator('main').getByRole('button', { name: 'Log in' }).click();
		await page.getByTestId('current-user').filter({ hasText: world.roster.member2.user.name }).waitFor();
		expect(await hasOfflineCopy(page, url)).toBe(false);

		await page.context().setOffline(true);
		await expect(page.goto(url)).rejects.toThrow(/ERR_INTERNET_DISCONNECTED|ERR_FAILED/);
		expect(await page.getByText('Confidential draft').count()).toBe(0);
	}, 120_000);

	it('a new build takes over: the caches of an older build are deleted when its worker activates', async () => {
		const page = await world.pageAs(world.roster.member);
		// An older build's caches, left in the browser before this build's worker arrives.
		await page.context().route('**/service-worker.js', (route) => route.abort());
		await gotoReady(page, `${world.server.url}/login`);
		await page.evaluate(async () => {
			await (await caches.open('plenary-app-1700000000000')).put('/_app/old.js', new Response('old'));
			await (await caches.open('plenary-pages-1700000000000')).put('/documents/old', new Response('old'));
		});
		await page.context().unroute('**/service-worker.js');
		await gotoReady(page, world.server.url);
		await page.evaluate(() => navigator.serviceWorker.ready);
		await expect.poll(() => page.evaluate(() => caches.keys())).toEqual([expect.stringMatching(/^plenary-app-(?!1700000000000)/)]);
	}, 60_000);
});
