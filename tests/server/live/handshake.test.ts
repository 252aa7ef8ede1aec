import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ApiClient, newUser } from '../../helpers/client';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

type Transport = 'websocket' | 'polling';
type Outcome = { connected: true; socket: Socket } | { connected: false; error: Error & { data?: { code?: string } } };

/** Opens a Socket.IO connection without reconnection and resolves with its first outcome. */
function connect(url: string, transport: Transport, headers: Record<string, string> = {}): Promise<Outcome> {
	const socket = io(url, { transports: [transport], extraHeaders: headers, reconnection: false, forceNew: true, timeout: 5000 });
	return new Promise((resolve) => {
		socket.once('connect', () => resolve({ connected: true, socket }));
		socket.once('connect_error', (error) => {
			socket.close();
			resolve({ connected: false, error });
		});
	});
}

async function refused(url: string, transport: Transport, headers?: Record<string, string>) {
	const outcome = await connect(url, transport, headers);
	if (outcome.connected) {
		outcome.socket.close();
		throw new Error('the connection was accepted');
	}
	return outcome.error;
}

describe.each(backends())('the Socket.IO handshake on %s', (backend) => {
	let server: RunningServer;
	let user: ApiClient;
	const open: Socket[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
		user = await newUser(server.url, 'Әлия Қасымова');
	});
	afterAll(async () => {
		for (const socket of open) socket.close();
		await server.stop();
		await server.dispose();
	});

	describe.each<Transport>(['websocket', 'polling'])('over %s', (transport) => {
		it('refuses a connection without a session cookie with UNAUTHENTICATED', async () => {
			const error = await refused(server.url, transport);
			expect(error.data?.code).toBe('UNAUTHENTICATED');
		});

		it.each([
			['a forged session', 'plenary_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'],
			['a real session id with a forged secret', () => `plenary_session=${user.sessionCookie!.split('.')[0]}.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb`],
			['garbage', 'plenary_session=%E0%A4%A; other=1']
		])('refuses %s with UNAUTHENTICATED', async (_name, cookie) => {
			const error = await refused(server.url, transport, { cookie: typeof cookie === 'function' ? cookie() : cookie });
			expect(error.data?.code).toBe('UNAUTHENTICATED');
		});

		it('accepts a live session cookie, with or without our own Origin', async () => {
			const variants: Record<string, string>[] = [{ cookie: user.cookieHeader() }, { cookie: user.cookieHeader(), origin: server.url }];
			for (const headers of variants) {
				const outcome = await connect(server.url, transport, headers);
				expect(outcome.connected).toBe(true);
				if (outcome.connected) outcome.socket.close();
			}
		});

		it('refuses a live session cookie sent from a foreign Origin (AZ-41)', async () => {
			await refused(server.url, transport, { cookie: user.cookieHeader(), origin: 'https://evil.example' });
			await refused(server.url, transport, { cookie: user.cookieHeader(), origin: 'null' });
		});

		it('disconnects an open socket within 5 s of its session being logged out, and refuses the old cookie after (AZ-51)', async () => {
			const client = await newUser(server.url, 'Logged out soon');
			const cookie = client.cookieHeader();
			const outcome = await connect(server.url, transport, { cookie });
			expect(outcome.connected).toBe(true);
			if (!outcome.connected) return;
			const socket = outcome.socket;
			open.push(socket);
			let reason: string | null = null;
			socket.once('disconnect', (why) => (reason = why));

			// Another session of the same user stays connected: only the revoked one is closed.
			const other = new ApiClient(server.url);
			expect((await other.post('/api/auth/login', { email: client.user.email, password: 'correct horse battery' })).status).toBe(200);
			const sibling = await connect(server.url, transport, { cookie: other.cookieHeader() });
			expect(sibling.connected).toBe(true);
			if (sibling.connected) open.push(sibling.socket);

			expect((await client.post('/api/auth/logout')).status).toBe(204);
			await eventually(() => expect(reason).toBe('io server disconnect'), { timeoutMs: 5000 });
			expect(sibling.connected && sibling.socket.connected).toBe(true);

			const again = await refused(server.url, transport, { cookie });
			expect(again.data?.code).toBe('UNAUTHENTICATED');
		});
	});
});
