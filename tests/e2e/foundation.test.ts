import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, gotoReady, launchChromium } from '../helpers/browser';
import { newUser } from '../helpers/client';
import { startServer, type RunningServer } from '../helpers/server';

const password = 'a long enough passphrase';

describe.runIf(browserAvailable())('an organizer sets up a seminar in Chromium', () => {
	let server: RunningServer;
	let browser: Browser;
	const consoleErrors: string[] = [];

	beforeAll(async () => {
		server = await startServer('pglite');
		browser = await launchChromium();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await server?.dispose();
	});

	async function newPage(locale = 'en-GB'): Promise<Page> {
		const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
		const page = await context.newPage();
		page.setDefaultTimeout(15_000);
		page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
		page.on('pageerror', (error) => consoleErrors.push(error.message));
		return page;
	}

	it('registers, creates an event and a group, adds a member, invites a newcomer who joins by the link, and switches to Russian', async () => {
		const colleague = await newUser(server.url, 'Dilnoza Karimova');
		const page = await newPage();

		await gotoReady(page, server.url + '/register');
		await page.getByLabel('Name').fill('Айгерім Бекова');
		await page.getByLabel('E-mail').fill('aigerim.e2e@example.org');
		await page.getByLabel('Password').fill('short');
		await page.getByRole('button', { name: 'Create account' }).last().click();
		// The browser's own minlength check stops the short password before it is sent.
		expect(await page.getByLabel('Password').evaluate((el) => (el as HTMLInputElement).validity.tooShort)).toBe(true);
		await page.getByLabel('Password').fill(password);
		await page.locator('main').getByRole('button', { name: 'Create account' }).click();
		await page.waitForURL(server.url + '/');
		await expect.poll(() => page.getByTestId('current-user').textContent()).toBe('Айгерім Бекова');
		await page.screenshot({ path: artifactPath('01-empty-dashboard.png') });

		await page.locator('main').getByRole('link', { name: 'New event' }).first().click();
		await page.getByLabel('Title').fill('Regional seminar on judicial reform');
		await page.getByLabel('First day').fill('2026-12-08');
		await page.getByLabel('Last day').fill('2026-12-09');
		await page.getByLabel('Venue').fill('Almaty');
		await page.getByLabel('Русский').check();
		await page.getByLabel('Қазақша').check();
		await page.getByRole('button', { name: 'Create event' }).click();
		await page.waitForURL(/\/events\/[0-9a-f-]{36}$/);
		await expect.poll(() => page.locator('h1').textContent()).toBe('Regional seminar on judicial reform');
		expect(await page.locator('.meta').first().textContent()).toMatch(/December 8\s*–\s*9, 2026/);

		await page.getByLabel('New working group').fill('Working group 1 — Independence of the judiciary');
		await page.getByRole('button', { name: 'Create group' }).click();
		const groupLink = page.getByRole('link', { name: 'Working group 1 — Independence of the judiciary' });
		await groupLink.waitFor();
		await page.screenshot({ path: artifactPath('02-event-with-group.png'), fullPage: true });
		await groupLink.click();
		await page.waitForURL(/\/groups\/[0-9a-f-]{36}$/);

		const addForm = page.locator('form.member-form');
		await addForm.getByLabel('E-mail').fill(colleague.user.email);
		await addForm.getByLabel('Role').selectOption('member');
		await addForm.getByLabel('Delegation').fill('Uzbekistan — Ministry of Justice');
		await addForm.getByRole('button', { name: 'Add', exact: true }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toContain('Dilnoza Karimova was added');
		await expect.poll(() => page.locator('tbody tr').count()).toBe(1);

		await addForm.getByLabel('E-mail').fill('newcomer@example.org');
		await addForm.getByLabel('Role').selectOption('participant');
		await addForm.getByLabel('Delegation').fill('Қазақстан — Жоғарғы Сот');
		await addForm.getByRole('button', { name: 'Add', exact: true }).click();
		const link = page.getByRole('status').getByRole('textbox');
		await link.waitFor();
		const invitationUrl = await link.inputValue();
		expect(invitationUrl).toMatch(/\/invite\/[a-z2-7]{32}$/);
		await page.screenshot({ path: artifactPath('03-group-invitation.png'), fullPage: true });

		// The newcomer opens the link in their own browser, registers, and lands in the group.
		const newcomer = await newPage('kk-KZ');
		await gotoReady(newcomer, invitationUrl);
		await expect.poll(() => newcomer.locator('html').getAttribute('lang')).toBe('kk');
		await newcomer.screenshot({ path: artifactPath('04-invitation-kk.png') });
		await newcomer.locator('main').getByRole('link', { name: 'Тіркелу' }).click();
		await newcomer.getByLabel('Аты-жөні').fill('Ерлан Сұлтанов');
		await newcomer.getByLabel('Электрондық пошта').fill('newcomer@example.org');
		await newcomer.getByLabel('Құпиясөз').fill(password);
		await newcomer.locator('main').getByRole('button', { name: 'Тіркелу' }).click();
		await newcomer.waitForURL(/\/invite\//);
		await newcomer.getByRole('button', { name: 'Қабылдап, қосылу' }).click();
		await newcomer.waitForURL(/\/groups\/[0-9a-f-]{36}$/);
		expect(await newcomer.locator('.meta .badge').textContent()).toBe('Қатысушы');
		await newcomer.screenshot({ path: artifactPath('05-newcomer-in-group-kk.png'), fullPage: true });

		// The organizer sees the newcomer in the list after a reload, with the Kazakh delegation.
		await page.reload();
		await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
		expect(await page.locator('tbody').textContent()).toContain('Ерлан Сұлтанов');

		// A link for anyone offers participant or observer only, and says anyone with it may join (AZ-65).
		const linkForm = page.locator('form.link-invitation-form');
		expect(await linkForm.getByLabel('Role').locator('option').allTextContents()).toEqual(['Participant', 'Observer']);
		await linkForm.getByRole('button', { name: 'Create link' }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toContain('Anyone who has it can join with the role “Participant”');
		expect(await page.getByRole('status').getByRole('textbox').inputValue()).toMatch(/\/invite\/[a-z2-7]{32}$/);
		expect(await page.locator('.invitation-list').textContent()).toContain('Link for anyone');

		await page.getByTestId('language-select').selectOption('ru');
		await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ru');
		await expect.poll(() => page.locator('#members-heading').textContent()).toContain('Состав');
		expect(await page.getByRole('link', { name: 'Мои мероприятия' }).first().isVisible()).toBe(true);
		await page.screenshot({ path: artifactPath('06-group-ru.png'), fullPage: true });

		// The choice belongs to the account: a fresh browser that logs in gets Russian.
		const elsewhere = await newPage('fr-FR');
		await gotoReady(elsewhere, server.url + '/login');
		expect(await elsewhere.locator('html').getAttribute('lang')).toBe('fr');
		await elsewhere.getByLabel('Adresse e-mail').fill('aigerim.e2e@example.org');
		await elsewhere.getByLabel('Mot de passe').fill(password);
		await elsewhere.locator('main').getByRole('button', { name: 'Se connecter' }).click();
		await elsewhere.waitForURL(server.url + '/');
		await expect.poll(() => elsewhere.locator('html').getAttribute('lang')).toBe('ru');
		expect(await elsewhere.locator('h1').textContent()).toBe('Мои мероприятия');
		await elsewhere.screenshot({ path: artifactPath('07-dashboard-ru.png'), fullPage: true });

		expect(consoleErrors).toEqual([]);
	}, 120_000);
});
