import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser } from '../../helpers/client';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

const password = 'correct horse battery';

function openSocket(url: string, client: ApiClient): Promise<Socket> {
	const socket = connect(url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: client.cookieHeader() } });
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

async function loginAgain(url: string, email: string, pass = password): Promise<ApiClient> {
	const client = new ApiClient(url);
	const response = await client.post('/api/auth/login', { email, password: pass });
	expect(response.status).toBe(200);
	return client;
}

describe.each(backends())('password change and "log out everywhere" on %s (AZ-52)', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('changing the password ends every other session and socket, keeps the caller logged in, and the new password works', async () => {
		const laptop = await newUser(server.url, 'Bakyt Toktogulov');
		const phone = await loginAgain(server.url, laptop.user.email);
		const phoneSocket = await openSocket(server.url, phone);
		const laptopSocket = await openSocket(server.url, laptop);

		const change = await laptop.put('/api/me/password', { currentPassword: password, newPassword: 'a brand new passphrase' });
		expect(change.status).toBe(204);

		await eventually(() => expect(phoneSocket.connected).toBe(false));
		await eventually(() => expect(laptopSocket.connected).toBe(false));
		expect((await phone.get('/api/me')).status).toBe(401);
		expect((await laptop.get('/api/me')).status).toBe(200);
		// The caller's new session opens sockets again at once.
		const fresh = await openSocket(server.url, laptop);
		expect(fresh.connected).toBe(true);
		fresh.close();

		expect((await new ApiClient(server.url).post('/api/auth/login', { email: laptop.user.email, password })).status).toBe(401);
		await loginAgain(server.url, laptop.user.email, 'a brand new passphrase');
	});

	it('a wrong current password is refused with INVALID_CREDENTIALS and changes nothing', async () => {
		const user = await newUser(server.url);
		const response = await user.put('/api/me/password', { currentPassword: 'not my password', newPassword: 'another passphrase' });
		expect(response.status).toBe(401);
		expect(response.body.error.code).toBe('INVALID_CREDENTIALS');
		expect((await user.get('/api/me')).status).toBe(200);
		await loginAgain(server.url, user.user.email);
	});

	it('a new password shorter than 10 characters is refused before anything changes', async () => {
		const user = await newUser(server.url);
		const response = await user.put('/api/me/password', { currentPassword: password, newPassword: 'short' });
		expect(response.status).toBe(400);
		expect(response.body.error.code).toBe('VALIDATION');
		await loginAgain(server.url, user.user.email);
	});

	it('"log out everywhere" deletes every session of the account and closes all its sockets', async () => {
		const one = await newUser(server.url);
		const two = await loginAgain(server.url, one.user.email);
		const other = await newUser(server.url);
		const sockets = [await openSocket(server.url, one), await openSocket(server.url, two)];
		const bystander = await openSocket(server.url, other);

		expect((await one.post('/api/auth/logout-everywhere')).status).toBe(204);
		await eventually(() => expect(sockets.map((s) => s.connected)).toEqual([false, false]));
		expect((await one.get('/api/me')).status).toBe(401);
		expect((await two.get('/api/me')).status).toBe(401);
		expect(bystander.connected).toBe(true);
		bystander.close();
	});

	it('anonymous callers get 401 for both', async () => {
		const anonymous = new ApiClient(server.url);
		expect((await anonymous.post('/api/auth/logout-everywhere')).status).toBe(401);
		expect((await anonymous.put('/api/me/password', { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' })).status).toBe(401);
	});
});
