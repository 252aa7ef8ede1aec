import { connect as tcp, type Socket as TcpSocket } from 'node:net';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiClient } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, liveSocket } from '../../helpers/live';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

type Who = keyof Omit<Roster, 'eventId' | 'groupId'>;

/** A Socket.IO client spoken by hand over `ws`: engine.io handshake, namespace connect, then raw frames. */
type RawSocketIo = { ws: WebSocket; frames: string[]; closed: Promise<number>; isClosed: () => boolean };

async function rawSocketIo(baseUrl: string, client: ApiClient): Promise<RawSocketIo> {
	const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, {
		headers: { cookie: client.cookieHeader(), origin: baseUrl }
	});
	const frames: string[] = [];
	let done = false;
	const closed = new Promise<number>((resolve) =>
		ws.on('close', (code) => {
			done = true;
			resolve(code);
		})
	);
	ws.on('error', () => {});
	ws.on('message', (data, isBinary) => {
		const text = isBinary ? '<binary>' : data.toString();
		if (text === '2') return ws.send('3'); // engine.io ping → pong
		frames.push(text);
		if (text.startsWith('0{')) ws.send('40'); // open → connect to the main namespace
	});
	const deadline = Date.now() + 10_000;
	while (!frames.some((f) => f.startsWith('40{'))) {
		if (Date.now() > deadline || done) throw new Error(`raw Socket.IO connect failed: ${frames.join(' | ')}`);
		await sleep(10);
	}
	return { ws, frames, closed, isClosed: () => done };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `check` to hold, up to `ms`; resolves with whether it did. */
async function within(ms: number, check: () => boolean): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (check()) return true;
		await sleep(20);
	}
	return check();
}

/** A raw TCP connection that sent `request`; collects what comes back and whether it closed. */
function rawHttp(baseUrl: string, request: string | Buffer) {
	const { hostname, port } = new URL(baseUrl);
	const socket: TcpSocket = tcp({ host: hostname, port: Number(port) });
	let received = Buffer.alloc(0);
	let closed = false;
	socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
	socket.on('close', () => (closed = true));
	socket.on('error', () => {});
	socket.write(request);
	return { socket, received: () => received, isClosed: () => closed };
}

function upgradeRequest(baseUrl: string, path: string, cookie: string, extraHeaders: string[] = []): string {
	const { host } = new URL(baseUrl);
	return [
		`GET ${path} HTTP/1.1`,
		`Host: ${host}`,
		...extraHeaders,
		`Cookie: ${cookie}`,
		'Upgrade: websocket',
		'Connection: Upgrade',
		'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
		'Sec-WebSocket-Version: 13',
		'',
		''
	].join('\r\n');
}

/** Whether the server sent a WebSocket close frame after the 101 response (server frames are unmasked). */
function sawCloseFrame(bytes: Buffer): boolean {
	const end = bytes.indexOf('\r\n\r\n');
	if (end < 0) return false;
	let at = end + 4;
	while (at + 2 <= bytes.length) {
		const opcode = bytes[at]! & 0x0f;
		let length = bytes[at + 1]! & 0x7f;
		let header = 2;
		if (length === 126) {
			if (at + 4 > bytes.length) return false;
			length = bytes.readUInt16BE(at + 2);
			header = 4;
		} else if (length === 127) return false;
		if (opcode === 0x8) return true;
		at += header + length;
	}
	return false;
}

describe.each(backends())('bad input to live sessions on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	const sockets: Socket[] = [];
	const raws: WebSocket[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		sockets.forEach((s) => s.close());
		raws.forEach((ws) => ws.terminate());
		await server.stop();
		await server.dispose();
	});

	async function socketOf(who: Who) {
		const socket = await liveSocket(server.url, roster[who]);
		sockets.push(socket);
		return socket;
	}

	async function raw(who: Who) {
		const socket = await rawSocketIo(server.url, roster[who]);
		raws.push(socket.ws);
		return socket;
	}

	async function newSession() {
		const documentId = await createDocument(roster.member, roster.groupId, 'Recommendations');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Sitting', documentIds: [documentId] });
		expect(created.status).toBe(201);
		return { sessionId: created.body.session.id as string, documentId };
	}

	/** The process is alive, and a bystander already connected still works. */
	async function stillServing(bystander: Socket, sessionId: string) {
		expect((await fetch(server.url + '/healthz')).status).toBe(200);
		expect(bystander.connected).toBe(true);
		expect(await ask(bystander, 'session:join', { sessionId })).toMatchObject({ ok: true });
		expect(server.output()).not.toMatch(/uncaught|unhandled/i);
	}

	it('BI-25: extra fields (a foreign userId/authorId, role: moderator, createdAt in 1990) are refused VALIDATION, not ignored — a client sending fields we do not know is out of date or forging; nothing changes and author and time stay the server’s', async () => {
		const { sessionId, documentId } = await newSession();
		const participant = await socketOf('participant');
		await ask(participant, 'session:join', { sessionId });
		const forged = { userId: roster.moderator.user.id, authorId: roster.moderator.user.id, role: 'moderator', createdAt: '1990-01-01T00:00:00.000Z' };
		const attempts: [string, object][] = [
			['hand:raise', { sessionId, ...forged }],
			['hand:raise', { sessionId, userId: roster.member.user.id }],
			['hand:lower', { sessionId, userId: roster.member.user.id }],
			['session:join', { sessionId, role: 'moderator' }],
			['presence:update', { sessionId, status: 'online', documentId, name: 'Somebody else', userId: roster.member.user.id }],
			['agenda:current', { sessionId, itemId: null, role: 'moderator' }],
			['session:start', { sessionId, role: 'moderator', authorId: roster.moderator.user.id }]
		];
		for (const [event, payload] of attempts) {
			expect(await ask(participant, event, payload), `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
		const unchanged = (await roster.organizer.get(`/api/sessions/${sessionId}`)).body.session;
		expect(unchanged).toMatchObject({ version: 1, status: 'scheduled', speakers: [], currentItemId: null });

		// The same hand raised properly is the caller's, at the server's time.
		const before = Date.now();
		const raised = await ask(participant, 'hand:raise', { sessionId });
		expect(raised.state.speakers).toEqual([expect.objectContaining({ userId: roster.participant.user.id, name: roster.participant.user.name })]);
		const since = Date.parse(raised.state.speakers[0].since);
		expect(since).toBeGreaterThanOrEqual(before - 5_000);
		expect(since).toBeLessThanOrEqual(Date.now() + 5_000);
	});

	it('BI-27: a packet of 64 KiB is read, one of 64 KiB + 1 byte closes that socket only; the server and others carry on', async () => {
		const { sessionId } = await newSession();
		const bystander = await socketOf('member');
		const prefix = '421["hand:raise","';
		const suffix = '"]';
		const packet = (bytes: number) => prefix + 'x'.repeat(bytes - prefix.length - suffix.length) + suffix;

		const fits = await raw('participant');
		fits.ws.send(packet(64 * 1024));
		expect(await within(5_000, () => fits.frames.some((f) => f.startsWith('431')))).toBe(true);
		expect(fits.frames.find((f) => f.startsWith('431'))).toContain('VALIDATION');
		expect(fits.isClosed()).toBe(false);

		const big = await raw('participant');
		big.ws.send(packet(64 * 1024 + 1));
		expect(await Promise.race([big.closed, sleep(5_000).then(() => 'open')])).toBe(1009);
		expect(big.frames.some((f) => f.startsWith('431'))).toBe(false);
		expect(fits.isClosed()).toBe(false);
		await stillServing(bystander, sessionId);
	});

	it.each([
		['num "x"', 'x'],
		['num "splice"', 'splice'],
		['num out of bounds', 99]
	])('BI-28: CVE-2023-32695, a binary placeholder with %s, closes the offending socket; the process and others carry on', async (_label, num) => {
		const { sessionId } = await newSession();
		const bystander = await socketOf('member');
		const attacker = await raw('participant');
		attacker.ws.send(`451-["session:join",{"_placeholder":true,"num":${JSON.stringify(num)}}]`);
		attacker.ws.send(Buffer.from([1, 2, 3]), { binary: true });
		expect(await Promise.race([attacker.closed.then(() => 'closed'), sleep(5_000).then(() => 'open')])).toBe('closed');
		await stillServing(bystander, sessionId);
	});

	it('BI-28: CVE-2024-38355, an event named "error" (with and without an ack), is answered or dropped and not logged as a server error; the process and others carry on', async () => {
		const { sessionId } = await newSession();
		const bystander = await socketOf('member');
		const attacker = await raw('participant');
		attacker.ws.send('42["error","boom-from-client"]');
		attacker.ws.send('42["error",{"message":"boom-from-client"}]');
		attacker.ws.send('427["error","boom-from-client"]');
		const answered = await within(5_000, () => attacker.isClosed() || attacker.frames.some((f) => f.startsWith('437')));
		expect(answered).toBe(true);
		if (!attacker.isClosed()) expect(attacker.frames.find((f) => f.startsWith('437'))).toMatch(/"ok":false/);
		await stillServing(bystander, sessionId);
		// The client's payload is not logged as a server-side socket error (log spoofing).
		expect(server.output()).not.toContain('boom-from-client');
	});

	it.each(['collab', 'socket.io'] as const)('BI-29: a WebSocket frame with RSV2/RSV3 set to %s is refused with a close; the process carries on', async (endpoint) => {
		const { sessionId, documentId } = await newSession();
		const bystander = await socketOf('member');
		const path = endpoint === 'collab' ? `/collab/${documentId}` : '/socket.io/?EIO=4&transport=websocket';
		const conn = rawHttp(server.url, upgradeRequest(server.url, path, roster.participant.cookieHeader()));
		expect(await within(5_000, () => conn.received().includes('\r\n\r\n'))).toBe(true);
		expect(conn.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
		// FIN + RSV2 + RSV3 + text, masked, 5 bytes "hello" (mask of zeros leaves it as is).
		conn.socket.write(Buffer.concat([Buffer.from([0x80 | 0x20 | 0x10 | 0x01, 0x80 | 5, 0, 0, 0, 0]), Buffer.from('hello')]));
		expect(await within(5_000, () => conn.isClosed() || sawCloseFrame(conn.received()))).toBe(true);
		conn.socket.destroy();
		await stillServing(bystander, sessionId);
	});

	it.each(['collab', 'socket.io'] as const)('BI-30: an upgrade to %s with 2,000 headers (CVE-2024-37890) is refused 400/431 or closed; the process carries on', async (endpoint) => {
		const { sessionId, documentId } = await newSession();
		const bystander = await socketOf('member');
		const path = endpoint === 'collab' ? `/collab/${documentId}` : '/socket.io/?EIO=4&transport=websocket';
		const filler = Array.from({ length: 2000 }, (_, i) => `x${i.toString(36)}: a`);
		const conn = rawHttp(server.url, upgradeRequest(server.url, path, roster.participant.cookieHeader(), filler));
		expect(await within(5_000, () => conn.isClosed() || conn.received().includes('\r\n\r\n'))).toBe(true);
		const head = conn.received().toString('latin1');
		if (head) expect(head).toMatch(/^HTTP\/1\.1 (400|431)/);
		conn.socket.destroy();
		await stillServing(bystander, sessionId);
	});
});
