import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { ask, liveSocket } from '../../helpers/live';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

/**
 * GET /api/documents/:documentId/comments (DESIGN.md automation API): each role gets the comments
 * it may see (AZ-15), a stranger 404 exactly like an unknown id, an anonymous caller 401.
 */
describe.each(backends())('GET /api/documents/:documentId/comments on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	let documentId: string;
	let ids: { visible: string; reply: string; hidden: string; markup: string };
	const markup = '"><img src=x onerror=alert(1)><script>alert(1)</script>';
	const sockets: Socket[] = [];

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
		documentId = await createDocument(roster.member, roster.groupId);
		const connect = async (who: 'member' | 'participant' | 'moderator') => {
			const socket = await liveSocket(server.url, roster[who]);
			sockets.push(socket);
			return socket;
		};
		const [member, participant, moderator] = [await connect('member'), await connect('participant'), await connect('moderator')];
		const add = async (socket: Socket, payload: object) => (await ask(socket, 'comment:add', { documentId, ...payload })).comment.id as string;
		const visible = await add(member, { body: 'Article 5 needs a deadline.' });
		const reply = await add(participant, { body: 'Thirty days?', parentId: visible });
		const hidden = await add(participant, { body: 'Off-topic' });
		const markupId = await add(participant, { body: markup });
		expect((await ask(moderator, 'comment:hide', { commentId: hidden })).ok).toBe(true);
		expect((await ask(participant, 'comment:upvote', { commentId: visible })).ok).toBe(true);
		ids = { visible, reply, hidden, markup: markupId };
	});
	afterAll(async () => {
		sockets.forEach((s) => s.close());
		await server.stop();
		await server.dispose();
	});

	it.each(['organizer', 'moderator'] as const)('the %s gets every comment, the hidden one with status hidden', async (who) => {
		const response = await roster[who].get(`/api/documents/${documentId}/comments`);
		expect(response.status).toBe(200);
		expect(response.body.comments.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
			[ids.visible, 'visible'],
			[ids.reply, 'visible'],
			[ids.hidden, 'hidden'],
			[ids.markup, 'visible']
		]);
		expect(response.body.upvoted).toEqual([]);
	});

	it.each(['member', 'participant', 'observer'] as const)('a %s gets the comments without the hidden one', async (who) => {
		const response = await roster[who].get(`/api/documents/${documentId}/comments`);
		expect(response.status).toBe(200);
		expect(response.body.comments.map((c: { id: string }) => c.id)).toEqual([ids.visible, ids.reply, ids.markup]);
		expect(response.body.comments[0]).toMatchObject({ documentId, sessionId: null, authorId: roster.member.user.id, authorName: 'Dilnoza Karimova', upvotes: 1, anchor: null, parentId: null });
		expect(response.body.upvoted).toEqual(who === 'participant' ? [ids.visible] : []);
	});

	it('markup comes back verbatim as JSON text', async () => {
		const response = await roster.observer.get(`/api/documents/${documentId}/comments`);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.body.comments.find((c: { id: string }) => c.id === ids.markup).body).toBe(markup);
	});

	it('a stranger gets 404, the same answer as for an unknown or malformed id; an anonymous caller 401', async () => {
		const refused = await roster.stranger.get(`/api/documents/${documentId}/comments`);
		const unknown = await roster.stranger.get(`/api/documents/${crypto.randomUUID()}/comments`);
		const malformed = await roster.stranger.get(`/api/documents/not-a-uuid/comments`);
		expect(refused.status).toBe(404);
		expect(refused.body).toEqual(unknown.body);
		expect(malformed.status).toBe(404);
		expect(JSON.stringify(refused.body)).not.toContain('Article');
		const anonymous = await new ApiClient(server.url).get(`/api/documents/${documentId}/comments`);
		expect(anonymous.status).toBe(401);
		expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
	});
});
