import { describe, expect, it } from 'vitest';
import { browserAvailable, browserWorld, gotoReady } from '../helpers/browser';
import { createDocument } from '../helpers/group';
import { blockText, insertBlock } from '../helpers/editor';

/**
 * Issue 12, point 7: every answer carries the security headers and pages a Content-Security-Policy
 * that lets only our own scripts run (SvelteKit's start-up script by its nonce) and no other site
 * frame them; the editor, the collab socket, Socket.IO and the service worker keep working under it
 * (`pageAs` counts any blocked resource as a page error, so every browser test checks that too).
 */
describe.runIf(browserAvailable())('security headers and the Content-Security-Policy', () => {
	const world = browserWorld();

	it('pages, the API and error answers carry nosniff, DENY framing and a referrer policy; pages a nonce-based CSP (AZ-69)', async () => {
		const { server, roster } = world;
		const answers = await Promise.all([
			fetch(`${server.url}/login`),
			fetch(`${server.url}/api/me`, { headers: { cookie: roster.member.cookieHeader() } }),
			fetch(`${server.url}/api/events`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' }),
			fetch(`${server.url}/no-such-page`)
		]);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 403, 404]);
		for (const answer of answers) {
			expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
			expect(answer.headers.get('x-frame-options')).toBe('DENY');
			expect(answer.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		}
		const policy = answers[0]!.headers.get('content-security-policy') ?? '';
		expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
		expect(policy).toContain("frame-ancestors 'none'");
		expect(policy).toContain("object-src 'none'");
		const html = await answers[0]!.text();
		const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
		// Every inline script of the page is SvelteKit's, and carries the nonce.
		for (const [tag] of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)) expect(tag).toContain(`nonce="${nonce}"`);
	});

	it('under the policy two people co-edit a document, the session room connects and a script injected into the page does not run (AZ-69)', async () => {
		const { server, roster } = world;
		const documentId = await createDocument(roster.member, roster.groupId, 'Under the policy');
		const mine = await world.pageAs(roster.member);
		const theirs = await world.pageAs(roster.member2);
		for (const page of [mine, theirs]) {
			await gotoReady(page, `${server.url}/documents/${documentId}`);
			await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('All changes saved');
		}
		await insertBlock(mine, 'paragraph', 'P1: courts publish');
		await expect.poll(() => blockText(theirs, 'paragraph', 'P1:')).toBe('P1: courts publish');

		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Sitting under the policy', documentIds: [documentId] });
		expect(created.status).toBe(201);
		const room = await world.pageAs(roster.moderator);
		await gotoReady(room, `${server.url}/sessions/${created.body.session.id}`);
		await room.getByTestId('start-session').click();
		await expect.poll(() => room.getByTestId('session-status').textContent()).not.toBe('Scheduled');

		// A script that reached the page without the nonce (the shape of an injection) is blocked.
		const violations: string[] = [];
		mine.on('console', (message) => message.text().includes('Content Security Policy') && violations.push(message.text()));
		await mine.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'window.injected = true';
			document.body.append(script);
		});
		await expect.poll(() => violations.length).toBeGreaterThan(0);
		expect(await mine.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
		world.pageErrors.splice(0, world.pageErrors.length, ...world.pageErrors.filter((error) => !violations.includes(error)));
		expect(world.pageErrors).toEqual([]);
		for (const page of [mine, theirs, room]) await page.context().close();
	}, 120_000);
});
