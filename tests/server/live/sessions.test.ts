import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser } from '../../helpers/client';
import { openEditor } from '../../helpers/collab';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, heard, liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';

describe.each(backends())('live sessions over Socket.IO on %s', (backend) => {
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

	async function socketOf(who: keyof Omit<Roster, 'eventId' | 'groupId'>) {
		const socket = await liveSocket(server.url, roster[who]);
		sockets.push(socket);
		return socket;
	}

	async function newSession(agenda: string[] = ['Opening', 'Recommendation 1', 'Closing']) {
		const documentId = await createDocument(roster.member, roster.groupId, 'Recommendations');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, {
			title: 'Second sitting',
			startsAt: '2026-12-08T09:00:00+06:00',
			agenda: [...agenda.slice(0, -1), { title: agenda.at(-1), plannedMinutes: 15 }],
			documentIds: [documentId]
		});
		expect(created.status).toBe(201);
		return created.body.session as { id: string; agenda: { id: string; title: string; plannedMinutes: number | null }[]; documentIds: string[] };
	}

	it('a moderator creates a session with its agenda and documents; the API answers the DESIGN shape', async () => {
		const session = await newSession();
		expect(session).toMatchObject({ title: 'Second sitting', status: 'scheduled', groupId: roster.groupId });
		expect(session.agenda.map((item) => [item.title, item.plannedMinutes])).toEqual([['Opening', null], ['Recommendation 1', null], ['Closing', 15]]);
		expect(session.documentIds).toHaveLength(1);
	});

	it.each([
		['member', 403],
		['participant', 403],
		['observer', 403],
		['stranger', 404]
	] as const)('a %s cannot create a session (%i) and none is created', async (who, status) => {
		const response = await roster[who].post(`/api/groups/${roster.groupId}/sessions`, { title: 'Not allowed' });
		expect(response.status).toBe(status);
		const list = await roster.organizer.get(`/api/groups/${roster.groupId}/sessions`);
		expect(list.body.sessions.map((s: { title: string }) => s.title)).not.toContain('Not allowed');
	});

	it('bad session bodies are refused with VALIDATION: a document of another group, a 201-character title, 101 agenda items', async () => {
		const other = await seedGroup(server.url);
		const foreignDoc = await createDocument(other.member, other.groupId);
		for (const body of [
			{ title: 'x', documentIds: [foreignDoc] },
			{ title: 'x'.repeat(201) },
			{ title: 'x', agenda: Array(101).fill('item') },
			{ title: 'x', startsAt: 'tomorrow' }
		]) {
			const response = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, body);
			expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
			expect(['VALIDATION', 'TOO_LONG']).toContain(response.body.error.code);
		}
	});

	it('AZ-05: every role may join and gets the whole state; a stranger, an unknown id and a malformed payload are refused', async () => {
		const session = await newSession();
		for (const who of ['organizer', 'moderator', 'member', 'participant', 'observer'] as const) {
			const answer = await ask(await socketOf(who), 'session:join', { sessionId: session.id });
			expect(answer.ok, who).toBe(true);
			expect(answer.state).toMatchObject({ sessionId: session.id, status: 'scheduled', version: 1, speakers: [] });
		}
		const stranger = await socketOf('stranger');
		expect(await ask(stranger, 'session:join', { sessionId: session.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(stranger, 'session:join', { sessionId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		for (const payload of [undefined, {}, { sessionId: 42 }, { sessionId: 'nope' }, { sessionId: session.id, extra: true }]) {
			expect(await ask(stranger, 'session:join', payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
	});

	it.each(['member', 'participant', 'observer'] as const)('moderator events sent by a %s are refused FORBIDDEN and change nothing for anyone (AZ-06)', async (who) => {
		const session = await newSession();
		const socket = await socketOf(who);
		await ask(socket, 'session:join', { sessionId: session.id });
		const events: [string, object][] = [
			['session:start', { sessionId: session.id }],
			['session:pause', { sessionId: session.id }],
			['session:close', { sessionId: session.id }],
			['agenda:current', { sessionId: session.id, itemId: session.agenda[0]!.id }],
			['speakers:next', { sessionId: session.id }],
			['speakers:limit', { sessionId: session.id, seconds: 60 }]
		];
		for (const [event, payload] of events) {
			expect(await ask(socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		}
		const state = (await roster.organizer.get(`/api/sessions/${session.id}`)).body.session;
		expect(state).toMatchObject({ version: 1, status: 'scheduled', currentItemId: null, speaking: null, speakerLimitSeconds: null });
	});

	it('the moderator runs the session: start, current item, list of speakers with a point of order first, next speaker, close — everyone gets each state', async () => {
		const session = await newSession();
		const chair = await socketOf('moderator');
		const member = await socketOf('member');
		const participant = await socketOf('participant');
		const observer = await socketOf('observer');
		for (const socket of [chair, member, participant, observer]) await ask(socket, 'session:join', { sessionId: session.id });
		const seen: number[] = [];
		observer.on('session:state', (state) => seen.push(state.version));

		expect((await ask(chair, 'session:start', { sessionId: session.id })).state.status).toBe('live');
		expect((await ask(chair, 'agenda:current', { sessionId: session.id, itemId: session.agenda[1]!.id })).state.currentItemId).toBe(session.agenda[1]!.id);
		await ask(participant, 'hand:raise', { sessionId: session.id, recommendationId: crypto.randomUUID() });
		await ask(member, 'hand:raise', { sessionId: session.id, pointOfOrder: true });
		const observerHand = await ask(observer, 'hand:raise', { sessionId: session.id });
		expect(observerHand).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

		const listed = (await ask(chair, 'speakers:limit', { sessionId: session.id, seconds: 120 })).state;
		expect(listed.speakers.map((s: { name: string }) => s.name)).toEqual(['Dilnoza Karimova', 'Ерлан Сұлтанов']);
		const first = (await ask(chair, 'speakers:next', { sessionId: session.id, expectedSpeakerId: null })).state;
		expect(first.speaking).toMatchObject({ name: 'Dilnoza Karimova', pointOfOrder: true, limitSeconds: 120 });
		const second = (await ask(chair, 'speakers:next', { sessionId: session.id })).state;
		expect(second.speaking).toMatchObject({ name: 'Ерлан Сұлтанов' });
		expect(second.spoken.map((s: { name: string; role: string }) => [s.name, s.role])).toEqual([['Dilnoza Karimova', 'member']]);
		const closed = (await ask(chair, 'session:close', { sessionId: session.id })).state;
		expect(closed).toMatchObject({ status: 'closed', speaking: null, speakers: [] });
		await eventually(() => expect(seen.at(-1)).toBe(closed.version));
		expect(seen).toEqual([...seen].sort((a, b) => a - b));
		expect(new Set(seen).size).toBe(seen.length);
	});

	it('a participant raising a hand 50 times at once is one hand', async () => {
		const session = await newSession();
		const participant = await socketOf('participant');
		await ask(participant, 'session:join', { sessionId: session.id });
		const answers = await Promise.all(Array.from({ length: 50 }, () => ask(participant, 'hand:raise', { sessionId: session.id })));
		expect(answers.every((a) => a.ok)).toBe(true);
		const state = (await roster.organizer.get(`/api/sessions/${session.id}`)).body.session;
		expect(state.speakers).toHaveLength(1);
		expect(state.version).toBe(2);
	});

	it('two moderators pressing "next speaker" on the same state give the floor once', async () => {
		const session = await newSession();
		const [a, b] = [await socketOf('moderator'), await socketOf('organizer')];
		for (const who of ['member', 'member2', 'participant'] as const) {
			const socket = await socketOf(who);
			await ask(socket, 'hand:raise', { sessionId: session.id });
		}
		await ask(a, 'session:start', { sessionId: session.id });
		const answers = await Promise.all([a, b].map((s) => ask(s, 'speakers:next', { sessionId: session.id, expectedSpeakerId: null })));
		expect(answers.filter((x) => x.ok)).toHaveLength(1);
		expect(answers.find((x) => !x.ok)).toMatchObject({ error: { code: 'CONFLICT' } });
		const state = (await roster.organizer.get(`/api/sessions/${session.id}`)).body.session;
		expect(state.speaking.name).toBe('Dilnoza Karimova');
		expect(state.speakers).toHaveLength(2);
	});

	it('the moderator reorders, renames, adds and removes agenda items; time spent is kept; others may not', async () => {
		const session = await newSession(['Opening', 'Judges', 'Closing']);
		const chair = await socketOf('moderator');
		const [opening, judges, closing] = session.agenda;
		await ask(chair, 'session:start', { sessionId: session.id });
		await ask(chair, 'agenda:current', { sessionId: session.id, itemId: closing!.id });
		const updated = await ask(chair, 'agenda:update', {
			sessionId: session.id,
			items: [
				{ id: judges!.id, title: 'Appointment of judges', plannedMinutes: 40 },
				{ id: opening!.id, title: 'Opening', plannedMinutes: 5 },
				{ title: 'Any other business', plannedMinutes: null }
			]
		});
		expect(updated.ok).toBe(true);
		expect(updated.state.agenda.map((item: { title: string; plannedMinutes: number | null }) => [item.title, item.plannedMinutes])).toEqual([
			['Appointment of judges', 40],
			['Opening', 5],
			['Any other business', null]
		]);
		expect(updated.state.currentItemId).toBeNull(); // "Closing" was current and is gone
		expect(await ask(await socketOf('member'), 'agenda:update', { sessionId: session.id, items: [] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		const other = await newSession();
		expect(await ask(chair, 'agenda:update', { sessionId: session.id, items: [{ id: other.agenda[0]!.id, title: 'Stolen', plannedMinutes: null }] })).toMatchObject({
			ok: false,
			error: { code: 'NOT_FOUND' }
		});
		expect((await roster.organizer.get(`/api/sessions/${session.id}`)).body.session.agenda).toHaveLength(3);
	});

	it("an agenda item of another session is NOT_FOUND and changes nothing (AZ-33)", async () => {
		const session = await newSession();
		const other = await newSession();
		const chair = await socketOf('moderator');
		expect(await ask(chair, 'agenda:current', { sessionId: session.id, itemId: other.agenda[0]!.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect((await roster.organizer.get(`/api/sessions/${session.id}`)).body.session.version).toBe(1);
	});

	it('an unknown event is answered UNKNOWN_EVENT and the socket stays; an event without an ack does not throw (BI-26)', async () => {
		const socket = await socketOf('member');
		expect(await ask(socket, 'session:explode', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
		socket.emit('hand:raise', { sessionId: crypto.randomUUID() });
		expect(socket.connected).toBe(true);
		expect((await fetch(server.url + '/healthz')).status).toBe(200);
	});

	it('clock:read answers the clock session times are written with, read when asked; anything in its payload is refused VALIDATION', async () => {
		const socket = await socketOf('stranger');
		const before = Date.now();
		const answer = await ask(socket, 'clock:read', {});
		const after = Date.now();
		expect(answer).toMatchObject({ ok: true, serverNow: expect.any(String) });
		// Server and test share this machine's clock (PGlite's, and PostgreSQL's on localhost).
		expect(Date.parse(answer.serverNow)).toBeGreaterThanOrEqual(before - 5);
		expect(Date.parse(answer.serverNow)).toBeLessThanOrEqual(after + 5);
		expect(await ask(socket, 'clock:read', { at: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
	});

	it('presence lists each person once however many tabs, and drops them when they leave', async () => {
		const session = await newSession();
		const watcher = await socketOf('observer');
		const presence: { users: { name: string }[] }[] = [];
		watcher.on('presence', (payload) => presence.push(payload));
		await ask(watcher, 'session:join', { sessionId: session.id });
		const tab1 = await socketOf('member');
		const tab2 = await socketOf('member');
		await ask(tab1, 'session:join', { sessionId: session.id });
		await ask(tab2, 'session:join', { sessionId: session.id });
		await eventually(() => expect(presence.at(-1)!.users.map((u) => u.name).sort()).toEqual(['Dilnoza Karimova', 'Sophie Laurent']));
		tab1.close();
		tab2.close();
		await eventually(() => expect(presence.at(-1)!.users.map((u) => u.name)).toEqual(['Sophie Laurent']));
		expect(JSON.stringify(presence)).not.toContain('@example.org');
	});

	it('presence shows away when every tab of a person is hidden, and the document a visible tab shows', async () => {
		const session = await newSession();
		const watcher = await socketOf('observer');
		const presence: { users: { name: string; status: string; documentId: string | null }[] }[] = [];
		watcher.on('presence', (payload) => presence.push(payload));
		await ask(watcher, 'session:join', { sessionId: session.id });
		const [tab1, tab2] = [await socketOf('member'), await socketOf('member')];
		expect(await ask(tab1, 'presence:update', { sessionId: session.id, status: 'online', documentId: null })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		await ask(tab1, 'session:join', { sessionId: session.id });
		await ask(tab2, 'session:join', { sessionId: session.id });
		await ask(tab1, 'presence:update', { sessionId: session.id, status: 'away', documentId: null });
		await ask(tab2, 'presence:update', { sessionId: session.id, status: 'online', documentId: session.documentIds[0] });
		const member = () => presence.at(-1)!.users.find((u) => u.name === 'Dilnoza Karimova');
		await eventually(() => expect(member()).toMatchObject({ status: 'online', documentId: session.documentIds[0] }));
		await ask(tab2, 'presence:update', { sessionId: session.id, status: 'away', documentId: session.documentIds[0] });
		await eventually(() => expect(member()).toMatchObject({ status: 'away' }));
		expect(await ask(tab2, 'presence:update', { sessionId: session.id, status: 'asleep', documentId: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
	});

	it('a removed member is taken out of the session room and hears nothing more', async () => {
		const session = await newSession();
		const temp = await newUser(server.url, 'Temporary');
		await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: temp.user.email, role: 'participant' });
		const socket = await liveSocket(server.url, temp);
		sockets.push(socket);
		await ask(socket, 'session:join', { sessionId: session.id });
		const heard: number[] = [];
		socket.on('session:state', (state) => heard.push(state.version));
		await roster.organizer.delete(`/api/groups/${roster.groupId}/members/${temp.user.id}`);
		const chair = await socketOf('moderator');
		await new Promise((resolve) => setTimeout(resolve, 300));
		await ask(chair, 'session:start', { sessionId: session.id });
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(heard).toEqual([]);
		expect(await ask(socket, 'hand:raise', { sessionId: session.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
	});

	it('the minutes write themselves: a heading when an item starts, a line when a speaker finishes, into the minutes document', async () => {
		const minutesId = await createDocument(roster.member, roster.groupId, 'Minutes of the second sitting', 'minutes');
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, {
			title: 'Sitting with minutes',
			agenda: ['Independence of judges', 'Access to justice'],
			documentIds: [minutesId]
		});
		const session = created.body.session as { id: string; agenda: { id: string }[] };
		const editor = openEditor(server.url, roster.observer, minutesId);
		const chair = await socketOf('moderator');
		await ask(chair, 'session:start', { sessionId: session.id });
		await ask(chair, 'agenda:current', { sessionId: session.id, itemId: session.agenda[0]!.id });
		await ask(await socketOf('member'), 'hand:raise', { sessionId: session.id });
		await ask(chair, 'speakers:next', { sessionId: session.id });
		await ask(chair, 'speakers:next', { sessionId: session.id });
		await ask(chair, 'agenda:current', { sessionId: session.id, itemId: session.agenda[1]!.id });
		await eventually(() => expect(editor.text()).toMatch(/^Independence of judges\nDilnoza Karimova \(Member\) — \d+ s\nAccess to justice$/), { timeoutMs: 10_000 });
		editor.destroy();
	});

	it('the moderator points the room at a document and a recommendation; others may not, and only documents of the session', async () => {
		const session = await newSession();
		const chair = await socketOf('moderator');
		const member = await socketOf('member');
		const recommendationId = crypto.randomUUID();
		const focused = await ask(chair, 'session:focus', { sessionId: session.id, documentId: session.documentIds[0], recommendationId });
		expect(focused.state.focus).toEqual({ documentId: session.documentIds[0], recommendationId, position: null });
		expect(await ask(member, 'session:focus', { sessionId: session.id, documentId: null, recommendationId: null })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		const elsewhere = await createDocument(roster.member, roster.groupId, 'Not in the session');
		expect(await ask(chair, 'session:focus', { sessionId: session.id, documentId: elsewhere, recommendationId: null })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
	});

	it('the moderator shares where they are in the focused document: a block and a fraction reach everyone in the state and are kept', async () => {
		const session = await newSession();
		const [documentId] = session.documentIds;
		const chair = await socketOf('moderator');
		const participant = await socketOf('participant');
		const states = heard<{ version: number; focus: unknown }>(participant, 'session:state');
		await ask(participant, 'session:join', { sessionId: session.id });
		const focus = (position: object | null, recommendationId: string | null = null) => ({ sessionId: session.id, documentId, recommendationId, position });

		const at = await ask(chair, 'session:focus', focus({ block: 12, fraction: 0.25 }));
		expect(at.state.focus).toEqual({ documentId, recommendationId: null, position: { block: 12, fraction: 0.25 } });
		await eventually(() => expect(states.at(-1)).toEqual(at.state));
		const kept = (await roster.organizer.get(`/api/sessions/${session.id}`)).body.session;
		expect(kept).toMatchObject({ version: at.state.version, focus: { position: { block: 12, fraction: 0.25 } } });

		// The same place again is no change: no new version, nothing sent.
		expect((await ask(chair, 'session:focus', focus({ block: 12, fraction: 0.25 }))).state.version).toBe(at.state.version);
		// Pointing at a recommendation (no position) replaces the whole focus.
		const recommendationId = crypto.randomUUID();
		const pointed = await ask(chair, 'session:focus', focus(null, recommendationId));
		expect(pointed.state.focus).toEqual({ documentId, recommendationId, position: null });
		expect(pointed.state.version).toBe(at.state.version + 1);
		await eventually(() => expect(states.at(-1)?.version).toBe(pointed.state.version));
	});

	it('a bad position is refused with VALIDATION, a position from anyone but a moderator FORBIDDEN; neither changes anything', async () => {
		const session = await newSession();
		const [documentId] = session.documentIds;
		const chair = await socketOf('moderator');
		const base = { sessionId: session.id, documentId, recommendationId: null };
		for (const payload of [
			{ ...base, position: { block: -1, fraction: 0 } },
			{ ...base, position: { block: 2.5, fraction: 0 } },
			{ ...base, position: { block: 100_001, fraction: 0 } },
			{ ...base, position: { block: 3, fraction: 1.01 } },
			{ ...base, position: { block: 3, fraction: -0.1 } },
			{ ...base, position: { block: 3, fraction: '0.5' } },
			{ ...base, position: { block: 3 } },
			{ ...base, position: { block: 3, fraction: 0.5, pixels: 1200 } },
			{ ...base, position: 'top' },
			{ ...base, documentId: null, position: { block: 3, fraction: 0.5 } }
		]) {
			const answer = await ask(chair, 'session:focus', payload);
			expect(answer.ok, JSON.stringify(payload)).toBe(false);
			expect(['VALIDATION', 'TOO_LONG'], JSON.stringify(payload)).toContain(answer.error.code);
		}
		for (const who of ['member', 'participant', 'observer'] as const) {
			const socket = await socketOf(who);
			expect(await ask(socket, 'session:focus', { ...base, position: { block: 3, fraction: 0.5 } }), who).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		}
		expect(await ask(await socketOf('stranger'), 'session:focus', { ...base, position: { block: 3, fraction: 0.5 } })).toMatchObject({
			ok: false,
			error: { code: 'NOT_FOUND' }
		});
		const state = (await roster.organizer.get(`/api/sessions/${session.id}`)).body.session;
		expect(state).toMatchObject({ version: 1, focus: { documentId: null, recommendationId: null, position: null } });
	});

	it('a flood of position updates is refused RATE_LIMITED past 10 a second, and the server stays up', async () => {
		const session = await newSession();
		const chair = await socketOf('moderator');
		const answers = await Promise.all(
			Array.from({ length: 30 }, (_, block) =>
				ask(chair, 'session:focus', { sessionId: session.id, documentId: session.documentIds[0], recommendationId: null, position: { block, fraction: 0 } })
			)
		);
		const accepted = answers.filter((a) => a.ok).length;
		expect(accepted).toBeGreaterThan(0);
		expect(accepted).toBeLessThanOrEqual(20);
		expect(answers.find((a) => !a.ok)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
		expect((await roster.organizer.get(`/api/sessions/${session.id}`)).body.session.version).toBe(1 + accepted);
		expect((await fetch(server.url + '/healthz')).status).toBe(200);
	});

	it('a session survives a restart: state, list of speakers and spoken time, and the version keeps growing', async () => {
		const session = await newSession();
		const chair = await socketOf('moderator');
		await ask(chair, 'session:start', { sessionId: session.id });
		await ask(await socketOf('participant'), 'hand:raise', { sessionId: session.id });
		await ask(await socketOf('member'), 'hand:raise', { sessionId: session.id });
		await ask(chair, 'speakers:next', { sessionId: session.id });
		const before = (await ask(chair, 'speakers:next', { sessionId: session.id })).state;
		server = await restartServer(server, 'SIGKILL');
		sockets.length = 0;
		const after = (await roster.organizer.get(`/api/sessions/${session.id}`)).body.session;
		expect(after).toMatchObject({ status: 'live', version: before.version, speaking: { name: before.speaking.name }, spoken: before.spoken });
		const again = await liveSocket(server.url, roster.moderator);
		sockets.push(again);
		expect((await ask(again, 'session:pause', { sessionId: session.id })).state.version).toBe(before.version + 1);
	});
});
