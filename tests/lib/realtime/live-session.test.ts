import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionState } from '../../../src/lib/protocol/live';
import { LiveSession } from '../../../src/lib/realtime/live-session.svelte';
import type { ApiClient } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, heard, liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';

/**
 * The browser's live-session client, run in Node against the real server: after a reconnect one
 * message makes it correct, and it never goes back to an older snapshot.
 */
describe.each(backends())('the live session client around a reconnect on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	const open: { close: () => void }[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
	});
	afterEach(() => open.splice(0).forEach((x) => x.close()));
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	async function session() {
		const documentId = await createDocument(roster.member, roster.groupId, 'Recommendations');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Sitting', documentIds: [documentId] });
		const sessionId: string = created.body.session.id;
		const chair = await liveSocket(server.url, roster.moderator);
		open.push(chair);
		await ask(chair, 'session:start', { sessionId });
		return { sessionId, chair };
	}

	/** The page's client as `who`, starting from the state the page was rendered with; counts what it sends. */
	async function client(who: ApiClient, sessionId: string) {
		const initial = (await who.get(`/api/sessions/${sessionId}`)).body.session as SessionState;
		const live = new LiveSession(initial, { url: server.url, extraHeaders: { cookie: who.cookieHeader(), origin: server.url } });
		open.push({ close: () => live.destroy() });
		const sent: string[] = [];
		const send = live.send.bind(live);
		live.send = (event, payload) => {
			sent.push(event);
			return send(event, payload);
		};
		const socket = (live as unknown as { socket: Socket }).socket;
		await eventually(() => expect(sent).toContain('presence:update'));
		return { live, sent, socket };
	}

	it('keeps the newest snapshot: one older than it has is ignored, a newer one is taken', async () => {
		const { sessionId, chair } = await session();
		const { live } = await client(roster.participant, sessionId);
		const newer = (await ask(chair, 'speakers:limit', { sessionId, seconds: 120 })).state as SessionState;
		await eventually(() => expect(live.state.version).toBe(newer.version));
		live.accept({ ...newer, version: newer.version - 1, speakerLimitSeconds: null });
		expect(live.state).toMatchObject({ version: newer.version, speakerLimitSeconds: 120 });
		live.accept({ ...newer, version: newer.version + 1, speakerLimitSeconds: 60 });
		expect(live.state).toMatchObject({ version: newer.version + 1, speakerLimitSeconds: 60 });
	});

	it('dropped while the moderator gives the floor, it comes back recovered and shows the new floor without joining again', async () => {
		const { sessionId, chair } = await session();
		const member = await liveSocket(server.url, roster.member);
		open.push(member);
		await ask(member, 'hand:raise', { sessionId });
		const { live, sent, socket } = await client(roster.participant, sessionId);
		const presence = heard<{ users: { name: string }[] }>(chair, 'presence');
		await ask(chair, 'session:join', { sessionId });
		await eventually(() => expect(live.state.speakers.map((s) => s.name)).toEqual(['Dilnoza Karimova']));

		socket.io.reconnectionDelay(2500).randomizationFactor(0); // time for the moderator to act meanwhile
		socket.io.engine.close();
		await eventually(() => expect(live.connection).not.toBe('connected'));
		await eventually(() => expect(presence.at(-1)?.users.map((u) => u.name)).not.toContain('Ерлан Сұлтанов'));
		const given = (await ask(chair, 'speakers:next', { sessionId, expectedSpeakerId: null })).state as SessionState;
		expect(live.state.version).toBeLessThan(given.version);

		await eventually(() => expect(live.connection).toBe('connected'), { timeoutMs: 10_000 });
		await eventually(() => expect(live.state).toMatchObject({ version: given.version, speaking: { name: 'Dilnoza Karimova' }, speakers: [] }));
		expect(socket.recovered).toBe(true);
		expect(sent.filter((event) => event === 'session:join')).toHaveLength(1); // the first connect only
	});

	it('its clock stays the server’s when a snapshot made during a drop is replayed seconds later (the room timer did not jump back)', async () => {
		const { sessionId, chair } = await session();
		const member = await liveSocket(server.url, roster.member);
		open.push(member);
		await ask(member, 'hand:raise', { sessionId });
		const { live, socket } = await client(roster.participant, sessionId);
		// Server and test run on one machine: the server's clock is this process's.
		await eventually(() => expect(Math.abs(live.now() - Date.now())).toBeLessThan(250));

		socket.io.reconnectionDelay(4000).randomizationFactor(0);
		socket.io.engine.close();
		await eventually(() => expect(live.connection).not.toBe('connected'));
		const given = (await ask(chair, 'speakers:next', { sessionId, expectedSpeakerId: null })).state as SessionState;
		await eventually(() => expect(live.state.version).toBe(given.version), { timeoutMs: 15_000 });
		expect(socket.recovered).toBe(true);
		expect(Date.now() - Date.parse(given.serverNow)).toBeGreaterThan(1000); // it was replayed late
		expect(Math.abs(live.now() - Date.now())).toBeLessThan(250);
	});

	it('after a server restart nothing can be recovered: it joins again, and the version went on growing', async () => {
		const { sessionId, chair } = await session();
		const { live, sent, socket } = await client(roster.participant, sessionId);
		const before = (await ask(chair, 'speakers:limit', { sessionId, seconds: 180 })).state as SessionState;
		await eventually(() => expect(live.state.version).toBe(before.version));
		socket.io.reconnectionDelay(200).randomizationFactor(0);

		server = await restartServer(server, 'SIGKILL');
		const again = await liveSocket(server.url, roster.moderator);
		open.push(again);
		const paused = (await ask(again, 'session:pause', { sessionId })).state as SessionState;
		expect(paused.version).toBe(before.version + 1);

		await eventually(() => expect(live.state).toMatchObject({ version: paused.version, status: 'paused' }), { timeoutMs: 15_000 });
		expect(socket.recovered).toBe(false);
		expect(sent.filter((event) => event === 'session:join')).toHaveLength(2);
	});
});
