import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, dropTransport, heard, liveSocket, reconnect } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

type State = { sessionId: string; version: number; speaking: { name: string } | null; status: string };
type Presence = { sessionId: string; users: { name: string }[] };

/** The client's rule: keep the snapshot with the highest version seen. */
const newest = (states: State[]) => states.reduce<State | undefined>((kept, state) => (kept && kept.version > state.version ? kept : state), undefined);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends())('a live socket that drops and comes back (connection state recovery) on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	const sockets: Socket[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		sockets.forEach((s) => s.close());
		await server.stop();
		await server.dispose();
	});

	async function socketOf(client: Parameters<typeof liveSocket>[1]) {
		const socket = await liveSocket(server.url, client);
		sockets.push(socket);
		return socket;
	}

	/** A started session the chair has joined, with the chair's view of who is present. */
	async function runningSession() {
		const documentId = await createDocument(roster.member, roster.groupId, 'Recommendations');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Sitting', agenda: ['Opening'], documentIds: [documentId] });
		const sessionId: string = created.body.session.id;
		const chair = await socketOf(roster.moderator);
		const presence = heard<Presence>(chair, 'presence');
		await ask(chair, 'session:join', { sessionId });
		await ask(chair, 'session:start', { sessionId });
		const present = () => presence.at(-1)?.users.map((u) => u.name) ?? [];
		/** Drops `socket` and waits until the server saw it go (else a change could still reach it live). */
		const away = async (socket: Socket, name: string) => {
			await eventually(() => expect(present()).toContain(name));
			await dropTransport(socket);
			await eventually(() => expect(present()).not.toContain(name));
		};
		return { sessionId, chair, present, away };
	}

	it('a participant whose socket drops while the moderator gives the floor comes back with the right state, without joining again', async () => {
		const { sessionId, chair, present, away } = await runningSession();
		const participant = await socketOf(roster.participant);
		const states = heard<State>(participant, 'session:state');
		await ask(participant, 'session:join', { sessionId });
		await ask(await socketOf(roster.member), 'hand:raise', { sessionId });
		await eventually(() => expect(newest(states)?.version).toBeGreaterThan(0));

		await away(participant, 'Ерлан Сұлтанов');
		const given = (await ask(chair, 'speakers:next', { sessionId, expectedSpeakerId: null })).state as State;
		expect(given.speaking?.name).toBe('Dilnoza Karimova');
		expect(newest(states)!.version).toBeLessThan(given.version);

		expect(await reconnect(participant)).toBe(true);
		await eventually(() => expect(newest(states)).toMatchObject({ version: given.version, speaking: { name: 'Dilnoza Karimova' } }));
		await eventually(() => expect(present()).toContain('Ерлан Сұлтанов'));

		// Still in the room although it did not join again: the next change arrives live.
		const ended = (await ask(chair, 'speakers:next', { sessionId })).state as State;
		await eventually(() => expect(newest(states)).toMatchObject({ version: ended.version, speaking: null }));
		expect(await ask(participant, 'hand:raise', { sessionId })).toMatchObject({ ok: true });
	});

	it('a member removed while their socket was away is not recovered and gets nothing more of the session', async () => {
		const { sessionId, chair, away } = await runningSession();
		const temp = await newUser(server.url, 'Temporary participant');
		await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: temp.user.email, role: 'participant' });
		const socket = await socketOf(temp);
		const states = heard<State>(socket, 'session:state');
		const presence = heard<Presence>(socket, 'presence');
		expect((await ask(socket, 'session:join', { sessionId })).ok).toBe(true);
		await eventually(() => expect(presence.length).toBeGreaterThan(0));

		await away(socket, 'Temporary participant');
		expect((await roster.organizer.delete(`/api/groups/${roster.groupId}/members/${temp.user.id}`)).status).toBe(204);
		await ask(chair, 'agenda:current', { sessionId, itemId: null });
		await ask(chair, 'speakers:limit', { sessionId, seconds: 90 });
		const [statesBefore, presenceBefore] = [states.length, presence.length];

		expect(await reconnect(socket)).toBe(false);
		await ask(chair, 'session:pause', { sessionId });
		await pause(500);
		expect(states.slice(statesBefore)).toEqual([]);
		expect(presence.slice(presenceBefore)).toEqual([]);
		expect(await ask(socket, 'session:join', { sessionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
	});

	it('a socket whose login was logged out while it was away does not come back', async () => {
		const { sessionId, chair, away } = await runningSession();
		const person = await newUser(server.url, 'Logged out meanwhile');
		await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: person.user.email, role: 'member' });
		const socket = await socketOf(person);
		const states = heard<State>(socket, 'session:state');
		await ask(socket, 'session:join', { sessionId });
		await ask(chair, 'speakers:limit', { sessionId, seconds: 60 });
		await eventually(() => expect(states.length).toBe(1));

		await away(socket, 'Logged out meanwhile');
		expect((await person.post('/api/auth/logout')).status).toBe(204);
		await ask(chair, 'speakers:limit', { sessionId, seconds: 120 });

		const refused = await reconnect(socket).then(
			() => null,
			(error: Error & { data?: { code?: string } }) => error
		);
		expect(refused?.data?.code).toBe('UNAUTHENTICATED');
		await pause(300);
		expect(states).toHaveLength(1);
	});

	it('a participant made observer while away is not recovered, joins again and gets the whole state in the answer', async () => {
		const { sessionId, chair, away } = await runningSession();
		const person = await newUser(server.url, 'Demoted meanwhile');
		await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: person.user.email, role: 'participant' });
		const socket = await socketOf(person);
		await ask(socket, 'session:join', { sessionId });
		await ask(chair, 'speakers:limit', { sessionId, seconds: 60 });

		await away(socket, 'Demoted meanwhile');
		expect((await roster.organizer.patch(`/api/groups/${roster.groupId}/members/${person.user.id}`, { role: 'observer' })).status).toBe(200);
		const limited = (await ask(chair, 'speakers:limit', { sessionId, seconds: 300 })).state as State;

		expect(await reconnect(socket)).toBe(false);
		expect(await ask(socket, 'hand:raise', { sessionId })).toMatchObject({ ok: false });
		const joined = await ask(socket, 'session:join', { sessionId });
		expect(joined.state).toMatchObject({ version: limited.version, speakerLimitSeconds: 300 });
		expect(await ask(socket, 'hand:raise', { sessionId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
	});
});
