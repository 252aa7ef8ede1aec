import type { Socket } from 'socket.io-client';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, heard, liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

/**
 * Issue 12, point 2, on Socket.IO: an account holds at most LIVE_CONNECTIONS_PER_ACCOUNT sockets
 * (the rest get connect_error TOO_MANY_CONNECTIONS), and a flood of `presence:update` reaches the
 * others as at most one presence list per tick, not one per message.
 */
const cap = 8;

function attempt(baseUrl: string, client: ApiClient): Promise<{ socket: Socket; outcome: 'connected' | string }> {
	const socket = connect(baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: client.cookieHeader(), origin: baseUrl } });
	return new Promise((resolve) => {
		socket.once('connect', () => resolve({ socket, outcome: 'connected' }));
		socket.once('connect_error', (error: Error & { data?: { code: string } }) => resolve({ socket, outcome: error.data?.code ?? error.message }));
	});
}

describe.each(backends())('one account flooding Socket.IO on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	const sockets: Socket[] = [];

	beforeAll(async () => {
		server = await startServer(backend, { env: { LIVE_CONNECTIONS_PER_ACCOUNT: String(cap) } });
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		sockets.forEach((socket) => socket.close());
		await server.stop();
		await server.dispose();
	});

	it('an account holds at most LIVE_CONNECTIONS_PER_ACCOUNT sockets: the rest are refused TOO_MANY_CONNECTIONS, and a closed one frees its place (AZ-63)', async () => {
		const attempts = await Promise.all(Array.from({ length: cap + 4 }, () => attempt(server.url, roster.observer)));
		sockets.push(...attempts.map((a) => a.socket));
		expect(attempts.filter((a) => a.outcome === 'connected')).toHaveLength(cap);
		expect(attempts.filter((a) => a.outcome === 'TOO_MANY_CONNECTIONS')).toHaveLength(4);
		// Someone else is not counted against this account.
		expect((await attempt(server.url, roster.member)).outcome).toBe('connected');

		attempts.find((a) => a.outcome === 'connected')!.socket.close();
		await eventually(async () => {
			const next = await attempt(server.url, roster.observer);
			sockets.push(next.socket);
			expect(next.outcome).toBe('connected');
		});
		expect((await attempt(server.url, roster.observer)).outcome).toBe('TOO_MANY_CONNECTIONS');
		for (const a of attempts) a.socket.close();
	});

	it('sockets flooding presence:update: the others get at most one presence list a tick, with the latest state (BI-41)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Recommendations');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Flooded sitting', documentIds: [documentId] });
		expect(created.status).toBe(201);
		const sessionId: string = created.body.session.id;
		const flooders: Socket[] = [];
		for (let i = 0; i < cap; i++) flooders.push(await liveSocket(server.url, roster.participant));
		sockets.push(...flooders);
		for (const socket of flooders) expect(await ask(socket, 'session:join', { sessionId })).toMatchObject({ ok: true });
		const watcher = await liveSocket(server.url, roster.member);
		sockets.push(watcher);
		expect(await ask(watcher, 'session:join', { sessionId })).toMatchObject({ ok: true });
		const lists = heard<{ users: { userId: string; status: string }[] }>(watcher, 'presence');

		const started = performance.now();
		let n = 0;
		const flood = setInterval(() => {
			n++;
			for (const socket of flooders) socket.emit('presence:update', { sessionId, status: n % 2 ? 'away' : 'online', documentId: null });
		}, 20);
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		clearInterval(flood);
		const seconds = (performance.now() - started) / 1000;
		for (const socket of flooders) socket.emit('presence:update', { sessionId, status: 'away', documentId });
		await eventually(() => {
			const participant = lists.at(-1)?.users.find((user) => user.userId === roster.participant.user.id);
			expect(participant).toMatchObject({ status: 'away', documentId });
		});
		console.info(`[presence flood ${backend}] ${n * cap} presence:update in ${seconds.toFixed(1)} s → ${lists.length} presence lists to the watcher`);
		// One list per tick (100 ms) at most, plus the last change; without coalescing one per message.
		expect(lists.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 5);
	});
});
