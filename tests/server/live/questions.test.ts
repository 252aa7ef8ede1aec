import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recorder, writeDocument } from '../../helpers/comments';
import { createDocument, seedGroup } from '../../helpers/group';
import { ask, liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

/**
 * The question stream of a session (issue 5, part 2): questions about recommendations, upvotes,
 * answered, pinned, hidden, and pre-moderation where new questions wait for approval.
 */
type Who = 'organizer' | 'moderator' | 'member' | 'member2' | 'participant' | 'observer' | 'stranger';

describe.each(backends())('questions in a session over Socket.IO on %s', (backend) => {
	let server: RunningServer;
	const sockets: Socket[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		sockets.forEach((s) => s.close());
		await server.stop();
		await server.dispose();
	});

	async function world() {
		const roster = await seedGroup(server.url);
		const documentId = await createDocument(roster.member, roster.groupId);
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Plenary', documentIds: [documentId] });
		expect(created.status).toBe(201);
		const sessionId: string = created.body.session.id;
		const socket = async (who: Who) => {
			const s = await liveSocket(server.url, roster[who]);
			sockets.push(s);
			return s;
		};
		const joined = async (who: Who) => {
			const s = await socket(who);
			expect((await ask(s, 'session:join', { sessionId })).ok, who).toBe(true);
			return s;
		};
		const questions = async (who: Who) => (await ask(await socket(who), 'comments:list', { sessionId })).comments as any[];
		return { roster, documentId, sessionId, socket, joined, questions };
	}

	it('session:join joins the question stream and the comment streams of the session\'s documents', async () => {
		const w = await world();
		const listener = recorder(await w.joined('observer'));
		const member = await w.socket('member');
		const question = (await ask(member, 'comment:add', { sessionId: w.sessionId, body: 'When do we vote?' })).comment;
		const comment = (await ask(member, 'comment:add', { documentId: w.documentId, body: 'On the text' })).comment;
		expect(question).toMatchObject({ sessionId: w.sessionId, documentId: null, status: 'visible' });
		await eventually(() => expect(listener.heard.map((h) => h.id)).toEqual([question.id, comment.id]));
		expect(await ask(await w.socket('stranger'), 'comments:list', { sessionId: w.sessionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'Session not found' } });
		expect(await ask(await w.socket('stranger'), 'comments:list', { sessionId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'Session not found' } });
	});

	it('a question may name a recommendation of a session document; an unknown one, a document outside the session or an anchor are refused', async () => {
		const w = await world();
		const recommendationId = crypto.randomUUID();
		const editor = await writeDocument(server.url, w.roster.member, w.roster.observer, w.documentId, 'Preamble', recommendationId);
		const participant = await w.socket('participant');
		const asked = await ask(participant, 'comment:add', { sessionId: w.sessionId, documentId: w.documentId, recommendationId, body: 'Why "for life"?' });
		expect(asked.comment).toMatchObject({ sessionId: w.sessionId, documentId: w.documentId, recommendationId });
		expect(await ask(participant, 'comment:add', { sessionId: w.sessionId, documentId: w.documentId, recommendationId: crypto.randomUUID(), body: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		const outside = await createDocument(w.roster.member, w.roster.groupId, 'Not in the session');
		expect(await ask(participant, 'comment:add', { sessionId: w.sessionId, documentId: outside, recommendationId, body: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(participant, 'comment:add', { sessionId: w.sessionId, recommendationId, body: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		expect(await ask(await w.socket('member'), 'comment:add', { sessionId: w.sessionId, body: 'x', anchor: { from: 'AAAA', to: 'AAAA' } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		expect((await w.questions('observer')).map((q) => q.body)).toEqual(['Why "for life"?']);
		editor.destroy();
	});

	it('moderators answer, pin (one at a time), hide and reopen questions; member, participant and observer may not; documents are not answered', async () => {
		const w = await world();
		const watcher = recorder(await w.joined('participant'));
		const asker = await w.socket('member');
		const first = (await ask(asker, 'comment:add', { sessionId: w.sessionId, body: 'First question' })).comment;
		const second = (await ask(asker, 'comment:add', { sessionId: w.sessionId, body: 'Second question' })).comment;
		const onText = (await ask(asker, 'comment:add', { documentId: w.documentId, body: 'On the text' })).comment;
		for (const who of ['member', 'participant', 'observer'] as const) {
			const socket = await w.socket(who);
			for (const event of ['comment:answer', 'comment:pin', 'comment:unpin', 'comment:hide', 'comment:approve']) {
				expect(await ask(socket, event, { commentId: first.id }), `${who} ${event}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
			}
		}
		const chair = await w.socket('moderator');
		expect((await ask(chair, 'comment:pin', { commentId: first.id })).comment).toMatchObject({ pinned: true });
		expect((await ask(await w.socket('organizer'), 'comment:pin', { commentId: second.id })).comment).toMatchObject({ pinned: true });
		await eventually(() => expect(watcher.heard.filter((h) => h.event === 'comment:updated').map((h) => [h.id, h.comment.pinned])).toEqual([[first.id, true], [first.id, false], [second.id, true]]));
		expect((await ask(chair, 'comment:answer', { commentId: second.id })).comment).toMatchObject({ status: 'answered', pinned: true });
		expect(await ask(await w.socket('member'), 'comment:reopen', { commentId: second.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		expect((await ask(chair, 'comment:reopen', { commentId: second.id })).comment.status).toBe('visible');
		expect(await ask(chair, 'comment:answer', { commentId: onText.id })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		expect(await ask(chair, 'comment:resolve', { commentId: first.id })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		expect((await ask(chair, 'comment:hide', { commentId: second.id })).comment).toMatchObject({ status: 'hidden', pinned: false });
		await eventually(() => expect(watcher.about(second.id).at(-1)).toBe('comment:removed'));
		expect((await w.questions('organizer')).map((q) => [q.body, q.status, q.pinned])).toEqual([
			['First question', 'visible', false],
			['Second question', 'hidden', false]
		]);
		expect((await w.questions('participant')).map((q) => q.body)).toEqual(['First question']);
	});

	it('two moderators pinning at once leave exactly one question pinned', async () => {
		const w = await world();
		const asker = await w.socket('member');
		const ids = [];
		for (const body of ['a', 'b', 'c']) ids.push((await ask(asker, 'comment:add', { sessionId: w.sessionId, body })).comment.id);
		const [chair, organizer] = [await w.socket('moderator'), await w.socket('organizer')];
		await Promise.all(ids.map((id, i) => ask(i % 2 ? chair : organizer, 'comment:pin', { commentId: id })));
		expect((await w.questions('observer')).filter((q) => q.pinned)).toHaveLength(1);
	});

	it('pre-moderation: a participant\'s question waits as pending, seen only by moderators and its author, until approved; then everyone gets it', async () => {
		const w = await world();
		const chairSocket = await w.joined('moderator');
		const chair = recorder(chairSocket);
		const authorSocket = await w.joined('participant');
		const author = recorder(authorSocket);
		const other = recorder(await w.joined('member2'));
		for (const who of ['member', 'participant', 'observer'] as const) {
			expect(await ask(await w.socket(who), 'session:premoderation', { sessionId: w.sessionId, enabled: true }), who).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		}
		expect(await ask(await w.socket('stranger'), 'session:premoderation', { sessionId: w.sessionId, enabled: true })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		const switched = await ask(chairSocket, 'session:premoderation', { sessionId: w.sessionId, enabled: true });
		expect(switched.state).toMatchObject({ premoderation: true, version: 2 });
		const pending = (await ask(authorSocket, 'comment:add', { sessionId: w.sessionId, body: 'Is this allowed?' })).comment;
		expect(pending.status).toBe('pending');
		const byModerator = (await ask(chairSocket, 'comment:add', { sessionId: w.sessionId, body: 'Moderators are not held' })).comment;
		expect(byModerator.status).toBe('visible');
		await eventually(() => expect(other.about(byModerator.id)).toEqual(['comment:added visible']));
		expect(other.about(pending.id)).toEqual([]);
		expect(chair.about(pending.id)).toEqual(['comment:added pending']);
		expect(author.about(pending.id)).toEqual(['comment:added pending']);
		expect((await w.questions('member')).map((q) => q.id)).toEqual([byModerator.id]);
		expect((await w.questions('moderator')).map((q) => q.id)).toEqual([pending.id, byModerator.id]);
		expect(await ask(await w.socket('member'), 'comment:upvote', { commentId: pending.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(chairSocket, 'comment:pin', { commentId: pending.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
		expect((await ask(chairSocket, 'comment:approve', { commentId: pending.id })).comment.status).toBe('visible');
		await eventually(() => expect(other.about(pending.id)).toEqual(['comment:added visible']));
		await eventually(() => expect(chair.about(pending.id)).toEqual(['comment:added pending', 'comment:updated visible']));
		await eventually(() => expect(author.about(pending.id)).toEqual(['comment:added pending', 'comment:updated visible']));
		expect((await ask(chairSocket, 'session:premoderation', { sessionId: w.sessionId, enabled: false })).state.premoderation).toBe(false);
		expect((await ask(authorSocket, 'comment:add', { sessionId: w.sessionId, body: 'Free again' })).comment.status).toBe('visible');
		const state = (await w.roster.organizer.get(`/api/sessions/${w.sessionId}`)).body.session;
		expect(state.premoderation).toBe(false);
	});

	it('unread counts per session, and upvotes sort the stream for the client', async () => {
		const w = await world();
		const asker = await w.socket('member');
		const a = (await ask(asker, 'comment:add', { sessionId: w.sessionId, body: 'a' })).comment;
		const b = (await ask(asker, 'comment:add', { sessionId: w.sessionId, body: 'b' })).comment;
		for (const who of ['participant', 'member2', 'moderator'] as const) await ask(await w.socket(who), 'comment:upvote', { commentId: b.id });
		await ask(await w.socket('participant'), 'comment:upvote', { commentId: a.id });
		const observer = await w.socket('observer');
		expect(await ask(observer, 'comments:unread', { groupId: w.roster.groupId })).toEqual({ ok: true, documents: {}, sessions: { [w.sessionId]: 2 } });
		const listed = await ask(observer, 'comments:list', { sessionId: w.sessionId });
		expect(listed.comments.map((q: { id: string; upvotes: number }) => [q.id, q.upvotes])).toEqual([[a.id, 1], [b.id, 3]]);
		await ask(observer, 'comment:read', { sessionId: w.sessionId });
		expect((await ask(observer, 'comments:unread', { groupId: w.roster.groupId })).sessions).toEqual({});
	});
});
