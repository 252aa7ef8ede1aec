import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/lib/server/auth/authorize';
import * as comments from '../../../src/lib/server/comments';
import type { Db } from '../../../src/lib/server/db/db';
import * as events from '../../../src/lib/server/events';
import * as groups from '../../../src/lib/server/groups';
import * as sessions from '../../../src/lib/server/sessions';
import { unreadCountCap } from '../../../src/lib/protocol/comments';
import * as users from '../../../src/lib/server/users';
import { openTestDb } from '../../helpers/db';
import { backends } from '../../helpers/services';

describe.each(backends())('the people a comment box offers to mention on %s', (backend) => {
	let db: Db;
	let dispose: () => Promise<void>;
	beforeAll(async () => {
		({ db, dispose } = await openTestDb(backend));
	});
	afterAll(() => dispose());

	const person = (name: string) => users.create(db, { email: `${crypto.randomUUID()}@example.org`, name, passwordHash: 'x', locale: null });

	it('are the group’s members of every role and the event’s organizers, without the writer; nobody else', async () => {
		const organizer = await person('Elena Petrova');
		const event = await events.create(db, organizer.id, { title: 'Seminar' });
		const group = await groups.create(db, event.id, 'Drafting');
		const other = await groups.create(db, event.id, 'Elsewhere');
		const actor = (groupId: string): Principal => ({ userId: organizer.id, groupId, eventId: event.id, role: 'organizer' });
		const roles = { 'Айгерим Сәрсенова': 'moderator', 'Dilnoza Karimova': 'member', 'Ерлан Сұлтанов': 'participant', 'Sophie Laurent': 'observer' } as const;
		const members: Record<string, string> = {};
		for (const [name, role] of Object.entries(roles)) {
			const user = await person(name);
			members[name] = user.id;
			await groups.addMember(db, actor(group.id), { email: user.email, role });
		}
		const elsewhere = await person('Member of another group');
		await groups.addMember(db, actor(other.id), { email: elsewhere.email, role: 'member' });
		await person('Stranger');
		const removed = await person('Removed member');
		await groups.addMember(db, actor(group.id), { email: removed.email, role: 'member' });
		await groups.removeMember(db, group.id, removed.id);

		const offered = await comments.mentionablePeople(db, group.id, members['Dilnoza Karimova']!);
		expect(offered.map((p) => p.name).sort()).toEqual(['Elena Petrova', 'Sophie Laurent', 'Айгерим Сәрсенова', 'Ерлан Сұлтанов'].sort());
		expect(offered.find((p) => p.name === 'Elena Petrova')?.id).toBe(organizer.id);
		expect((await comments.mentionablePeople(db, group.id, organizer.id)).map((p) => p.name)).not.toContain('Elena Petrova');
	});
});

describe.each(backends())('unread counts and coalesced reads over a long history on %s', (backend) => {
	let db: Db;
	let dispose: () => Promise<void>;
	beforeAll(async () => {
		({ db, dispose } = await openTestDb(backend));
	});
	afterAll(() => dispose());

	const person = (name: string) => users.create(db, { email: `${crypto.randomUUID()}@example.org`, name, passwordHash: 'x', locale: null });

	it('count each stream from its read marker up to unreadCountCap, and a new comment after reading counts one', async () => {
		const organizer = await person('Elena Petrova');
		const reader = await person('Ерлан Сұлтанов');
		const event = await events.create(db, organizer.id, { title: 'Seminar' });
		const group = await groups.create(db, event.id, 'Drafting');
		const actor: Principal = { userId: organizer.id, groupId: group.id, eventId: event.id, role: 'organizer' };
		await groups.addMember(db, actor, { email: reader.email, role: 'participant' });
		const viewer: Principal = { ...actor, userId: reader.id, role: 'participant' };
		const busy = await sessions.create(db, actor, { title: 'Day one' });
		const quiet = await sessions.create(db, actor, { title: 'Day two' });
		const untouched = await sessions.create(db, actor, { title: 'Day three' });
		const stream = (sessionId: string): comments.Stream => ({ kind: 'session', sessionId, groupId: group.id });
		// Written in one statement: 150 questions would take minutes through `add`.
		await db.sql`
			insert into comments (group_id, session_id, author_id, body)
			select ${group.id}, ${busy.sessionId}, ${organizer.id}, 'Question ' || n from generate_series(1, ${unreadCountCap + 50}) n`;
		for (const body of ['Один', 'Two', 'Trois']) await comments.add(db, actor, stream(quiet.sessionId), { body });
		await comments.add(db, viewer, stream(untouched.sessionId), { body: 'My own question' });

		expect(await comments.unreadOfGroup(db, viewer)).toEqual({ documents: {}, sessions: { [busy.sessionId]: unreadCountCap, [quiet.sessionId]: 3 } });
		await comments.markRead(db, stream(busy.sessionId), reader.id);
		await comments.markRead(db, stream(quiet.sessionId), reader.id);
		expect(await comments.unreadOfGroup(db, viewer)).toEqual({ documents: {}, sessions: {} });
		await comments.add(db, actor, stream(busy.sessionId), { body: 'One more' });
		expect(await comments.unreadOfGroup(db, viewer)).toEqual({ documents: {}, sessions: { [busy.sessionId]: 1 } });
	});

	it('read several comments by id at once with the first comment of each thread, and nothing else', async () => {
		const organizer = await person('Aigerim');
		const event = await events.create(db, organizer.id, { title: 'Seminar' });
		const group = await groups.create(db, event.id, 'Drafting');
		const actor: Principal = { userId: organizer.id, groupId: group.id, eventId: event.id, role: 'organizer' };
		const session = await sessions.create(db, actor, { title: 'Day one' });
		const stream: comments.Stream = { kind: 'session', sessionId: session.sessionId, groupId: group.id };
		const first = (await comments.add(db, actor, stream, { body: 'Question' })).row;
		const reply = (await comments.add(db, actor, stream, { body: 'Answer', parentId: first.id })).row;
		const other = (await comments.add(db, actor, stream, { body: 'Another question' })).row;
		await comments.add(db, actor, stream, { body: 'Not asked for' });

		expect([...(await comments.current(db, [reply.id, other.id])).keys()].sort()).toEqual([first.id, reply.id, other.id].sort());
		expect([...(await comments.current(db, [first.id])).keys()]).toEqual([first.id]);
		expect((await comments.current(db, [first.id])).get(first.id)).toMatchObject({ body: 'Question', liveReplies: true, upvotes: 0 });
	});
});
