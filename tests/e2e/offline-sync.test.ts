import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, gotoReady, launchChromium, pageAs as openPageAs } from '../helpers/browser';
import type { ApiClient } from '../helpers/client';
import { createDocument, seedGroup, type Roster } from '../helpers/group';
import { restartServer, startServer, type RunningServer } from '../helpers/server';
import { backends } from '../helpers/services';
import { memberWithRole } from '../helpers/world';

/**
 * What the editor says about the server's copy when the network goes (cut by the browser context)
 * and the server refuses text: never "saved" for text the server lacks, never a silent loss. Each
 * test reads the stored document back (Markdown export) after a server restart.
 */
for (const backend of backends()) {
	describe.runIf(browserAvailable())(`offline edits and refusals in Chromium on ${backend}`, () => {
		let server: RunningServer;
		let browser: Browser;
		let roster: Roster;
		const pageErrors: string[] = [];

		beforeAll(async () => {
			server = await startServer(backend);
			roster = await seedGroup(server.url);
			browser = await launchChromium();
		});
		afterAll(async () => {
			await browser?.close();
			await server?.stop();
			await server?.dispose();
		});

		const pageAs = (client: ApiClient, width = 1440): Promise<Page> => openPageAs(browser, server.url, client, pageErrors, width);
		const line = (page: Page) => page.getByTestId('sync-status').textContent();
		const editorText = (page: Page) => page.locator('.ProseMirror').textContent();
		/** The document as stored, read back after a restart of the server by a reader with no local copy. */
		const storedAfterRestart = async (documentId: string, expected: string): Promise<string> => {
			server = await restartServer(server, 'SIGTERM');
			const reader = await pageAs(roster.observer);
			await gotoReady(reader, `${server.url}/documents/${documentId}`);
			await reader.locator('.ProseMirror', { hasText: expected }).waitFor();
			const text = (await editorText(reader))!;
			await reader.context().close();
			return text;
		};
		const setRole = async (userId: string, role: string) => {
			const response = await roster.organizer.patch(`/api/groups/${roster.groupId}/members/${userId}`, { role });
			expect(response.status).toBe(200);
		};

		it('the line says Offline as soon as the network drops, never after it returns, and saved once the server has the text', async () => {
			const documentId = await createDocument(roster.member, roster.groupId, 'Flaky Wi-Fi');
			const page = await pageAs(roster.member);
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await page.locator('.ProseMirror').click();
			await page.keyboard.type('Said before the drop.');
			await expect.poll(() => line(page)).toContain('All changes saved');

			await page.context().setOffline(true);
			// y-websocket alone notices after 30 s of silence; the browser's event says it at once.
			await expect.poll(() => line(page), { timeout: 5000 }).toContain('Offline');
			await page.keyboard.type(' Typed with no network.');
			await expect.poll(() => line(page)).toContain('Offline');
			await page.evaluate(() => {
				const seen: string[] = [];
				(window as unknown as { linesSeen: string[] }).linesSeen = seen;
				const status = document.querySelector('[data-testid="sync-status"]')!;
				new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { subtree: true, childList: true, characterData: true });
			});
			await page.context().setOffline(false);
			await expect.poll(() => line(page), { timeout: 5000 }).toContain('All changes saved');
			const seen = await page.evaluate(() => (window as unknown as { linesSeen: string[] }).linesSeen);
			expect(seen.filter((text) => text.startsWith('Offline'))).toEqual([]);
			expect(await storedAfterRestart(documentId, 'Said before')).toContain('Said before the drop. Typed with no network.');
			expect(pageErrors).toEqual([]);
		}, 120_000);

		it('text typed offline by someone demoted meanwhile is shown as not accepted, kept across a reload, and sent by itself when the role is restored', async () => {
			const writer = await memberWithRole(server.url, roster.organizer, roster.groupId, 'member', 'Gulnara Abenova');
			const documentId = await createDocument(roster.member, roster.groupId, 'Demoted while offline');
			const page = await pageAs(writer);
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await page.locator('.ProseMirror').click();
			await page.keyboard.type('Accepted line.');
			await expect.poll(() => line(page)).toContain('All changes saved');

			await page.context().setOffline(true);
			await expect.poll(() => line(page)).toContain('Offline');
			await page.keyboard.press('Enter');
			await page.keyboard.type('Typed offline before the demotion — желі жоқ.');
			await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-local-pending')).toBe('false');
			await setRole(writer.user.id, 'participant');
			await page.context().setOffline(false);

			// Refused: out of the editor (which shows the server's text), into the panel, never "saved".
			const panel = page.getByTestId('refused-edits');
			await panel.waitFor();
			expect(await page.getByTestId('refused-text').inputValue()).toBe('Typed offline before the demotion — желі жоқ.');
			await expect.poll(() => editorText(page)).toBe('Accepted line.');
			await expect.poll(() => page.getByTestId('readonly-banner').textContent()).toContain('As Participant');
			expect(await line(page)).not.toContain('saved');
			await page.screenshot({ path: artifactPath('40-refused-after-demotion.png'), fullPage: true });

			// Kept across a reload.
			await page.reload();
			await page.locator('html[data-ready="true"]').waitFor();
			expect(await page.getByTestId('refused-text').inputValue()).toBe('Typed offline before the demotion — желі жоқ.');
			await expect.poll(() => page.getByTestId('readonly-banner').textContent()).toContain('As Participant');

			// The role comes back: the text is sent by itself, the panel goes, the line says saved.
			await setRole(writer.user.id, 'member');
			await expect.poll(() => editorText(page)).toContain('Typed offline before the demotion — желі жоқ.');
			await expect.poll(() => panel.count()).toBe(0);
			await expect.poll(() => line(page)).toContain('All changes saved');
			expect(await page.getByTestId('readonly-banner').count()).toBe(0);
			const stored = await storedAfterRestart(documentId, 'Accepted line.');
			expect(stored).toContain('Accepted line.');
			expect(stored).toContain('Typed offline before the demotion — желі жоқ.');
			expect(pageErrors).toEqual([]);
		}, 180_000);

		it('text typed offline into a document locked meanwhile waits for the lock, not under a green Live, and is sent when unlocked', async () => {
			const documentId = await createDocument(roster.member, roster.groupId, 'Locked while offline');
			const page = await pageAs(roster.member2);
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await page.locator('.ProseMirror').click();
			await page.keyboard.type('Before the lock.');
			await expect.poll(() => line(page)).toContain('All changes saved');

			await page.context().setOffline(true);
			await expect.poll(() => line(page)).toContain('Offline');
			await page.keyboard.type(' Typed offline, then locked.');
			expect((await roster.moderator.put(`/api/documents/${documentId}/lock`, { locked: true })).status).toBe(200);
			await page.context().setOffline(false);
			await expect.poll(() => line(page)).toContain('Not sent yet: the document is locked');
			expect(await editorText(page)).toContain('Typed offline, then locked.');
			await page.screenshot({ path: artifactPath('41-waiting-for-unlock.png'), fullPage: true });

			expect((await roster.moderator.put(`/api/documents/${documentId}/lock`, { locked: false })).status).toBe(200);
			await expect.poll(() => line(page)).toContain('All changes saved');
			expect(await storedAfterRestart(documentId, 'Before the lock.')).toContain('Before the lock. Typed offline, then locked.');
			expect(pageErrors).toEqual([]);
		}, 120_000);

		it('a copy reopened from IndexedDB with text the server lacks is not "saved" until the server has it', async () => {
			const documentId = await createDocument(roster.member, roster.groupId, 'Reopened offline copy');
			const page = await pageAs(roster.member);
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await page.locator('.ProseMirror').click();
			await page.keyboard.type('Online part.');
			await expect.poll(() => line(page)).toContain('All changes saved');
			await page.context().setOffline(true);
			await expect.poll(() => line(page)).toContain('Offline');
			await page.keyboard.type(' Offline part from an older tab.');
			await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-local-pending')).toBe('false');
			const context = page.context();
			await page.close();
			await context.setOffline(false);

			// The reopened tab (a new Yjs client id) cannot deliver: its edits are held back on the wire.
			let holdBack = true;
			await context.routeWebSocket(/\/collab\//, (socket) => {
				const upstream = socket.connectToServer();
				socket.onMessage((message) => {
					const bytes = typeof message === 'string' ? null : new Uint8Array(message);
					if (holdBack && bytes && bytes[0] === 0 && bytes[1] !== 0) return; // sync step 2 and updates
					upstream.send(message);
				});
			});
			const again = await context.newPage();
			await gotoReady(again, `${server.url}/documents/${documentId}`);
			await again.locator('.ProseMirror', { hasText: 'Offline part from an older tab.' }).waitFor();
			await expect.poll(() => line(again)).toContain('Saving');
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect(await line(again)).not.toContain('All changes saved');

			// Delivered after the next reconnect: saved, and stored.
			holdBack = false;
			await context.setOffline(true);
			await expect.poll(() => line(again)).toContain('Offline');
			await context.setOffline(false);
			await expect.poll(() => line(again)).toContain('All changes saved');
			expect(await storedAfterRestart(documentId, 'Online part.')).toContain('Online part. Offline part from an older tab.');
			expect(pageErrors).toEqual([]);
		}, 120_000);

		it('a sync step 2 over 1 MiB after a long offline spell is delivered in pieces', async () => {
			const documentId = await createDocument(roster.member, roster.groupId, 'Long offline spell', 'notes');
			const page = await pageAs(roster.member);
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await page.locator('.ProseMirror').click();
			await page.keyboard.type('Annex: ');
			await expect.poll(() => line(page)).toContain('All changes saved');
			await page.context().setOffline(true);
			await expect.poll(() => line(page)).toContain('Offline');
			for (let part = 1; part <= 3; part++) {
				await page.evaluate((content) => {
					const data = new DataTransfer();
					data.setData('text/plain', content);
					document.querySelector('.ProseMirror')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
				}, `Part ${part} of the annex. `.repeat(20_000));
			}
			await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-local-pending'), { timeout: 20_000 }).toBe('false');
			await page.context().setOffline(false);
			await expect.poll(() => line(page), { timeout: 30_000 }).toContain('All changes saved');
			expect(await page.getByRole('alert').count()).toBe(0);
			const stored = await storedAfterRestart(documentId, 'Annex: ');
			expect(stored).toContain('Annex: Part 1 of the annex.');
			expect(stored.split('Part 3 of the annex.').length - 1).toBe(20_000);
			expect(pageErrors).toEqual([]);
		}, 180_000);
	});
}
