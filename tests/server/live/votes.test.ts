import type { Socket } from 'socket.io-client';
import type { SessionState } from '../../../src/lib/protocol/live';
import { LiveSession } from '../../../src/lib/realtime/live-session.svelte';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openEditor, type TestEditor } from '../../helpers/collab';
import { writeDocument } from '../../helpers/comments';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, heard, liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';
import type { Db } from '../../../src/lib/server/db/db';
import { openPglite } from '../../../src/lib/server/db/pglite';
import { openPostgres } from '../../../src/lib/server/db/postgres';
import { appendUpdate, loadContent } from '../../../src/lib/server/documents';

type Who = keyof Omit<Roster, 'eventId' | 'groupId'>;

/** The status attribute of the recommendation `id` in an editor's copy of the text, or null. */
function statusIn(editor: TestEditor, id: string): string | null {
	const walker = editor.doc
		.getXmlFragment('default')
		.createTreeWalker((node) => node instanceof Y.XmlElement && node.nodeName === 'recommendation' && node.getAttribute('id') === id);
	const found = walker.next();
	return found.done ? null : ((found.value as Y.XmlElement).getAttribute('status') ?? null);
}

describe.each(backends())('votes in a live session on %s', (backend) => {
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

	async function socketOf(who: Who) {
		const socket = await liveSocket(server.url, roster[who]);
		sockets.push(socket);
		return socket;
	}

	/** A live session with one document holding one recommendation (in the server's copy). */
	async function liveSession(options: { start?: boolean } = {}) {
		const documentId = await createDocument(roster.member, roster.groupId, 'Recommendations');
		const recommendationId = crypto.randomUUID();
		editors.push(await writeDocument(server.url, roster.member, roster.observer, documentId, 'Preamble', recommendationId));
		const created = await roster.moderator.post(`/api/groups/${roster.groupId}/sessions`, { title: 'Voting sitting', documentIds: [documentId] });
		expect(created.status).toBe(201);
		const sessionId: string = created.body.session.id;
		const chair = await socketOf('moderator');
		if (options.start !== false) expect(await ask(chair, 'session:start', { sessionId })).toMatchObject({ ok: true });
		return { sessionId, documentId, recommendationId, chair };
	}

	it('only a moderator (or organizer) opens and closes a vote; members and moderators cast; a stranger gets NOT_FOUND (AZ-09, AZ-10)', async () => {
		const refused = { participant: 'FORBIDDEN', observer: 'FORBIDDEN', member: 'FORBIDDEN', stranger: 'NOT_FOUND' } as const;
		const s = await liveSession();
		for (const [who, code] of Object.entries(refused)) {
			const answer = await ask(await socketOf(who as Who), 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
			expect(answer, who).toMatchObject({ ok: false, error: { code } });
		}
		const opened = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		expect(opened).toMatchObject({ ok: true, voteId: expect.any(String), state: { vote: { recommendationId: s.recommendationId, documentId: s.documentId, cast: 0 } } });
		// The room is pointed at what it votes on (followers and the projector go there).
		expect(opened.state.focus).toEqual({ documentId: s.documentId, recommendationId: s.recommendationId, position: null });
		const voteId: string = opened.voteId;

		const castBy = { organizer: true, moderator: true, member: true, member2: true, participant: 'FORBIDDEN', observer: 'FORBIDDEN', stranger: 'NOT_FOUND' } as const;
		for (const [who, expected] of Object.entries(castBy)) {
			const answer = await ask(who === 'moderator' ? s.chair : await socketOf(who as Who), 'vote:cast', { voteId, choice: 'yes' });
			if (expected === true) expect(answer, who).toMatchObject({ ok: true });
			else expect(answer, who).toMatchObject({ ok: false, error: { code: expected } });
		}
		for (const who of ['member', 'participant', 'observer', 'stranger'] as const) {
			const answer = await ask(await socketOf(who), 'vote:close', { voteId });
			expect(answer, who).toMatchObject({ ok: false, error: { code: who === 'stranger' ? 'NOT_FOUND' : 'FORBIDDEN' } });
		}
		const closed = await ask(await socketOf('organizer'), 'vote:close', { voteId });
		expect(closed).toMatchObject({ ok: true, result: { voteId, yes: 4, no: 0, abstain: 0, outcome: 'adopted' }, state: { vote: null } });
	});

	it('malformed payloads are refused with VALIDATION and open nothing (BI-31)', async () => {
		const s = await liveSession();
		const member = await socketOf('member');
		const bad: [string, unknown][] = [
			['vote:open', { sessionId: s.sessionId, documentId: s.documentId }],
			['vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: 'rec-1' }],
			['vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId, extra: 1 }],
			['vote:open', null],
			['vote:cast', { voteId: crypto.randomUUID(), choice: 'maybe' }],
			['vote:cast', { voteId: 'x', choice: 'yes' }],
			['vote:cast', 'yes'],
			['vote:close', {}],
			['vote:close', { voteId: 42 }]
		];
		for (const [event, payload] of bad) {
			const answer = await ask(event === 'vote:cast' ? member : s.chair, event, payload);
			expect(answer, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
		expect(await ask(s.chair, 'vote:cast', { voteId: crypto.randomUUID(), choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(s.chair, 'vote:close', { voteId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect((await ask(s.chair, 'session:join', { sessionId: s.sessionId })).state.vote).toBeNull();
	});

	it('a second ballot by the same person is refused ALREADY_VOTED and the first one stands (BI-31)', async () => {
		const s = await liveSession();
		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		const member = await socketOf('member');
		expect(await ask(member, 'vote:cast', { voteId, choice: 'no' })).toMatchObject({ ok: true, state: { vote: { cast: 1 } } });
		const again = await Promise.all([ask(member, 'vote:cast', { voteId, choice: 'yes' }), ask(member, 'vote:cast', { voteId, choice: 'yes' })]);
		for (const answer of again) expect(answer).toMatchObject({ ok: false, error: { code: 'ALREADY_VOTED' } });
		const closed = await ask(s.chair, 'vote:close', { voteId });
		expect(closed.result).toMatchObject({ yes: 0, no: 1, abstain: 0, outcome: 'rejected' });
		expect(await ask(member, 'vote:cast', { voteId, choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
		expect(await ask(s.chair, 'vote:close', { voteId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
	});

	it('one vote at a time per session, and only while it is live: CONFLICT otherwise', async () => {
		const s = await liveSession({ start: false });
		const target = { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId };
		expect(await ask(s.chair, 'vote:open', target)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
		await ask(s.chair, 'session:start', { sessionId: s.sessionId });
		const both = await Promise.all([ask(s.chair, 'vote:open', target), ask(s.chair, 'vote:open', target)]);
		expect(both.filter((answer) => answer.ok)).toHaveLength(1);
		expect(both.find((answer) => !answer.ok)).toMatchObject({ error: { code: 'CONFLICT' } });
		const voteId = both.find((answer) => answer.ok).voteId;
		await ask(s.chair, 'session:pause', { sessionId: s.sessionId });
		expect(await ask(await socketOf('member'), 'vote:cast', { voteId, choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
		await ask(s.chair, 'session:start', { sessionId: s.sessionId });
		await ask(s.chair, 'vote:close', { voteId });
		expect(await ask(s.chair, 'vote:open', target)).toMatchObject({ ok: true });
	});

	it('a recommendation not in the document, a document of another session or of another group is NOT_FOUND', async () => {
		const s = await liveSession();
		const other = await liveSession();
		const foreign = await seedGroup(server.url);
		const foreignDoc = await createDocument(foreign.member, foreign.groupId);
		const cases = [
			{ documentId: s.documentId, recommendationId: crypto.randomUUID() },
			{ documentId: s.documentId, recommendationId: other.recommendationId },
			{ documentId: other.documentId, recommendationId: other.recommendationId },
			{ documentId: foreignDoc, recommendationId: s.recommendationId }
		];
		for (const target of cases) {
			expect(await ask(s.chair, 'vote:open', { sessionId: s.sessionId, ...target }), JSON.stringify(target)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		}
		expect((await ask(s.chair, 'session:join', { sessionId: s.sessionId })).state.vote).toBeNull();
	});

	it('everyone hears the count while it runs (never who voted what), then the result; the outcome is written into the text as the server', async () => {
		const s = await liveSession();
		const observer = await socketOf('observer');
		await ask(observer, 'session:join', { sessionId: s.sessionId });
		const states = heard(observer, 'session:state');
		const results = heard(observer, 'vote:result');
		const reader = openEditor(server.url, roster.observer, s.documentId);
		editors.push(reader);
		await eventually(() => expect(statusIn(reader, s.recommendationId)).toBe('draft'), { timeoutMs: 10_000 });

		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		await ask(await socketOf('member'), 'vote:cast', { voteId, choice: 'yes' });
		await ask(await socketOf('member2'), 'vote:cast', { voteId, choice: 'no' });
		await ask(s.chair, 'vote:cast', { voteId, choice: 'abstain' });
		await eventually(() => expect(states.at(-1)?.vote).toMatchObject({ id: voteId, cast: 3 }));
		for (const state of states) expect(JSON.stringify(state.vote ?? {})).not.toMatch(/yes|no"|abstain|userId/);

		// The document is locked: the server writes the outcome all the same.
		expect(await ask(s.chair, 'document:lock', { documentId: s.documentId, locked: true })).toMatchObject({ ok: true });
		const closed = await ask(s.chair, 'vote:close', { voteId });
		const expected = { voteId, recommendationId: s.recommendationId, yes: 1, no: 1, abstain: 1, outcome: 'rejected' };
		expect(closed.result).toMatchObject(expected);
		await eventually(() => expect(results).toEqual([expect.objectContaining(expected)]));
		await eventually(() => expect(states.at(-1)).toMatchObject({ vote: null, voteResults: [expected] }));
		await eventually(() => expect(statusIn(reader, s.recommendationId)).toBe('rejected'), { timeoutMs: 10_000 });

		// A second vote on the same recommendation: yes > no adopts it.
		await ask(s.chair, 'document:lock', { documentId: s.documentId, locked: false });
		const second = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		await ask(await socketOf('member'), 'vote:cast', { voteId: second.voteId, choice: 'yes' });
		expect((await ask(s.chair, 'vote:close', { voteId: second.voteId })).result).toMatchObject({ yes: 1, no: 0, outcome: 'adopted' });
		await eventually(() => expect(statusIn(reader, s.recommendationId)).toBe('adopted'), { timeoutMs: 10_000 });
		const fresh = openEditor(server.url, roster.participant, s.documentId);
		editors.push(fresh);
		await eventually(() => expect(statusIn(fresh, s.recommendationId)).toBe('adopted'), { timeoutMs: 10_000 });
	});

	it('closing the session closes its open vote: the result is announced, kept in the state and written into the text', async () => {
		const s = await liveSession();
		const member = await socketOf('member');
		await ask(member, 'session:join', { sessionId: s.sessionId });
		const results = heard(member, 'vote:result');
		const reader = openEditor(server.url, roster.observer, s.documentId);
		editors.push(reader);
		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		await ask(member, 'vote:cast', { voteId, choice: 'yes' });
		const closed = await ask(s.chair, 'session:close', { sessionId: s.sessionId });
		expect(closed).toMatchObject({ ok: true, state: { status: 'closed', vote: null, voteResults: [{ voteId, yes: 1, outcome: 'adopted' }] } });
		await eventually(() => expect(results).toEqual([expect.objectContaining({ voteId, outcome: 'adopted' })]));
		await eventually(() => expect(statusIn(reader, s.recommendationId)).toBe('adopted'), { timeoutMs: 10_000 });
		expect(await ask(s.chair, 'vote:close', { voteId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
	});

	it('a page opened after its person voted knows the ballot is counted (the join says which open votes they voted in)', async () => {
		const s = await liveSession();
		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		await ask(await socketOf('member'), 'vote:cast', { voteId, choice: 'no' });
		const joined = await ask(await socketOf('member'), 'session:join', { sessionId: s.sessionId });
		expect(joined).toMatchObject({ ok: true, votedIn: [voteId] });
		expect(await ask(await socketOf('member2'), 'session:join', { sessionId: s.sessionId })).toMatchObject({ ok: true, votedIn: [] });
		// The page's own client takes it from there: no Yes/No buttons, "counted".
		const initial = (await roster.member.get(`/api/sessions/${s.sessionId}`)).body.session as SessionState;
		const page = new LiveSession(initial, { url: server.url, extraHeaders: { cookie: roster.member.cookieHeader(), origin: server.url } });
		try {
			await eventually(() => expect(page.votedIn).toEqual([voteId]));
		} finally {
			page.destroy();
		}
		await ask(s.chair, 'vote:close', { voteId });
		expect(await ask(await socketOf('member'), 'session:join', { sessionId: s.sessionId })).toMatchObject({ ok: true, votedIn: [] });
	});

	it('an open vote survives a restart: its ballots count, a second ballot is still refused, and the outcome is stored in the text', async () => {
		const s = await liveSession();
		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		await ask(await socketOf('member'), 'vote:cast', { voteId, choice: 'yes' });
		server = await restartServer(server, 'SIGKILL');
		sockets.splice(0).forEach((socket) => socket.close());
		editors.splice(0).forEach((editor) => editor.destroy());

		const chair = await socketOf('moderator');
		expect((await ask(chair, 'session:join', { sessionId: s.sessionId })).state.vote).toMatchObject({ id: voteId, cast: 1 });
		const member = await socketOf('member');
		expect(await ask(member, 'vote:cast', { voteId, choice: 'no' })).toMatchObject({ ok: false, error: { code: 'ALREADY_VOTED' } });
		expect(await ask(await socketOf('member2'), 'vote:cast', { voteId, choice: 'yes' })).toMatchObject({ ok: true, state: { vote: { cast: 2 } } });
		expect((await ask(chair, 'vote:close', { voteId })).result).toMatchObject({ yes: 2, no: 0, outcome: 'adopted' });

		// Stored like any edit: still there after another restart, with no editor open meanwhile.
		const reader = openEditor(server.url, roster.observer, s.documentId);
		await eventually(() => expect(statusIn(reader, s.recommendationId)).toBe('adopted'), { timeoutMs: 10_000 });
		reader.destroy();
		server = await restartServer(server, 'SIGTERM');
		sockets.splice(0).forEach((socket) => socket.close());
		const after = openEditor(server.url, roster.observer, s.documentId);
		editors.push(after);
		await eventually(() => expect(statusIn(after, s.recommendationId)).toBe('adopted'), { timeoutMs: 10_000 });
		const joined = await ask(await socketOf('observer'), 'session:join', { sessionId: s.sessionId });
		expect(joined.state).toMatchObject({ vote: null, voteResults: [{ voteId, outcome: 'adopted' }] });
	});

	it("a vote closed just before a crash whose outcome never reached the text gets it written at the next start", async () => {
		const s = await liveSession();
		const { voteId } = await ask(s.chair, 'vote:open', { sessionId: s.sessionId, documentId: s.documentId, recommendationId: s.recommendationId });
		await ask(await socketOf('member'), 'vote:cast', { voteId, choice: 'yes' });
		expect((await ask(s.chair, 'vote:close', { voteId })).result).toMatchObject({ outcome: 'adopted' });
		await server.stop();
		sockets.splice(0).forEach((socket) => socket.close());
		editors.splice(0).forEach((editor) => editor.destroy());

		// The state a crash between storing the result and writing the text leaves behind.
		const db: Db = server.env.DATABASE_URL ? await openPostgres(server.env.DATABASE_URL) : await openPglite(server.env.DATA_DIR!);
		try {
			await db.sql`update votes set outcome_written_at = null where id = ${voteId}`;
			const doc = new Y.Doc();
			for (const update of (await loadContent(db, s.documentId)).updates) Y.applyUpdate(doc, update);
			const before = Y.encodeStateVector(doc);
			const recommendation = doc
				.getXmlFragment('default')
				.createTreeWalker((node) => node instanceof Y.XmlElement && node.getAttribute('id') === s.recommendationId)
				.next().value as Y.XmlElement;
			recommendation.setAttribute('status', 'proposed');
			await appendUpdate(db, s.documentId, Y.encodeStateAsUpdate(doc, before));
		} finally {
			await db.close();
		}

		server = await restartServer(server, 'SIGTERM');
		const reader = openEditor(server.url, roster.observer, s.documentId);
		editors.push(reader);
		await eventually(() => expect(statusIn(reader, s.recommendationId)).toBe('adopted'), { timeoutMs: 10_000 });
		await eventually(() => expect(server.output()).toContain('wrote the outcome of a vote closed before the restart'));
		// Written once: a further start finds nothing owed.
		server = await restartServer(server, 'SIGTERM');
		sockets.splice(0).forEach((socket) => socket.close());
		await ask(await socketOf('observer'), 'session:join', { sessionId: s.sessionId });
		expect(server.output()).not.toContain('wrote the outcome of a vote closed before the restart');
	});
});
