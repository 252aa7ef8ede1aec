import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEditor } from '../../helpers/collab';
import { writeDocument } from '../../helpers/comments';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, liveSocket } from '../../helpers/live';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

type Who = keyof Omit<Roster, 'eventId' | 'groupId'>;

/**
 * The live-session role matrix of reliability.md (AZ-05..AZ-09): for each event, what each role
 * gets. AZ-05 (session:join) and AZ-06 (moderator events) are in sessions.test.ts.
 */
describe.each(backends())('roles in live sessions on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	const sockets: Socket[] = [];
	const editors: TestEditor[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		sockets.forEach((s) => s.close());
		editors.forEach((e) => e.destroy());
		await server.stop();
		await server.dispose();
	});

	async function socketOf(who: Who, of: Roster = roster) {
		const socket = await liveSocket(server.url, of[who]);
		sockets.push(socket);
		return socket;
	}

	/** A started session of `of`'s group with one document holding one recommendation. */
	async function liveSession(of: Roster = roster) {
		const documentId = await createDocument(of.member, of.groupId, 'Recommendations');
		const recommendationId = crypto.randomUUID();
		editors.push(await writeDocument(server.url, of.member, of.observer, documentId, 'Preamble', recommendationId));
		const created = await of.moderator.post(`/api/groups/${of.groupId}/sessions`, { title: 'Sitting', documentIds: [documentId] });
		expect(created.status).toBe(201);
		const sessionId: string = created.body.session.id;
		const chair = await socketOf('moderator', of);
		expect(await ask(chair, 'session:start', { sessionId })).toMatchObject({ ok: true });
		return { sessionId, documentId, recommendationId, chair };
	}

	const state = async (sessionId: string) => (await roster.organizer.get(`/api/sessions/${sessionId}`)).body.session;

	it.each([
		['organizer', true],
		['moderator', true],
		['member', true],
		['participant', true],
		['observer', 'FORBIDDEN'],
		['stranger', 'NOT_FOUND']
	] as const)('AZ-07: hand:raise / hand:lower by a %s → %s, and a refusal changes nothing', async (who, expected) => {
		const s = await liveSession();
		const socket = await socketOf(who);
		const before = await state(s.sessionId);
		const raised = await ask(socket, 'hand:raise', { sessionId: s.sessionId });
		if (expected === true) {
			expect(raised).toMatchObject({ ok: true, state: { speakers: [{ userId: roster[who].user.id }] } });
			const lowered = await ask(socket, 'hand:lower', { sessionId: s.sessionId });
			expect(lowered).toMatchObject({ ok: true, state: { speakers: [] } });
		} else {
			expect(raised).toMatchObject({ ok: false, error: { code: expected } });
			// A hand raised by someone else stays: a refused lower must not take it down.
			await ask(await socketOf('member'), 'hand:raise', { sessionId: s.sessionId });
			const withHand = await state(s.sessionId);
			expect(await ask(socket, 'hand:lower', { sessionId: s.sessionId })).toMatchObject({ ok: false, error: { code: expected } });
			const after = await state(s.sessionId);
			expect(after.version).toBe(withHand.version);
			expect(after.speakers.map((x: { userId: string }) => x.userId)).toEqual([roster.member.user.id]);
			expect(withHand.version).toBe(before.version + 1);
		}
	});

	it.each([
		['organizer', true],
		['moderator', true],
		['member', 'FORBIDDEN'],
		['participant', 'FORBIDDEN'],
		['observer', 'FORBIDDEN'],
		['stranger', 'NOT_FOUND']
	] as const)('AZ-08: document:lock by a %s → %s, and a refusal leaves the document as it was', async (who, expected) => {
		const documentId = await createDocument(roster.member, roster.groupId, 'To lock');
		const socket = await socketOf(who);
		const answer = await ask(socket, 'document:lock', { documentId, locked: true });
		const document = (await roster.organizer.get(`/api/documents/${documentId}`)).body.document;
		if (expected === true) {
			expect(answer).toMatchObject({ ok: true, locked: true });
			expect(document).toMatchObject({ locked: true, lockedBy: { id: roster[who].user.id } });
			expect(document.lockedAt).not.toBeNull();
			expect(await ask(socket, 'document:lock', { documentId, locked: false })).toMatchObject({ ok: true, locked: false });
			expect((await roster.organizer.get(`/api/documents/${documentId}`)).body.document.lockedAt).toBeNull();
		} else {
			expect(answer).toMatchObject({ ok: false, error: { code: expected } });
			expect(document).toMatchObject({ locked: false, lockedAt: null, lockedBy: null });
			// Nor may they unlock what a moderator locked.
			await ask(await socketOf('moderator'), 'document:lock', { documentId, locked: true });
			expect(await ask(socket, 'document:lock', { documentId, locked: false })).toMatchObject({ ok: false, error: { code: expected } });
			expect((await roster.organizer.get(`/api/documents/${documentId}`)).body.document).toMatchObject({ locked: true, lockedBy: { id: roster.moderator.user.id } });
		}
	});

	it.each([
		['organizer', true],
		['moderator', true],
		['member', 'FORBIDDEN'],
		['participant', 'FORBIDDEN'],
		['observer', 'FORBIDDEN'],
		['stranger', 'NOT_FOUND']
	] as const)('AZ-09: vote:open / vote:close by a %s → %s, and a refusal opens or closes nothing', async (who, expected) => {
		const s = await liveSession();
		const socket = who === 'moderator' ? s.chair : await socketOf(who);
		const target = { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId };
		const opened = await ask(socket, 'vote:open', target);
		if (expected === true) {
			expect(opened).toMatchObject({ ok: true, voteId: expect.any(String), state: { vote: { recommendationId: s.recommendationId } } });
			expect(await ask(socket, 'vote:close', { voteId: opened.voteId })).toMatchObject({ ok: true, result: { voteId: opened.voteId }, state: { vote: null } });
			expect((await state(s.sessionId)).vote).toBeNull();
		} else {
			expect(opened).toMatchObject({ ok: false, error: { code: expected } });
			expect((await state(s.sessionId)).vote).toBeNull();
			const { voteId } = await ask(s.chair, 'vote:open', target);
			expect(await ask(socket, 'vote:close', { voteId })).toMatchObject({ ok: false, error: { code: expected } });
			expect((await state(s.sessionId)).vote).toMatchObject({ id: voteId });
		}
	});

	it('AZ-33: vote:cast on a vote of another group is NOT_FOUND and counts nothing', async () => {
		const other = await seedGroup(server.url);
		const s = await liveSession(other);
		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		expect(voteId).toEqual(expect.any(String));
		for (const who of ['organizer', 'moderator', 'member'] as const) {
			expect(await ask(await socketOf(who), 'vote:cast', { voteId, choice: 'yes' }), who).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		}
		expect((await ask(s.chair, 'session:join', { sessionId: s.sessionId })).state.vote).toMatchObject({ id: voteId, cast: 0 });
		const closed = await ask(s.chair, 'vote:close', { voteId });
		expect(closed.result).toMatchObject({ yes: 0, no: 0, abstain: 0 });
	});

	it('AZ-36: a participant hears only its own session, and never an e-mail address, in presence, session:state or any answer', async () => {
		const mine = await liveSession();
		const sameGroup = await liveSession();
		const other = await seedGroup(server.url);
		const otherGroup = await liveSession(other);

		const participant = await socketOf('participant');
		const received: unknown[] = [];
		participant.onAny((event, ...args) => received.push([event, ...args]));
		received.push(await ask(participant, 'session:join', { sessionId: mine.sessionId }));

		// People come and go, speak and vote in all three sessions.
		for (const [session, of] of [
			[mine, roster],
			[sameGroup, roster],
			[otherGroup, other]
		] as const) {
			for (const who of ['organizer', 'member', 'member2', 'observer'] as const) {
				const socket = await socketOf(who, of);
				await ask(socket, 'session:join', { sessionId: session.sessionId });
				await ask(socket, 'presence:update', { sessionId: session.sessionId, status: 'away', documentId: session.documentId });
				if (who !== 'observer') await ask(socket, 'hand:raise', { sessionId: session.sessionId });
			}
			await ask(session.chair, 'session:join', { sessionId: session.sessionId });
			await ask(session.chair, 'speakers:next', { sessionId: session.sessionId });
			const { voteId } = await ask(session.chair, 'vote:open', { sessionId: session.sessionId, documentId: session.documentId, recommendationId: session.recommendationId });
			await ask(session.chair, 'vote:close', { voteId });
		}
		received.push(await ask(participant, 'hand:raise', { sessionId: mine.sessionId }));
		received.push(await ask(participant, 'presence:update', { sessionId: mine.sessionId, status: 'online', documentId: null }));
		await new Promise((resolve) => setTimeout(resolve, 500));

		const events = received.filter(Array.isArray).map((entry) => entry[0]);
		expect(events).toContain('presence');
		expect(events).toContain('session:state');
		const everything = JSON.stringify(received);
		expect(everything).toContain(mine.sessionId);
		expect(everything).toContain(roster.member.user.name);
		expect(everything).not.toContain('@');
		for (const email of [roster.member.user.email, roster.organizer.user.email, other.member.user.email]) expect(everything).not.toContain(email);
		expect(everything).not.toContain(sameGroup.sessionId);
		expect(everything).not.toContain(otherGroup.sessionId);
		for (const who of ['organizer', 'member', 'member2', 'moderator'] as const) expect(everything).not.toContain(other[who].user.id);
		for (const entry of received.filter(Array.isArray)) {
			const [event, payload] = entry as [string, { sessionId?: string; state?: { sessionId: string } }];
			if (event === 'presence' || event === 'session:state') expect(payload.sessionId, event).toBe(mine.sessionId);
		}
	});
});
