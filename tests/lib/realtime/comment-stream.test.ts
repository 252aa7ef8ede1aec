import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommentStream } from '../../../src/lib/realtime/comment-stream.svelte';
import { newUser } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { liveSocket } from '../../helpers/live';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

/**
 * The browser's comment stream, run in Node against the real server (without localStorage: its
 * outbox keeps comments in memory): a text refused for good is never dropped.
 */
describe.each(backends())('the comment stream with comments refused for good on %s', (backend) => {
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

	it('a refused text goes back into its box when the box takes it, else it stays listed with the reason until sent again', async () => {
		const documentId = await createDocument(roster.member, roster.groupId);
		const socket = await liveSocket(server.url, roster.member);
		open.push(socket);
		const stream = new CommentStream(socket as never, { documentId }, roster.member.user.id);
		await eventually(() => expect(stream.connected).toBe(true));

		const given: string[] = [];
		expect(await stream.add({ body: 'Ring \u0007 the bell' }, (body) => (given.push(body), true))).toBe('refused');
		expect(given).toEqual(['Ring \u0007 the bell']);
		expect(stream.unsent).toEqual([]);
		expect(stream.lastError).toBe('VALIDATION');

		expect(await stream.add({ body: 'Ring \u0007 it again' }, () => false)).toBe('refused');
		expect(stream.unsent).toMatchObject([{ body: 'Ring \u0007 it again', refused: 'VALIDATION' }]);
		expect(stream.lastError).toBeNull(); // said by the listed comment itself
		const { clientId } = stream.unsent[0]!;
		stream.revise(clientId, 'Ring it again, edited');
		expect(stream.unsent).toMatchObject([{ body: 'Ring it again, edited', refused: 'VALIDATION' }]);
		expect(await stream.resend(clientId, 'Ring it again.')).toBe('sent');
		expect(stream.unsent).toEqual([]);
		expect(stream.comments.map((c) => c.body)).toEqual(['Ring it again.']);
		stream.destroy(false);
	});

	it('a comment written offline and refused on reconnect (the writer became an observer) stays with its text, and is not sent again', async () => {
		const writer = await newUser(server.url, 'Writer offline');
		const add = (role: string) => roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: writer.user.email, role });
		expect((await add('participant')).status).toBe(201);
		const documentId = await createDocument(roster.member, roster.groupId);
		const socket: Socket = connect(server.url, { transports: ['websocket'], autoConnect: false, extraHeaders: { cookie: writer.cookieHeader(), origin: server.url } });
		open.push(socket);
		const stream = new CommentStream(socket as never, { documentId }, writer.user.id);

		expect(await stream.add({ body: 'Written on the train.' })).toBe('kept');
		expect((await add('observer')).status).toBe(200);
		socket.connect();
		await eventually(() => expect(stream.unsent).toMatchObject([{ body: 'Written on the train.', refused: 'FORBIDDEN' }]));
		expect(stream.comments).toEqual([]);

		// Another reconnect sends nothing: the text waits for its writer.
		socket.disconnect();
		socket.connect();
		await eventually(() => expect(stream.connected).toBe(true));
		expect(stream.unsent).toMatchObject([{ body: 'Written on the train.', refused: 'FORBIDDEN' }]);
		expect((await roster.member.get(`/api/documents/${documentId}/comments`)).body.comments).toEqual([]);
		stream.destroy(false);
	});
});
