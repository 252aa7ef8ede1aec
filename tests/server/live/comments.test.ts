import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser } from '../../helpers/client';
import { anchorOf, recorder, writeDocument } from '../../helpers/comments';
import { createDocument, seedGroup } from '../../helpers/group';
import { ask, liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';

/**
 * Comments on documents over Socket.IO (DESIGN.md realtime contract; reliability.md BI-20..BI-24,
 * AZ-11..AZ-15, AZ-32, AZ-34). Each test seeds its own group, so the per-person rate limit of one
 * test never touches another.
 */
type Who = 'organizer' | 'moderator' | 'member' | 'member2' | 'participant' | 'observer' | 'stranger';

describe.each(backends())('comments on documents over Socket.IO on %s', (backend) => {
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

	/** A group with a document; `socket(who)` connects one of its people (and joins nothing). */
	async function world() {
		const roster = await seedGroup(server.url);
		const documentId = await createDocument(roster.member, roster.groupId);
		const socket = async (who: Who) => {
			const s = await liveSocket(server.url, roster[who]);
			sockets.push(s);
			return s;
		};
		const joined = async (who: Who) => {
			const s = await socket(who);
			expect((await ask(s, 'document:join', { documentId })).ok, who).toBe(true);
			return s;
		};
		const list = async (who: Who) => (await roster[who].get(`/api/documents/${documentId}/comments`)).body.comments as any[];
		return { roster, documentId, socket, joined, list };
	}

	/**
	 * Waits until `listener` has heard an edit of `marker` made after everything before: the stream
	 * is ordered, so whatever else it was going to hear about earlier changes has arrived by then.
	 */
	let markers = 0;
	async function barrier(editor: Socket, markerId: string, listener: ReturnType<typeof recorder>) {
		const body = `marker ${++markers}`;
		expect((await ask(editor, 'comment:edit', { commentId: markerId, body })).ok).toBe(true);
		await eventually(() => expect(listener.heard.some((h) => h.id === markerId && h.comment?.body === body)).toBe(true));
	}

	it('every role of the group joins a document stream and gets its comments; a stranger and an unknown id get the same NOT_FOUND; bad payloads are VALIDATION (AZ-15)', async () => {
		const w = await world();
		for (const who of ['organizer', 'moderator', 'member', 'participant', 'observer'] as const) {
			const answer = await ask(await w.socket(who), 'document:join', { documentId: w.documentId });
			expect(answer, who).toMatchObject({ ok: true, comments: [], upvoted: [], unread: 0 });
		}
		const stranger = await w.socket('stranger');
		const refused = await ask(stranger, 'document:join', { documentId: w.documentId });
		const unknown = await ask(stranger, 'document:join', { documentId: crypto.randomUUID() });
		expect(refused).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Document not found' } });
		expect(unknown).toEqual(refused);
		for (const payload of [undefined, {}, { documentId: 'nope' }, { documentId: w.documentId, extra: 1 }]) {
			expect(await ask(stranger, 'document:join', payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
	});

	it('document:leave stops the stream for that socket only', async () => {
		const w = await world();
		const leaving = await w.joined('observer');
		const heard = recorder(leaving);
		const staying = recorder(await w.joined('participant'));
		expect(await ask(leaving, 'document:leave', { documentId: w.documentId })).toEqual({ ok: true });
		const author = await w.joined('member');
		const { comment } = await ask(author, 'comment:add', { documentId: w.documentId, body: 'After the leave' });
		await barrier(author, comment.id, staying);
		expect(heard.heard).toEqual([]);
	});

	it.each(['organizer', 'moderator', 'member', 'participant'] as const)('a %s comments and replies; everyone in the stream receives it and the list shows it (AZ-11)', async (who) => {
		const w = await world();
		const observer = recorder(await w.joined('observer'));
		const author = await w.joined(who);
		const added = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Article 5 needs a deadline.' });
		expect(added).toMatchObject({
			ok: true,
			comment: { documentId: w.documentId, sessionId: null, authorId: w.roster[who].user.id, authorName: w.roster[who].user.name, body: 'Article 5 needs a deadline.', anchor: null, parentId: null, upvotes: 0, status: 'visible', deleted: false, pinned: false, editedAt: null }
		});
		expect(Date.parse(added.comment.createdAt)).toBeGreaterThan(Date.now() - 60_000);
		const reply = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Agreed.', parentId: added.comment.id });
		expect(reply.comment.parentId).toBe(added.comment.id);
		// A reply to a reply joins the thread's first comment.
		const nested = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Me too.', parentId: reply.comment.id });
		expect(nested.comment.parentId).toBe(added.comment.id);
		await eventually(() => expect(observer.heard.map((h) => h.event)).toEqual(['comment:added', 'comment:added', 'comment:added']));
		expect((await w.list('observer')).map((c) => c.body)).toEqual(['Article 5 needs a deadline.', 'Agreed.', 'Me too.']);
	});

	it('an observer may not comment (FORBIDDEN) and a stranger gets NOT_FOUND; nothing is stored or sent (AZ-11)', async () => {
		const w = await world();
		const moderator = await w.joined('moderator');
		const heard = recorder(moderator);
		const marker = (await ask(moderator, 'comment:add', { documentId: w.documentId, body: 'marker' })).comment;
		expect(await ask(await w.joined('observer'), 'comment:add', { documentId: w.documentId, body: 'Observer speaking' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		expect(await ask(await w.socket('stranger'), 'comment:add', { documentId: w.documentId, body: 'Stranger speaking' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(await w.socket('member'), 'comment:add', { documentId: w.documentId, body: 'Reply to nothing', parentId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		await barrier(moderator, marker.id, heard);
		expect(heard.heard.filter((h) => h.id !== marker.id)).toEqual([]);
		expect((await w.list('moderator')).map((c) => c.id)).toEqual([marker.id]);
	});

	it('a body that is missing, a number, an object or an array is VALIDATION naming body, and nothing is stored (BI-20)', async () => {
		const w = await world();
		const member = await w.joined('member');
		for (const body of [undefined, 42, { text: 'x' }, ['x']]) {
			const answer = await ask(member, 'comment:add', { documentId: w.documentId, body });
			expect(answer, JSON.stringify(body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
			expect(answer.error.message).toMatch(/^body: /);
		}
		for (const payload of [undefined, 'text', {}, { body: 'no stream' }, { documentId: w.documentId, body: 'x', authorId: w.roster.moderator.user.id }]) {
			expect(await ask(member, 'comment:add', payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
		expect(await w.list('moderator')).toEqual([]);
	});

	it('10,000 Kazakh characters are accepted and come back byte-identical; 10,001 are TOO_LONG; empty and blank bodies are VALIDATION (BI-21)', async () => {
		const w = await world();
		const member = await w.joined('member');
		const kazakh = 'әғқңөұүһі '.repeat(1000).slice(0, 9999) + 'і';
		expect([...kazakh]).toHaveLength(10_000);
		const accepted = await ask(member, 'comment:add', { documentId: w.documentId, body: kazakh });
		expect(accepted.ok).toBe(true);
		expect(accepted.comment.body).toBe(kazakh);
		expect((await w.list('observer'))[0].body).toBe(kazakh);
		// Astral characters count once each: 10,000 emoji are 20,000 UTF-16 units and still allowed.
		const emoji = '🇰'.repeat(10_000);
		expect((await ask(member, 'comment:add', { documentId: w.documentId, body: emoji })).ok).toBe(true);
		expect(await ask(member, 'comment:add', { documentId: w.documentId, body: kazakh + 'ә' })).toMatchObject({ ok: false, error: { code: 'TOO_LONG' } });
		for (const body of ['', '   ', '\n\t ']) {
			expect(await ask(member, 'comment:add', { documentId: w.documentId, body })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
		expect(await w.list('observer')).toHaveLength(2);
	});

	it('markup in a body is stored and returned verbatim as text, over the socket and the API (BI-22)', async () => {
		const w = await world();
		const member = await w.joined('member');
		const observer = recorder(await w.joined('observer'));
		const bodies = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '[x](javascript:alert(1))', 'j\tavascript:alert(1)'];
		for (const body of bodies) expect((await ask(member, 'comment:add', { documentId: w.documentId, body })).comment.body).toBe(body);
		await eventually(() => expect(observer.heard.map((h) => h.comment.body)).toEqual(bodies));
		const response = await w.roster.observer.get(`/api/documents/${w.documentId}/comments`);
		expect(response.headers.get('content-type')).toContain('application/json');
		expect(response.body.comments.map((c: { body: string }) => c.body)).toEqual(bodies);
	});

	it('NUL and lone surrogates are VALIDATION; bidi controls are kept (BI-24)', async () => {
		const w = await world();
		const member = await w.joined('member');
		for (const body of ['before\u0000after', 'broken \ud800 text', 'bell\u0007']) {
			expect(await ask(member, 'comment:add', { documentId: w.documentId, body })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
		const bidi = 'x' + '\u202e\u202d'.repeat(25) + 'y';
		expect((await ask(member, 'comment:add', { documentId: w.documentId, body: bidi })).comment.body).toBe(bidi);
		expect((await w.list('member')).map((c) => c.body)).toEqual([bidi]);
	});

	it('an anchor on words of the document is stored and returned; a malformed one is VALIDATION; one from another document is NOT_FOUND; so is an unknown recommendation (BI-23)', async () => {
		const w = await world();
		const recommendationId = crypto.randomUUID();
		const editor = await writeDocument(server.url, w.roster.member, w.roster.observer, w.documentId, 'The court shall be independent', recommendationId);
		const otherDocument = await createDocument(w.roster.member, w.roster.groupId, 'Other');
		const other = await writeDocument(server.url, w.roster.member, w.roster.observer, otherDocument, 'Another text', crypto.randomUUID());
		const member = await w.joined('member');
		const anchor = anchorOf(editor.doc, 'court');
		const anchored = await ask(member, 'comment:add', { documentId: w.documentId, body: 'Which court?', anchor, recommendationId });
		expect(anchored).toMatchObject({ ok: true, comment: { anchor, recommendationId } });
		const bad = [
			{ from: 'not base64!', to: anchor.to },
			{ from: 'AAAA', to: anchor.to },
			{ from: anchor.from },
			{ from: anchor.from, to: anchor.to, extra: 'x' },
			{ from: 'A'.repeat(200), to: anchor.to },
			{ from: Buffer.from([1, 7, 95, 95, 97, 100, 109, 105, 110]).toString('base64'), to: anchor.to } // a root type other than "default"
		];
		for (const wrong of bad) {
			expect(await ask(member, 'comment:add', { documentId: w.documentId, body: 'x', anchor: wrong }), JSON.stringify(wrong)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		}
		const foreign = anchorOf(other.doc, 'Another');
		expect(await ask(member, 'comment:add', { documentId: w.documentId, body: 'x', anchor: foreign })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(member, 'comment:add', { documentId: w.documentId, body: 'x', recommendationId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect((await w.list('member')).map((c) => c.body)).toEqual(['Which court?']);
		editor.destroy();
		other.destroy();
	});

	it('a member moves a thread to other words (comment:anchor): stored and sent to the stream; participant and observer FORBIDDEN, stranger NOT_FOUND; bad payloads, a reply, foreign words and a locked document change nothing', async () => {
		const w = await world();
		const editor = await writeDocument(server.url, w.roster.member, w.roster.observer, w.documentId, 'The court shall be independent', crypto.randomUUID());
		const otherDocument = await createDocument(w.roster.member, w.roster.groupId, 'Other');
		const other = await writeDocument(server.url, w.roster.member, w.roster.observer, otherDocument, 'Another text', crypto.randomUUID());
		const heard = recorder(await w.joined('observer'));
		const participant = await w.joined('participant');
		const first = anchorOf(editor.doc, 'court');
		const { comment } = await ask(participant, 'comment:add', { documentId: w.documentId, body: 'Which court?', anchor: first });
		const reply = (await ask(participant, 'comment:add', { documentId: w.documentId, body: 'Any court.', parentId: comment.id })).comment;
		const moved = anchorOf(editor.doc, 'independent');
		const anchorNow = async () => (await w.list('moderator')).find((c) => c.id === comment.id).anchor;

		for (const who of ['participant', 'observer'] as const) {
			expect(await ask(await w.socket(who), 'comment:anchor', { commentId: comment.id, anchor: moved }), who).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		}
		expect(await ask(await w.socket('stranger'), 'comment:anchor', { commentId: comment.id, anchor: moved })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		const member = await w.joined('member');
		const bad = [undefined, { commentId: comment.id }, { commentId: 'nope', anchor: moved }, { commentId: comment.id, anchor: moved, extra: 1 }, { commentId: comment.id, anchor: { from: 'AAAA', to: moved.to } }, { commentId: comment.id, anchor: { from: moved.from } }];
		for (const payload of bad) expect(await ask(member, 'comment:anchor', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		expect(await ask(member, 'comment:anchor', { commentId: reply.id, anchor: moved })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
		expect(await ask(member, 'comment:anchor', { commentId: comment.id, anchor: anchorOf(other.doc, 'Another') })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(member, 'comment:anchor', { commentId: crypto.randomUUID(), anchor: moved })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await anchorNow()).toEqual(first);
		expect(heard.about(comment.id)).toEqual(['comment:added visible']);

		expect(await ask(member, 'comment:anchor', { commentId: comment.id, anchor: moved })).toMatchObject({ ok: true, comment: { id: comment.id, anchor: moved, body: 'Which court?' } });
		await eventually(() => expect(heard.heard.filter((h) => h.event === 'comment:updated').map((h) => h.comment.anchor)).toEqual([moved]));
		expect(await anchorNow()).toEqual(moved);

		// Locked: nobody changes the text, so nobody moves its threads, not even a moderator.
		const moderator = await w.socket('moderator');
		expect(await ask(moderator, 'document:lock', { documentId: w.documentId, locked: true })).toMatchObject({ ok: true });
		for (const socket of [member, moderator]) expect(await ask(socket, 'comment:anchor', { commentId: comment.id, anchor: first })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		expect(await anchorNow()).toEqual(moved);
		editor.destroy();
		other.destroy();
	});

	it('a resend with the same clientId answers the same comment, creates none and is not counted by the rate limit', async () => {
		const w = await world();
		const member = await w.joined('member');
		const observer = recorder(await w.joined('observer'));
		const clientId = crypto.randomUUID();
		const payload = { documentId: w.documentId, body: 'Written offline', clientId };
		const first = await ask(member, 'comment:add', payload);
		const again = await Promise.all([1, 2, 3].map(() => ask(member, 'comment:add', payload)));
		expect(again.map((a) => a.comment.id)).toEqual([first.comment.id, first.comment.id, first.comment.id]);
		for (let i = 0; i < 4; i++) expect((await ask(member, 'comment:add', { documentId: w.documentId, body: `more ${i}` })).ok).toBe(true);
		expect(await ask(member, 'comment:add', { documentId: w.documentId, body: 'one too many' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
		expect((await ask(member, 'comment:add', payload)).comment.id).toBe(first.comment.id);
		// Two copies racing on a fresh clientId still make one comment.
		const other = await w.joined('member2');
		const racing = { documentId: w.documentId, body: 'Raced', clientId: 'tab-1_raced' };
		const raced = await Promise.all([ask(other, 'comment:add', racing), ask(other, 'comment:add', racing)]);
		expect(raced[0].comment.id).toBe(raced[1].comment.id);
		expect((await w.list('observer')).map((c) => c.body)).toEqual(['Written offline', 'more 0', 'more 1', 'more 2', 'more 3', 'Raced']);
		await eventually(() => expect(observer.heard).toHaveLength(6));
		for (const [wrong, code] of [['', 'VALIDATION'], ['x'.repeat(65), 'TOO_LONG'], ['has space', 'VALIDATION'], [42, 'VALIDATION']]) {
			expect(await ask(member, 'comment:add', { documentId: w.documentId, body: 'x', clientId: wrong })).toMatchObject({ ok: false, error: { code } });
		}
	});

	it('a sixth comment within 10 seconds is RATE_LIMITED and not stored; others are not affected', async () => {
		const w = await world();
		const member = await w.joined('member');
		const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(member, 'comment:add', { documentId: w.documentId, body: `burst ${i}` })));
		expect(answers.filter((a) => a.ok)).toHaveLength(5);
		for (const refused of answers.filter((a) => !a.ok)) expect(refused.error.code).toBe('RATE_LIMITED');
		expect(await w.list('member')).toHaveLength(5);
		expect((await ask(await w.joined('member2'), 'comment:add', { documentId: w.documentId, body: 'someone else' })).ok).toBe(true);
	});

	it('upvotes: participant and up once each, a second is ALREADY_UPVOTED; an observer FORBIDDEN, a stranger NOT_FOUND (AZ-12)', async () => {
		const w = await world();
		const author = await w.joined('member');
		const watcher = recorder(await w.joined('observer'));
		const { comment } = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Upvote me' });
		let count = 0;
		for (const who of ['organizer', 'moderator', 'member', 'participant'] as const) {
			const socket = await w.socket(who);
			const answer = await ask(socket, 'comment:upvote', { commentId: comment.id });
			expect(answer, who).toMatchObject({ ok: true, comment: { id: comment.id, upvotes: ++count } });
			expect(await ask(socket, 'comment:upvote', { commentId: comment.id })).toMatchObject({ ok: false, error: { code: 'ALREADY_UPVOTED' } });
		}
		expect(await ask(await w.socket('observer'), 'comment:upvote', { commentId: comment.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		expect(await ask(await w.socket('stranger'), 'comment:upvote', { commentId: comment.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		// Concurrent upvotes of one person: one counts.
		const twice = await Promise.all([1, 2].map(async () => ask(await w.socket('member2'), 'comment:upvote', { commentId: comment.id })));
		expect(twice.filter((a) => a.ok)).toHaveLength(1);
		const listed = await w.roster.member2.get(`/api/documents/${w.documentId}/comments`);
		expect(listed.body.comments[0].upvotes).toBe(5);
		expect(listed.body.upvoted).toEqual([comment.id]);
		// Upvote counts are coalesced (at most one comment:updated per comment per 100 ms), the latest count last.
		await eventually(() => expect(watcher.heard.filter((h) => h.id === comment.id && h.event === 'comment:updated').at(-1)?.comment.upvotes).toBe(5));
		const counts = watcher.heard.filter((h) => h.id === comment.id && h.event === 'comment:updated').map((h) => h.comment.upvotes);
		expect(counts.length).toBeLessThanOrEqual(5);
		expect(counts).toEqual([...counts].sort((a, b) => a - b));
	});

	it('upvotes within 100 ms reach the others as one comment:updated with the latest count; a later change of the comment comes after it', async () => {
		const w = await world();
		const author = await w.joined('member');
		const watcher = recorder(await w.joined('observer'));
		const { comment } = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Coalesce me' });
		const voters = await Promise.all((['organizer', 'moderator', 'participant'] as const).map((who) => w.socket(who)));
		const answers = await Promise.all(voters.map((socket) => ask(socket, 'comment:upvote', { commentId: comment.id })));
		expect(answers.map((a) => a.ok)).toEqual([true, true, true]);
		await eventually(() => expect(watcher.about(comment.id)).toContain('comment:updated visible'));
		await new Promise((resolve) => setTimeout(resolve, 300));
		const updates = watcher.heard.filter((h) => h.id === comment.id && h.event === 'comment:updated');
		expect(updates.at(-1)!.comment.upvotes).toBe(3);
		expect(updates.length).toBeLessThan(3);
		// An upvote right before an edit: the edit carries the new count and nothing older comes after it.
		watcher.clear();
		expect((await ask(await w.socket('member2'), 'comment:upvote', { commentId: comment.id })).ok).toBe(true);
		expect((await ask(author, 'comment:edit', { commentId: comment.id, body: 'Coalesced' })).ok).toBe(true);
		await eventually(() => expect(watcher.heard.at(-1)?.comment.body).toBe('Coalesced'));
		await new Promise((resolve) => setTimeout(resolve, 300));
		const heard = watcher.heard.map((h) => [h.event, h.comment.upvotes, h.comment.body]);
		expect(heard.at(-1)).toEqual(['comment:updated', 4, 'Coalesced']);
		expect(heard.length).toBeLessThanOrEqual(2);
	});

	it('an upvote right before a hide: moderators get the count and the hide, the others comment:removed and nothing after it', async () => {
		const w = await world();
		const author = await w.joined('member');
		const others = recorder(await w.joined('observer'));
		const moderators = recorder(await w.joined('organizer'));
		const { comment } = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Hide me soon' });
		await eventually(() => expect(others.about(comment.id)).toEqual(['comment:added visible']));
		const [vote, hide] = await Promise.all([
			ask(await w.socket('participant'), 'comment:upvote', { commentId: comment.id }),
			ask(await w.socket('moderator'), 'comment:hide', { commentId: comment.id })
		]);
		expect(hide.ok).toBe(true);
		await eventually(() => expect(moderators.heard.filter((h) => h.id === comment.id).at(-1)?.status).toBe('hidden'));
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(others.about(comment.id).at(-1)).toBe('comment:removed');
		expect(others.about(comment.id).filter((e) => e === 'comment:removed')).toHaveLength(1);
		const last = moderators.heard.filter((h) => h.id === comment.id).at(-1)!;
		expect(last.comment).toMatchObject({ status: 'hidden', upvotes: vote.ok ? 1 : 0 });
	});

	it('upvote counts read while hides and unhides are still being applied never leave anyone with an older state than the last', async () => {
		const w = await world();
		const authors = [await w.joined('member'), await w.joined('member2')];
		const others = recorder(await w.joined('observer'));
		const moderators = recorder(await w.joined('organizer'));
		const ids: string[] = [];
		for (const [i, author] of authors.entries()) {
			for (let n = 0; n < 4; n++) ids.push((await ask(author, 'comment:add', { documentId: w.documentId, body: `Toggle ${i}.${n}` })).comment.id);
		}
		const marker = (await ask(authors[1]!, 'comment:add', { documentId: w.documentId, body: 'marker' })).comment.id;
		const voter = await w.socket('participant');
		const chair = await w.socket('moderator');
		// The counts go out 100 ms after the first upvote. Just before, a burst of hides and unhides of
		// the same comments starts, applied one by one in the stream's order, so what the counts read
		// is overtaken before they are sent; nothing is sent after the burst but the counts.
		const firstUpvote = Date.now();
		for (const id of ids) expect((await ask(voter, 'comment:upvote', { commentId: id })).ok).toBe(true);
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstUpvote + 70 - Date.now())));
		const toggles = ids.flatMap((commentId) => Array.from({ length: 12 }, (_, n) => ask(chair, n % 2 ? 'comment:unhide' : 'comment:hide', { commentId })));
		expect((await Promise.all(toggles)).every((answer) => answer.ok)).toBe(true);
		await new Promise((resolve) => setTimeout(resolve, 300));
		await barrier(authors[1]!, marker, others);
		await barrier(authors[1]!, marker, moderators);
		const now = new Map((await w.list('organizer')).map((c) => [c.id, c]));
		for (const id of ids) {
			const status = now.get(id)!.status;
			const last = moderators.heard.filter((h) => h.id === id).at(-1)!;
			expect([last.event, last.status, last.comment.upvotes], id).toEqual(['comment:updated', status, 1]);
			expect(others.about(id).at(-1), id).toMatch(status === 'hidden' ? /^comment:removed$/ : /^comment:(added|updated) visible$/);
		}
	});

	it.each([
		['organizer', true, true],
		['moderator', true, true],
		['member', true, false],
		['participant', true, false]
	] as const)('a %s resolves own threads (%s) and others\' (%s) and reopens them; an observer neither (AZ-13)', async (who, own, others) => {
		const w = await world();
		const actor = await w.joined(who);
		const other = await w.joined('member2');
		const mine = (await ask(actor, 'comment:add', { documentId: w.documentId, body: 'Mine' })).comment;
		const theirs = (await ask(other, 'comment:add', { documentId: w.documentId, body: 'Theirs' })).comment;
		const expectOutcome = async (id: string, allowed: boolean) => {
			const resolved = await ask(actor, 'comment:resolve', { commentId: id });
			if (!allowed) {
				expect(resolved).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
				return;
			}
			expect(resolved.comment.status).toBe('resolved');
			expect((await ask(actor, 'comment:reopen', { commentId: id })).comment.status).toBe('visible');
			expect((await ask(actor, 'comment:resolve', { commentId: id })).comment.status).toBe('resolved');
		};
		await expectOutcome(mine.id, own);
		await expectOutcome(theirs.id, others);
		const observer = await w.joined('observer');
		for (const id of [mine.id, theirs.id]) expect(await ask(observer, 'comment:reopen', { commentId: id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		const statuses = Object.fromEntries((await w.list('observer')).map((c) => [c.body, c.status]));
		expect(statuses).toEqual({ Mine: own ? 'resolved' : 'visible', Theirs: others ? 'resolved' : 'visible' });
	});

	it('a moderator hides a thread: moderators get comment:updated, everyone else comment:removed and no longer sees it, also its replies; unhide brings it back (AZ-14)', async () => {
		const w = await world();
		const author = await w.joined('participant');
		const moderator = recorder(await w.joined('moderator'));
		const member = recorder(await w.joined('member'));
		const root = (await ask(author, 'comment:add', { documentId: w.documentId, body: 'Off-topic rant' })).comment;
		const reply = (await ask(await w.joined('member2'), 'comment:add', { documentId: w.documentId, body: 'Indeed', parentId: root.id })).comment;
		for (const who of ['member', 'participant', 'observer'] as const) {
			expect(await ask(await w.socket(who), 'comment:hide', { commentId: root.id }), who).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		}
		expect(await ask(await w.socket('stranger'), 'comment:hide', { commentId: root.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		const hidden = await ask(await w.socket('organizer'), 'comment:hide', { commentId: root.id });
		expect(hidden.comment.status).toBe('hidden');
		await eventually(() => expect(member.about(root.id)).toEqual(['comment:added visible', 'comment:removed']));
		await eventually(() => expect(member.about(reply.id)).toEqual(['comment:added visible', 'comment:removed']));
		await eventually(() => expect(moderator.about(root.id)).toEqual(['comment:added visible', 'comment:updated hidden']));
		expect(moderator.about(reply.id)).toEqual(['comment:added visible']);
		expect((await w.list('member')).map((c) => c.id)).toEqual([]);
		expect((await w.list('participant')).map((c) => c.id)).toEqual([]);
		expect((await w.list('moderator')).map((c) => [c.id, c.status])).toEqual([[root.id, 'hidden'], [reply.id, 'visible']]);
		// The author cannot act on it any more; a moderator can.
		expect(await ask(author, 'comment:edit', { commentId: root.id, body: 'Changed' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect(await ask(await w.socket('member'), 'comment:upvote', { commentId: reply.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		expect((await ask(await w.socket('moderator'), 'comment:unhide', { commentId: root.id })).comment.status).toBe('visible');
		await eventually(() => expect(member.about(root.id)).toEqual(['comment:added visible', 'comment:removed', 'comment:added visible']));
		await eventually(() => expect(member.about(reply.id)).toEqual(['comment:added visible', 'comment:removed', 'comment:added visible']));
		expect((await w.list('member')).map((c) => c.id)).toEqual([root.id, reply.id]);
	});

	it('comments of another group: resolve, hide, upvote, edit, delete and reply are NOT_FOUND and change nothing (AZ-32)', async () => {
		const w = await world();
		const g2 = await world();
		const foreign = (await ask(await g2.joined('member'), 'comment:add', { documentId: g2.documentId, body: 'Group 2 business' })).comment;
		const moderator = await w.joined('moderator');
		for (const [event, payload] of [
			['comment:resolve', { commentId: foreign.id }],
			['comment:hide', { commentId: foreign.id }],
			['comment:pin', { commentId: foreign.id }],
			['comment:upvote', { commentId: foreign.id }],
			['comment:edit', { commentId: foreign.id, body: 'hijacked' }],
			['comment:delete', { commentId: foreign.id }],
			['comment:add', { documentId: w.documentId, body: 'cross-group reply', parentId: foreign.id }],
			['comment:add', { documentId: g2.documentId, body: 'into group 2' }],
			['comments:list', { documentId: g2.documentId }],
			['comments:unread', { groupId: g2.roster.groupId }]
		] as const) {
			expect(await ask(moderator, event, payload), event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		}
		expect(await g2.list('member')).toMatchObject([{ id: foreign.id, body: 'Group 2 business', status: 'visible', upvotes: 0 }]);
		expect(await w.list('moderator')).toEqual([]);
	});

	it('no event joins the stream of another group\'s document: a member of group 1 hears nothing of group 2 (AZ-34)', async () => {
		const w = await world();
		const g2 = await world();
		const outsider = await w.joined('moderator');
		const heard = recorder(outsider);
		for (const [event, payload] of [
			['document:join', { documentId: g2.documentId }],
			['comments:list', { documentId: g2.documentId }],
			['comment:read', { documentId: g2.documentId }]
		] as const) {
			expect(await ask(outsider, event, payload), event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
		}
		const g2member = await g2.joined('member');
		const marker = (await ask(await w.joined('member'), 'comment:add', { documentId: w.documentId, body: 'group 1' })).comment;
		await ask(g2member, 'comment:add', { documentId: g2.documentId, body: 'group 2 secret' });
		await barrier(await w.socket('member'), marker.id, heard);
		expect(heard.heard.every((h) => h.comment?.documentId !== g2.documentId)).toBe(true);
		expect(JSON.stringify(heard.heard)).not.toContain('group 2 secret');
	});

	it('the author edits (the old text is kept, editedAt set, mentions recomputed); nobody else may, not even a moderator', async () => {
		const w = await world();
		const author = await w.joined('participant');
		const watcher = recorder(await w.joined('observer'));
		const { comment } = await ask(author, 'comment:add', { documentId: w.documentId, body: 'Ask @dilnoza karimova about it' });
		expect(comment.mentions).toEqual([{ userId: w.roster.member.user.id, start: 4, end: 21 }]);
		const edited = await ask(author, 'comment:edit', { commentId: comment.id, body: 'Ask @Aigerim Bekova, then @Ерлан Сұлтанов.' });
		expect(edited.comment).toMatchObject({ body: 'Ask @Aigerim Bekova, then @Ерлан Сұлтанов.' });
		expect(edited.comment.editedAt).not.toBeNull();
		expect(edited.comment.mentions).toEqual([
			{ userId: w.roster.moderator.user.id, start: 4, end: 19 },
			{ userId: w.roster.participant.user.id, start: 26, end: 41 }
		]);
		for (const who of ['moderator', 'organizer', 'member'] as const) {
			expect(await ask(await w.socket(who), 'comment:edit', { commentId: comment.id, body: 'Not yours' }), who).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		}
		expect(await ask(author, 'comment:edit', { commentId: comment.id, body: 'x'.repeat(10_001) })).toMatchObject({ ok: false, error: { code: 'TOO_LONG' } });
		await eventually(() => expect(watcher.about(comment.id)).toEqual(['comment:added visible', 'comment:updated visible']));
		expect((await w.list('observer'))[0].body).toBe('Ask @Aigerim Bekova, then @Ерлан Сұлтанов.');
	});

	it('the author deletes: without replies it is removed for everyone; with replies it stays as a placeholder without its words', async () => {
		const w = await world();
		const author = await w.joined('member');
		const watcher = recorder(await w.joined('observer'));
		const lonely = (await ask(author, 'comment:add', { documentId: w.documentId, body: 'Delete me' })).comment;
		const root = (await ask(author, 'comment:add', { documentId: w.documentId, body: 'Answered thread' })).comment;
		const reply = (await ask(await w.joined('member2'), 'comment:add', { documentId: w.documentId, body: 'A reply', parentId: root.id })).comment;
		expect(await ask(await w.socket('moderator'), 'comment:delete', { commentId: lonely.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
		expect(await ask(author, 'comment:delete', { commentId: lonely.id })).toEqual({ ok: true, comment: null });
		const placeholder = await ask(author, 'comment:delete', { commentId: root.id });
		expect(placeholder.comment).toMatchObject({ id: root.id, deleted: true, body: '', mentions: [] });
		await eventually(() => expect(watcher.about(lonely.id)).toEqual(['comment:added visible', 'comment:removed']));
		await eventually(() => expect(watcher.about(root.id)).toEqual(['comment:added visible', 'comment:updated visible']));
		expect((await w.list('observer')).map((c) => [c.id, c.deleted, c.body])).toEqual([[root.id, true, ''], [reply.id, false, 'A reply']]);
		// When the last reply goes, the placeholder goes too.
		await ask(await w.socket('member2'), 'comment:delete', { commentId: reply.id });
		await eventually(() => expect(watcher.about(root.id).at(-1)).toBe('comment:removed'));
		expect(await w.list('observer')).toEqual([]);
		expect(await ask(author, 'comment:edit', { commentId: root.id, body: 'back' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
	});

	it('unread counts per document: others\' comments count until the stream is marked read; own ones never', async () => {
		const w = await world();
		const second = await createDocument(w.roster.member, w.roster.groupId, 'Minutes', 'minutes');
		const member = await w.joined('member');
		await ask(member, 'comment:add', { documentId: w.documentId, body: 'one' });
		await ask(member, 'comment:add', { documentId: w.documentId, body: 'two' });
		await ask(member, 'comment:add', { documentId: second, body: 'three' });
		const observer = await w.socket('observer');
		expect(await ask(observer, 'comments:unread', { groupId: w.roster.groupId })).toEqual({ ok: true, documents: { [w.documentId]: 2, [second]: 1 }, sessions: {} });
		expect((await ask(member, 'comments:unread', { groupId: w.roster.groupId })).documents).toEqual({});
		expect((await ask(observer, 'document:join', { documentId: w.documentId })).unread).toBe(2);
		expect(await ask(observer, 'comment:read', { documentId: w.documentId })).toEqual({ ok: true });
		expect((await ask(observer, 'comments:list', { documentId: w.documentId })).unread).toBe(0);
		expect((await ask(observer, 'comments:unread', { groupId: w.roster.groupId })).documents).toEqual({ [second]: 1 });
		await ask(member, 'comment:add', { documentId: w.documentId, body: 'four' });
		expect((await ask(observer, 'comments:unread', { groupId: w.roster.groupId })).documents).toEqual({ [w.documentId]: 1, [second]: 1 });
		expect(await ask(await w.socket('stranger'), 'comments:unread', { groupId: w.roster.groupId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
	});

	it('a removed member stops hearing the document stream; a demoted moderator stops seeing hidden comments', async () => {
		const w = await world();
		const temp = await newUser(server.url, 'Temporary');
		await w.roster.organizer.post(`/api/groups/${w.roster.groupId}/members`, { email: temp.user.email, role: 'moderator' });
		const socket = await liveSocket(server.url, temp);
		sockets.push(socket);
		await ask(socket, 'document:join', { documentId: w.documentId });
		const heard = recorder(socket);
		const author = await w.joined('member');
		const first = (await ask(author, 'comment:add', { documentId: w.documentId, body: 'first' })).comment;
		await eventually(() => expect(heard.about(first.id)).toEqual(['comment:added visible']));
		expect((await w.roster.organizer.patch(`/api/groups/${w.roster.groupId}/members/${temp.user.id}`, { role: 'participant' })).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 300));
		await ask(await w.socket('moderator'), 'comment:hide', { commentId: first.id });
		await eventually(() => expect(heard.about(first.id)).toEqual(['comment:added visible', 'comment:removed']));
		expect((await w.roster.organizer.delete(`/api/groups/${w.roster.groupId}/members/${temp.user.id}`)).status).toBe(204);
		await new Promise((resolve) => setTimeout(resolve, 300));
		const second = (await ask(author, 'comment:add', { documentId: w.documentId, body: 'second' })).comment;
		await barrier(author, second.id, recorder(await w.joined('observer')));
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(heard.about(second.id)).toEqual([]);
		expect(await ask(socket, 'comments:list', { documentId: w.documentId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
	});

	it('after a crash and restart every comment is as it was: text, anchor, edits, status, upvotes, placeholders', async () => {
		const w = await world();
		const recommendationId = crypto.randomUUID();
		const editor = await writeDocument(server.url, w.roster.member, w.roster.observer, w.documentId, 'The court shall be independent', recommendationId);
		const member = await w.joined('member');
		const anchor = anchorOf(editor.doc, 'independent');
		const a = (await ask(member, 'comment:add', { documentId: w.documentId, body: 'Define it', anchor })).comment;
		await ask(member, 'comment:edit', { commentId: a.id, body: 'Define "independent"' });
		await ask(await w.socket('participant'), 'comment:upvote', { commentId: a.id });
		const b = (await ask(member, 'comment:add', { documentId: w.documentId, body: 'Resolved one' })).comment;
		await ask(member, 'comment:resolve', { commentId: b.id });
		const c = (await ask(member, 'comment:add', { documentId: w.documentId, body: 'Hidden one' })).comment;
		await ask(await w.socket('moderator'), 'comment:hide', { commentId: c.id });
		const before = await w.list('moderator');
		editor.destroy();
		sockets.forEach((s) => s.close());
		sockets.length = 0;
		server = await restartServer(server, 'SIGKILL');
		const after = await w.list('moderator');
		expect(after).toEqual(before);
		expect(after.map((x) => [x.body, x.status, x.upvotes, x.editedAt !== null])).toEqual([
			['Define "independent"', 'visible', 1, true],
			['Resolved one', 'resolved', 0, false],
			['Hidden one', 'hidden', 0, false]
		]);
		expect(after[0].anchor).toEqual(anchor);
		expect((await w.list('participant')).map((x) => x.id)).toEqual([a.id, b.id]);
	});
});
