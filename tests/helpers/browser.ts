import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { ApiClient } from './client';
import { seedGroup, type Roster } from './group';
import { restartServer, startServer, type RunningServer } from './server';
import { inCi, type Backend } from './services';

/** Debian's Chromium, or null (then browser tests skip locally; in CI its absence fails the run). */
export function chromiumPath(): string | null {
	if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
	try {
		return execSync('command -v chromium', { encoding: 'utf8', shell: '/bin/sh' }).trim() || null;
	} catch {
		return null;
	}
}

export function browserAvailable(): boolean {
	if (chromiumPath()) return true;
	if (inCi) throw new Error('CI=true but Chromium is not installed (apt-get install -y chromium)');
	console.warn('[tests] Chromium not found: browser tests skipped (apt-get install chromium, or set CHROMIUM_PATH)');
	return false;
}

export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: chromiumPath()!,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run'
		]
	});
}

/** Opens a page and waits until the app is hydrated, so typed input is not lost to hydration. */
export async function gotoReady(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await page.locator('html[data-ready="true"]').waitFor();
}

/** Where screenshots go (kept by CI as artifacts). */
export function artifactPath(name: string): string {
	const dir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'e2e');
	mkdirSync(dir, { recursive: true });
	return join(dir, name);
}

/**
 * A page in a new browser context logged in as `client` (its cookies copied in), in English, with
 * uncaught page errors collected into `errors`.
 */
export async function pageAs(
	browser: Browser,
	baseUrl: string,
	client: { cookies: Map<string, string> },
	errors: string[],
	width = 1280
): Promise<Page> {
	const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB' });
	const { hostname } = new URL(baseUrl);
	await context.addCookies(
		[...client.cookies].map(([name, value]) => ({ name, value, domain: hostname, path: '/', httpOnly: name === 'plenary_session', sameSite: 'Lax' as const }))
	);
	const page = await context.newPage();
	page.setDefaultTimeout(20_000);
	page.on('pageerror', (error) => errors.push(error.message));
	// Anything the Content-Security-Policy blocked is a page error too: every browser test checks it.
	page.on('console', (message) => {
		if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
	});
	return page;
}

export type BrowserWorld = {
	readonly server: RunningServer;
	readonly roster: Roster;
	readonly browser: Browser;
	/** Uncaught errors of every page opened with `pageAs` (a test expects none). */
	readonly pageErrors: string[];
	/** A page logged in as `client`, 1440 px wide unless told. */
	pageAs(client: ApiClient, width?: number): Promise<Page>;
	/** Stops the server with `signal` and starts it again on the same port and database. */
	restart(signal?: NodeJS.Signals): Promise<void>;
};

/**
 * What a browser test file starts with: the production server on a fresh database (PGlite unless
 * told; see `backends()` to run a file on both), a group with one person of each role, and Chromium;
 * started before the file's tests (or the enclosing describe's), stopped after them.
 */
export function browserWorld(backend: Backend = 'pglite'): BrowserWorld {
	let server: RunningServer | undefined;
	let roster: Roster | undefined;
	let browser: Browser | undefined;
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
	return {
		get server() {
			return server!;
		},
		get roster() {
			return roster!;
		},
		get browser() {
			return browser!;
		},
		pageErrors,
		pageAs: (client, width = 1440) => pageAs(browser!, server!.url, client, pageErrors, width),
		restart: async (signal = 'SIGTERM') => {
			server = await restartServer(server!, signal);
		}
	};
}
