import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';
import { addGroup, addMember, eventWithGroup, membershipState } from '../../../helpers/world';

const kazakhDelegation = 'Қазақстан — Жоғарғы Сот';

describe.each(backends())('membership changes on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('adding a known account answers 201 with the membership: name, e-mail, role and delegation', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url, 'Нұрлан Әбдірахманов');
		const response = await organizer.post(`/api/groups/${group.id}/members`, {
			email: person.user.email,
			role: 'member',
			delegation: kazakhDelegation
		});
		expect(response.status).toBe(201);
		expect(response.body.membership).toEqual({
			groupId: group.id,
			userId: person.user.id,
			name: 'Нұрлан Әбдірахманов',
			email: person.user.email,
			role: 'member',
			delegation: kazakhDelegation,
			createdAt: expect.any(String)
		});
	});

	it('adding someone who is already a member answers 200 and updates role and delegation, keeping one membership', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'observer', 'Kyrgyzstan');
		const again = await organizer.post(`/api/groups/${group.id}/members`, { email: person.user.email, role: 'moderator', delegation: 'Uzbekistan' });
		expect(again.status).toBe(200);
		expect(again.body.membership).toMatchObject({ userId: person.user.id, role: 'moderator', delegation: 'Uzbekistan' });
		const { members } = await membershipState(organizer, group.id);
		expect(members).toEqual([expect.objectContaining({ userId: person.user.id, role: 'moderator', delegation: 'Uzbekistan' })]);
	});

	it("changing a member's role answers 200, keeps the delegation, and the member sees the new role", async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'participant', 'Turkmenistan');
		const changed = await organizer.patch(`/api/groups/${group.id}/members/${person.user.id}`, { role: 'member' });
		expect(changed.status).toBe(200);
		expect(changed.body.membership).toMatchObject({ userId: person.user.id, role: 'member', delegation: 'Turkmenistan' });
		expect((await person.get(`/api/groups/${group.id}`)).body.role).toBe('member');
		expect((await membershipState(organizer, group.id)).members[0]).toMatchObject({ role: 'member', delegation: 'Turkmenistan' });
	});

	it('a Kazakh delegation round-trips byte for byte, and changing it keeps the role', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		const changed = await organizer.patch(`/api/groups/${group.id}/members/${person.user.id}`, { delegation: kazakhDelegation });
		expect(changed.status).toBe(200);
		expect(changed.body.membership).toMatchObject({ role: 'member', delegation: kazakhDelegation });
		const stored = (await membershipState(organizer, group.id)).members[0].delegation;
		expect(Buffer.from(stored, 'utf8').equals(Buffer.from(kazakhDelegation, 'utf8'))).toBe(true);
	});

	it('a delegation typed with combining marks is stored in NFC, and null clears it', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member', kazakhDelegation.normalize('NFD'));
		expect((await membershipState(organizer, group.id)).members[0].delegation).toBe(kazakhDelegation.normalize('NFC'));
		const cleared = await organizer.patch(`/api/groups/${group.id}/members/${person.user.id}`, { delegation: null });
		expect(cleared.status).toBe(200);
		expect((await membershipState(organizer, group.id)).members[0]).toMatchObject({ role: 'member', delegation: null });
	});

	it('a member promoted to moderator may add members; demoted to observer they are refused (403) at once', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		const path = `/api/groups/${group.id}/members/${person.user.id}`;
		expect((await person.post(`/api/groups/${group.id}/members`, { email: uniqueEmail(), role: 'observer' })).status).toBe(403);
		expect((await organizer.patch(path, { role: 'moderator' })).status).toBe(200);
		expect((await person.post(`/api/groups/${group.id}/members`, { email: uniqueEmail(), role: 'observer' })).status).toBe(201);
		expect((await organizer.patch(path, { role: 'observer' })).status).toBe(200);
		const before = await membershipState(organizer, group.id);
		expect((await person.post(`/api/groups/${group.id}/members`, { email: uniqueEmail(), role: 'observer' })).status).toBe(403);
		expect(await membershipState(organizer, group.id)).toEqual(before);
	});

	it('a removed member gets 404 for the group and the event, and no longer lists the event', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member', kazakhDelegation);
		expect((await person.get(`/api/groups/${group.id}`)).status).toBe(200);
		const removed = await organizer.delete(`/api/groups/${group.id}/members/${person.user.id}`);
		expect(removed.status).toBe(204);
		expect((await membershipState(organizer, group.id)).members).toEqual([]);
		const groupView = await person.get(`/api/groups/${group.id}`);
		expect(groupView.status).toBe(404);
		expect(groupView.body.error.code).toBe('NOT_FOUND');
		expect((await person.get(`/api/events/${event.id}`)).status).toBe(404);
		expect((await person.get('/api/events')).body.events).toEqual([]);
		expect((await person.get('/api/me')).status).toBe(200);
	});

	it('a member removed from one group keeps the other group of the same event', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const other = await addGroup(organizer, event.id, 'Plenary');
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		await addMember(organizer, other.id, person, 'participant');
		expect((await organizer.delete(`/api/groups/${group.id}/members/${person.user.id}`)).status).toBe(204);
		expect((await person.get(`/api/groups/${group.id}`)).status).toBe(404);
		expect((await person.get(`/api/groups/${other.id}`)).body.role).toBe('participant');
		const view = await person.get(`/api/events/${event.id}`);
		expect(view.status).toBe(200);
		expect(view.body.groups.map((g: any) => g.id)).toEqual([other.id]);
	});

	it('removing someone twice answers 404 the second time, and adding them again works', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		expect((await organizer.delete(`/api/groups/${group.id}/members/${person.user.id}`)).status).toBe(204);
		expect((await organizer.delete(`/api/groups/${group.id}/members/${person.user.id}`)).status).toBe(404);
		expect((await organizer.patch(`/api/groups/${group.id}/members/${person.user.id}`, { role: 'member' })).status).toBe(404);
		await addMember(organizer, group.id, person, 'observer');
		expect((await person.get(`/api/groups/${group.id}`)).body.role).toBe('observer');
	});

	it('a moderator may remove themselves and then gets 404 for the group', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const moderator = await newUser(server.url);
		await addMember(organizer, group.id, moderator, 'moderator');
		expect((await moderator.delete(`/api/groups/${group.id}/members/${moderator.user.id}`)).status).toBe(204);
		expect((await moderator.get(`/api/groups/${group.id}`)).status).toBe(404);
	});

	it('the event shows each group’s member count as members come and go', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const people = await Promise.all([newUser(server.url), newUser(server.url), newUser(server.url)]);
		for (const person of people) await addMember(organizer, group.id, person, 'participant');
		const count = async () => (await organizer.get(`/api/events/${event.id}`)).body.groups[0].memberCount;
		expect(await count()).toBe(3);
		await organizer.delete(`/api/groups/${group.id}/members/${people[0]!.user.id}`);
		expect(await count()).toBe(2);
	});

	it('members are listed moderators first, then members, participants and observers', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const roles = ['observer', 'participant', 'moderator', 'member'] as const;
		for (const role of roles) await addMember(organizer, group.id, await newUser(server.url, `Person ${role}`), role);
		const { members } = await membershipState(organizer, group.id);
		expect(members.map((m) => m.role)).toEqual(['moderator', 'member', 'participant', 'observer']);
	});
});
