import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/lib/server/auth/authorize';
import * as comments from '../../../src/lib/server/comments';
import type { Db } from '../../../src/lib/server/db/db';
import * as events from '../../../src/lib/server/events';
import * as groups from '../../../src/lib/server/groups';
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
