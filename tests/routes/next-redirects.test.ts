import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail } from '../helpers/client';
import { startServer, type RunningServer } from '../helpers/server';
import { backends } from '../helpers/services';

const password = 'correct horse battery';

/**
 * `next=` on /login, /register and /locale (issue 12 item 3): the page goes back there afterwards,
 * so a link to the real site could send a person on to another one (open redirect). Each `next`
 * here is one a browser would follow to evil.example; the answer must stay on this site.
 */
const offSite: [string, string][] = [
	['a tab between the slashes', '/\t/evil.example'],
	['a newline between the slashes', '/\n/evil.example'],
	['a CR LF between the slashes', '/\r\n/evil.example'],
	['a slash and a backslash', '/\\evil.example'],
	['two backslashes', '\\\\evil.example'],
	['a protocol-relative URL', '//evil.example'],
	['another origin', 'https://evil.example/'],
	['a dot segment that resolves to //host', '/.//evil.example'],
	['javascript:', 'javascript:alert(document.cookie)'],
	['javascript: split by a tab', 'java\tscript:alert(1)']
];

describe.each(backends())('where next= leads (BI-39) on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	/** The redirect's target must be a path of this site and nothing a browser could read as a host. */
	function expectOnSite(location: string | null, expected = '/') {
		expect(location).toBe(expected);
		expect(new URL(location!, server.url).origin).toBe(server.url);
	}

	/** A form posted by a browser without JavaScript: the action answers with a 303 redirect. */
	const form = (client: ApiClient, path: string, fields: Record<string, string>) =>
		client.request('POST', path, {
			body: new URLSearchParams(fields).toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
		});

	it.each(offSite)('GET /login and /register while logged in stay on the site when next has %s', async (_what, next) => {
		const user = await newUser(server.url);
		for (const page of ['/login', '/register']) {
			const response = await user.get(`${page}?next=${encodeURIComponent(next)}`);
			expect(response.status, page).toBe(303);
			expectOnSite(response.headers.get('location'));
		}
	});

	it.each(offSite)('logging in, registering and choosing a language stay on the site when next has %s', async (_what, next) => {
		const existing = await newUser(server.url);
		const login = await form(new ApiClient(server.url), `/login?next=${encodeURIComponent(next)}`, { email: existing.user.email, password });
		expect(login.status).toBe(303);
		expectOnSite(login.headers.get('location'));
		const register = await form(new ApiClient(server.url), `/register?next=${encodeURIComponent(next)}`, { name: 'Redirected', email: uniqueEmail(), password });
		expect(register.status).toBe(303);
		expectOnSite(register.headers.get('location'));
		const locale = await form(new ApiClient(server.url), '/locale', { locale: 'fr', next });
		expect(locale.status).toBe(303);
		expectOnSite(locale.headers.get('location'));
	});

	it('a path on the site is kept, with its query and fragment, and encoded slashes stay a path here', async () => {
		const user = await newUser(server.url);
		const kept = await user.get(`/login?next=${encodeURIComponent('/groups/abc?tab=1#members')}`);
		expectOnSite(kept.headers.get('location'), '/groups/abc?tab=1#members');
		const encoded = await user.get(`/login?next=${encodeURIComponent('/%2F%2Fevil.example')}`);
		expectOnSite(encoded.headers.get('location'), '/%2F%2Fevil.example');
		const locale = await form(new ApiClient(server.url), '/locale', { locale: 'kk', next: '/events/new' });
		expectOnSite(locale.headers.get('location'), '/events/new');
	});
});
