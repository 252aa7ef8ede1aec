import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';

const password = 'correct horse battery';

/** The Set-Cookie line for the session cookie, split into its value and lower-cased attributes. */
function sessionSetCookie(headers: Headers): { value: string; attributes: Map<string, string> } | null {
	const line = headers.getSetCookie().find((c) => c.startsWith('plenary_session='));
	if (!line) return null;
	const [pair, ...rest] = line.split(';');
	const attributes = new Map<string, string>();
	for (const attribute of rest) {
		const [name = '', value = ''] = attribute.trim().split('=');
		attributes.set(name.toLowerCase(), value);
	}
	return { value: pair!.slice('plenary_session='.length), attributes };
}

/** A client that carries exactly this session cookie value and nothing else. */
function withCookie(baseUrl: string, value: string): ApiClient {
	const client = new ApiClient(baseUrl);
	client.cookies.set('plenary_session', value);
	return client;
}

describe.each(backends())('session cookies on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('the session cookie is HttpOnly, SameSite=Lax, Path=/, without Secure over plain http, and lasts 30 days (AZ-54)', async () => {
		const user = await newUser(server.url);
		const login = await new ApiClient(server.url).post('/api/auth/login', { email: user.user.email, password });
		const cookie = sessionSetCookie(login.headers)!;
		expect(cookie).not.toBeNull();
		expect(cookie.attributes.has('httponly')).toBe(true);
		expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('lax');
		expect(cookie.attributes.get('path')).toBe('/');
		expect(cookie.attributes.has('secure')).toBe(false);
		expect(cookie.attributes.has('domain')).toBe(false);
		const maxAge = Number(cookie.attributes.get('max-age'));
		expect(maxAge).toBeGreaterThan(29 * 24 * 3600);
		expect(maxAge).toBeLessThanOrEqual(30 * 24 * 3600);
	});

	it('a client cannot claim https with a forwarding header: over plain http the cookie stays without Secure', async () => {
		const client = new ApiClient(server.url);
		const response = await client.request('POST', '/api/auth/register', {
			json: { email: uniqueEmail(), password, name: 'Spoofer' },
			headers: { 'x-plenary-protocol': 'https', 'x-forwarded-proto': 'https' }
		});
		expect(response.status).toBe(201);
		expect(sessionSetCookie(response.headers)!.attributes.has('secure')).toBe(false);
	});

	it('the session token carries at least 160 random bits and is different on every login (AZ-54)', async () => {
		const user = await newUser(server.url);
		const tokens = new Set<string>();
		for (let i = 0; i < 3; i++) {
			const login = await new ApiClient(server.url).post('/api/auth/login', { email: user.user.email, password });
			const { value } = sessionSetCookie(login.headers)!;
			const [id, secret, ...rest] = value.split('.');
			expect(rest).toEqual([]);
			// base32: 5 bits per character
			expect(secret).toMatch(/^[a-z2-7]+$/);
			expect(secret!.length * 5).toBeGreaterThanOrEqual(160);
			expect(id).toMatch(/^[a-z2-7]+$/);
			tokens.add(value);
		}
		expect(tokens.size).toBe(3);
	});

	it('a cookie value planted by an attacker is not a session, and logging in replaces it with a new token (AZ-50)', async () => {
		const victim = await newUser(server.url, 'Victim');
		const planted = 'a'.repeat(32) + '.' + 'b'.repeat(39);
		const browser = withCookie(server.url, planted);
		expect((await browser.get('/api/me')).status).toBe(401);
		browser.cookies.set('plenary_session', planted);
		const login = await browser.post('/api/auth/login', { email: victim.user.email, password });
		expect(login.status).toBe(200);
		const issued = sessionSetCookie(login.headers)!.value;
		expect(issued).not.toBe(planted);
		expect(issued.split('.')[0]).not.toBe(planted.split('.')[0]);
		expect((await browser.get('/api/me')).body.user.id).toBe(victim.user.id);
		expect((await withCookie(server.url, planted).get('/api/me')).status).toBe(401);
	});

	it("an attacker's own live session planted in a victim's browser stays the attacker's after the victim logs in (AZ-50)", async () => {
		const attacker = await newUser(server.url, 'Attacker');
		const victim = await newUser(server.url, 'Victim');
		const planted = attacker.sessionCookie!;
		const browser = withCookie(server.url, planted);
		const login = await browser.post('/api/auth/login', { email: victim.user.email, password });
		expect(login.status).toBe(200);
		expect(browser.sessionCookie).not.toBe(planted);
		expect((await browser.get('/api/me')).body.user.id).toBe(victim.user.id);
		expect((await withCookie(server.url, planted).get('/api/me')).body.user.id).toBe(attacker.user.id);
	});

	it.runIf(backend === 'postgres')('the database holds only the SHA-256 of the session secret, never the cookie value (AZ-50)', async () => {
		const user = await newUser(server.url);
		const [id, secret] = user.sessionCookie!.split('.') as [string, string];
		const sql = postgres(server.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
		try {
			const rows = await sql<{ dump: string; hash: string }[]>`
				select s::text as dump, encode(s.secret_hash, 'hex') as hash from sessions s where s.id = ${id}`;
			expect(rows).toHaveLength(1);
			expect(rows[0]!.hash).toBe(createHash('sha256').update(secret).digest('hex'));
			const everything = await sql<{ dump: string }[]>`select s::text as dump from sessions s`;
			expect(everything.some((row) => row.dump.includes(secret))).toBe(false);
		} finally {
			await sql.end();
		}
	});

	it('after logout the old cookie value replayed is refused with 401 everywhere (AZ-51, HTTP)', async () => {
		const user = await newUser(server.url);
		const old = user.sessionCookie!;
		expect((await user.post('/api/auth/logout')).status).toBe(204);
		const replay = withCookie(server.url, old);
		const me = await replay.get('/api/me');
		expect(me.status).toBe(401);
		expect(me.body.error.code).toBe('UNAUTHENTICATED');
		expect((await withCookie(server.url, old).post('/api/events', { title: 'Replayed' })).status).toBe(401);
		expect((await withCookie(server.url, old).get('/api/events')).status).toBe(401);
		const again = new ApiClient(server.url);
		await again.post('/api/auth/login', { email: user.user.email, password });
		expect((await again.get('/api/events')).body.events).toEqual([]);
	});

	it('logout clears the cookie with Max-Age=0 on Path=/ and without Secure over http (a browser ignores a Secure Set-Cookie from http)', async () => {
		const user = await newUser(server.url);
		const logout = await user.post('/api/auth/logout');
		const cleared = sessionSetCookie(logout.headers)!;
		expect(cleared).not.toBeNull();
		expect(cleared.value).toBe('');
		expect(cleared.attributes.get('max-age')).toBe('0');
		expect(cleared.attributes.get('path')).toBe('/');
		expect(cleared.attributes.has('secure')).toBe(false);
	});

	it('a forged cookie with a real session id and a wrong secret answers 401, clears the cookie, and leaves the real session alive', async () => {
		const user = await newUser(server.url);
		const [id, secret] = user.sessionCookie!.split('.') as [string, string];
		const flipped = (secret[0] === 'a' ? 'b' : 'a') + secret.slice(1);
		for (const forged of [`${id}.${flipped}`, `${id}.${'a'.repeat(secret.length)}`, `${id}.x`]) {
			const me = await withCookie(server.url, forged).get('/api/me');
			expect(me.status, forged).toBe(401);
			const cleared = sessionSetCookie(me.headers)!;
			expect(cleared.value).toBe('');
			expect(cleared.attributes.get('max-age')).toBe('0');
			expect(cleared.attributes.has('secure')).toBe(false);
		}
		expect((await user.get('/api/me')).body.user.id).toBe(user.user.id);
	});

	it.each([
		['a word', 'garbage'],
		['only an id', 'abcdefghijklmnop'],
		['three parts', 'a.b.c'],
		['an empty secret', 'abc.'],
		['10,000 characters', 'x'.repeat(5000) + '.' + 'y'.repeat(4999)],
		['a broken percent-escape', '%E0%A4%A.%ZZ'],
		['percent-encoded Cyrillic', '%D2%9A%D0%B0.%D2%9A']
	])('a garbage cookie (%s) answers 401 UNAUTHENTICATED and is cleared, never a 500', async (_what, value) => {
		const client = withCookie(server.url, value);
		const me = await client.get('/api/me');
		expect(me.status).toBe(401);
		expect(me.body.error.code).toBe('UNAUTHENTICATED');
		expect(sessionSetCookie(me.headers)?.attributes.get('max-age')).toBe('0');
		expect(client.sessionCookie).toBeUndefined();
		expect((await fetch(server.url + '/healthz')).status).toBe(200);
	});

	it('a request with a garbage cookie to login still logs in and replaces the cookie', async () => {
		const email = uniqueEmail();
		await new ApiClient(server.url).post('/api/auth/register', { email, password, name: 'Garbage carrier' });
		const client = withCookie(server.url, 'garbage');
		expect((await client.post('/api/auth/login', { email, password })).status).toBe(200);
		expect(client.sessionCookie).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
		expect((await client.get('/api/me')).status).toBe(200);
	});
});
