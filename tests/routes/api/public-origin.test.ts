import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, uniqueEmail } from '../../helpers/client';
import { startServer, type RunningServer } from '../../helpers/server';
import { backends } from '../../helpers/services';

/**
 * Plenary behind a TLS-terminating proxy: ORIGIN names the public origin. Browsers then send that
 * origin, cookies must be Secure, and links point at it — though the test talks plain http to the port.
 */
const publicOrigin = 'https://plenary.example';
const password = 'correct horse battery';

/** With ORIGIN set the server announces the public origin, not its port; so the test picks the port. */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

describe.each(backends())(`behind a proxy (ORIGIN=${publicOrigin}) on %s`, (backend) => {
	let server: RunningServer;
	let url: string;
	beforeAll(async () => {
		const port = await freePort();
		server = await startServer(backend, { env: { ORIGIN: publicOrigin, PORT: String(port) } });
		expect(server.url).toBe(publicOrigin);
		url = `http://127.0.0.1:${port}`;
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	/** A browser on the public origin: its requests carry Origin: https://plenary.example. */
	async function browserUser() {
		const client = new ApiClient(url);
		const email = uniqueEmail();
		const response = await client.request('POST', '/api/auth/register', {
			json: { email, password, name: 'Behind proxy' },
			headers: { origin: publicOrigin }
		});
		expect(response.status).toBe(201);
		return { client, email, response };
	}

	const write = (client: ApiClient, method: string, path: string, json?: unknown) =>
		client.request(method, path, { json, headers: { origin: publicOrigin } });

	it('the session cookie is Secure, HttpOnly, SameSite=Lax and Path=/ (AZ-54)', async () => {
		const { response } = await browserUser();
		const cookie = response.headers.getSetCookie().find((c) => c.startsWith('plenary_session='))!;
		expect(cookie).toMatch(/;\s*Secure/i);
		expect(cookie).toMatch(/;\s*HttpOnly/i);
		expect(cookie).toMatch(/;\s*SameSite=Lax/i);
		expect(cookie).toMatch(/;\s*Path=\//i);
	});

	it('logout clears the cookie with the same Secure attribute it was set with', async () => {
		const { client } = await browserUser();
		const logout = await write(client, 'POST', '/api/auth/logout');
		expect(logout.status).toBe(204);
		const cleared = logout.headers.getSetCookie().find((c) => c.startsWith('plenary_session='))!;
		expect(cleared).toMatch(/Max-Age=0/i);
		expect(cleared).toMatch(/;\s*Secure/i);
	});

	it('a JSON write from the public origin is accepted, and one naming the bare address is refused as cross-origin', async () => {
		const { client } = await browserUser();
		expect((await write(client, 'POST', '/api/events', { title: 'From the public origin' })).status).toBe(201);
		const direct = await client.request('POST', '/api/events', { json: { title: 'From elsewhere' }, headers: { origin: url } });
		expect(direct.status).toBe(403);
		expect(direct.body.error.code).toBe('CROSS_ORIGIN');
		expect((await client.get('/api/events')).body.events.map((e: any) => e.title)).toEqual(['From the public origin']);
	});

	it('invitation links point at the public origin', async () => {
		const { client } = await browserUser();
		const event = (await write(client, 'POST', '/api/events', { title: 'Linked' })).body.event;
		const group = (await write(client, 'POST', `/api/events/${event.id}/groups`, { name: 'G' })).body.group;
		const invited = await write(client, 'POST', `/api/groups/${group.id}/members`, { email: uniqueEmail('guest'), role: 'member' });
		expect(invited.body.invitation.url).toMatch(/^https:\/\/plenary\.example\/invite\/[a-z2-7]{32}$/);
	});

	it('a form post from the public origin passes SvelteKit’s check, and one from another site is refused', async () => {
		const form = (origin: string) =>
			fetch(url + '/login', { method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1', redirect: 'manual' });
		expect((await form(publicOrigin)).status).not.toBe(403);
		expect((await form('https://evil.example')).status).toBe(403);
	});
});
