import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';

/**
 * EVENT_CREATORS (issue 12 item 4): creating an event is what lets an account add people by e-mail,
 * so a deployment may keep it to listed addresses and @domains. Empty (the default) is open.
 */
async function register(url: string, email: string): Promise<ApiClient> {
	const client = new ApiClient(url);
	const response = await client.post('/api/auth/register', { email, password: 'correct horse battery', name: 'Someone' });
	expect(response.status).toBe(201);
	return client;
}

const localPart = () => uniqueEmail('p').split('@')[0];

describe.each(backends())('who may create events on %s (EVENT_CREATORS set)', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend, { env: { EVENT_CREATORS: 'chair@court.kz, @osce.org' } });
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('a listed address and an address at a listed domain create events (201) and see "New event" (AZ-68)', async () => {
		const chair = await register(server.url, 'chair@court.kz');
		const colleague = await register(server.url, `${localPart()}@OSCE.org`);
		for (const client of [chair, colleague]) {
			expect((await client.post('/api/events', { title: 'Regional seminar' })).status).toBe(201);
			const dashboard = await client.get('/');
			expect(dashboard.body).toContain('href="/events/new"');
		}
	});

	it.each([
		['another address', () => `${localPart()}@example.org`],
		['another address at the listed address’s domain', () => `${localPart()}@court.kz`],
		['a subdomain of a listed domain', () => `${localPart()}@mission.osce.org`],
		['a look-alike domain', () => `${localPart()}@osce.org.evil.example`]
	])('%s is refused 403 FORBIDDEN, creates nothing, and the dashboard offers no "New event" (AZ-68)', async (_what, address) => {
		const client = await register(server.url, address());
		const refused = await client.post('/api/events', { title: 'Probe' });
		expect(refused.status).toBe(403);
		expect(refused.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.stringContaining('create events') } });
		expect((await client.get('/api/events')).body.events).toEqual([]);
		const dashboard = await client.get('/');
		expect(dashboard.status).toBe(200);
		expect(dashboard.body).not.toContain('href="/events/new"');
		// The page says why instead of a form, and its action refuses too.
		const page = await client.get('/events/new');
		expect(page.body).not.toContain('name="title"');
		const form = await client.request('POST', '/events/new', {
			body: 'title=Probe',
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true' }
		});
		expect(form.body.status ?? form.status).toBe(403);
		expect((await client.get('/api/events')).body.events).toEqual([]);
	});
});

describe.each(backends())('who may create events on %s (EVENT_CREATORS empty)', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('anyone with an account creates events, and the test run logs no warning about it (AZ-68)', async () => {
		const client = await register(server.url, uniqueEmail());
		expect((await client.post('/api/events', { title: 'Open demo' })).status).toBe(201);
		expect(server.output()).not.toContain('EVENT_CREATORS');
	});
});
