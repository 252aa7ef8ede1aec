import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';
import { addGroup, addMember, eventWithGroup, invite, membershipState, tokenOf } from '../../../helpers/world';

/**
 * Being added without asking (issue 12 item 4): the person is told who added them where, may leave
 * a group or the whole event, and whoever had added them may then not add them again directly
 * (MEMBER_DECLINED) — unless the person accepts that adder's invitation themselves.
 */
describe.each(backends())('notices, leaving and refusing on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('a person added by e-mail sees a notice naming who added them, to which group of which event, and the role (AZ-67)', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url, 'Семинар судей');
		const person = await newUser(server.url, 'Нұрлан');
		expect((await person.get('/api/me/notices')).body.notices).toEqual([]);
		await addMember(organizer, group.id, person, 'participant');
		const { notices } = (await person.get('/api/me/notices')).body;
		expect(notices).toEqual([
			{
				id: expect.any(String),
				kind: 'added',
				role: 'participant',
				createdAt: expect.any(String),
				actor: { id: organizer.user.id, name: 'Organizer' },
				group: { id: group.id, name: 'Working group 1' },
				event: { id: event.id, title: 'Семинар судей' }
			}
		]);
		// A role change is no new addition; the organizer adding themselves gets no notice.
		await organizer.post(`/api/groups/${group.id}/members`, { email: person.user.email, role: 'member' });
		expect((await person.get('/api/me/notices')).body.notices).toHaveLength(1);
		await organizer.post(`/api/groups/${group.id}/members`, { email: organizer.user.email, role: 'observer' });
		expect((await organizer.get('/api/me/notices')).body.notices).toEqual([]);
	});

	it('a notice is dismissed by its person only: anyone else gets 404 and it stays (AZ-67)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		const [notice] = (await person.get('/api/me/notices')).body.notices;
		expect((await organizer.delete(`/api/me/notices/${notice.id}`)).status).toBe(404);
		expect((await new ApiClient(server.url).delete(`/api/me/notices/${notice.id}`)).status).toBe(401);
		expect((await person.get('/api/me/notices')).body.notices).toHaveLength(1);
		expect((await person.delete(`/api/me/notices/${notice.id}`)).status).toBe(204);
		expect((await person.get('/api/me/notices')).body.notices).toEqual([]);
		expect((await person.delete(`/api/me/notices/${notice.id}`)).status).toBe(404);
		expect((await person.delete('/api/me/notices/not-a-uuid')).status).toBe(404);
		// Dismissing is not leaving.
		expect((await person.get(`/api/groups/${group.id}`)).body.role).toBe('member');
	});

	it.each(['moderator', 'member', 'participant', 'observer'] as const)(
		'a %s may leave the group (204): the group answers 404, the notice is gone, and the event leaves their list (AZ-67)',
		async (role) => {
			const { organizer, event, group } = await eventWithGroup(server.url);
			const person = await newUser(server.url);
			await addMember(organizer, group.id, person, role);
			expect((await person.delete(`/api/groups/${group.id}/members/me`)).status).toBe(204);
			expect((await person.get(`/api/groups/${group.id}`)).status).toBe(404);
			expect((await person.get(`/api/events/${event.id}`)).status).toBe(404);
			expect((await person.get('/api/events')).body.events).toEqual([]);
			expect((await person.get('/api/me/notices')).body.notices).toEqual([]);
			expect((await membershipState(organizer, group.id)).members).toEqual([]);
		}
	);

	it('after leaving, the adder adding them again is refused 409 MEMBER_DECLINED and nothing changes, in any event of theirs (AZ-67)', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		expect((await person.delete(`/api/groups/${group.id}/members/me`)).status).toBe(204);
		const before = await membershipState(organizer, group.id);
		const again = await organizer.post(`/api/groups/${group.id}/members`, { email: person.user.email, role: 'member' });
		expect(again.status).toBe(409);
		expect(again.body.error).toEqual({ code: 'MEMBER_DECLINED', message: expect.stringContaining('invitation') });
		expect(await membershipState(organizer, group.id)).toEqual(before);
		// Another group, a new event: the refusal is of the adder, wherever they add.
		const other = await addGroup(organizer, event.id, 'Plenary');
		expect((await organizer.post(`/api/groups/${other.id}/members`, { email: person.user.email, role: 'observer' })).status).toBe(409);
		const newEvent = (await organizer.post('/api/events', { title: 'Another seminar' })).body.event;
		const newGroup = await addGroup(organizer, newEvent.id, 'Group');
		const bulk = await organizer.post(`/api/groups/${newGroup.id}/members`, { emails: [person.user.email], role: 'observer' });
		expect(bulk.body.results).toEqual([{ email: person.user.email, status: 'declined' }]);
		expect((await person.get('/api/events')).body.events).toEqual([]);
		expect((await person.get('/api/me/notices')).body.notices).toEqual([]);
	});

	it('the refusal is of the one who added them: another organizer may still add them (AZ-67)', async () => {
		const first = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(first.organizer, first.group.id, person, 'member');
		expect((await person.delete(`/api/groups/${first.group.id}/members/me`)).status).toBe(204);
		const second = await eventWithGroup(server.url);
		expect((await second.organizer.post(`/api/groups/${second.group.id}/members`, { email: person.user.email, role: 'member' })).status).toBe(201);
	});

	it('a removal by a manager is not a refusal: the person may be added again', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		expect((await organizer.delete(`/api/groups/${group.id}/members/${person.user.id}`)).status).toBe(204);
		expect((await person.get('/api/me/notices')).body.notices).toEqual([]);
		await addMember(organizer, group.id, person, 'observer');
	});

	it('accepting an invitation the adder made lifts the refusal: they join, and may be added directly again (AZ-67)', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const email = uniqueEmail('later');
		const plenary = await addGroup(organizer, event.id, 'Plenary');
		const invitation = await invite(organizer, plenary.id, email, 'participant');
		const person = new ApiClient(server.url);
		expect((await person.post('/api/auth/register', { email, password: 'correct horse battery', name: 'Late delegate' })).status).toBe(201);
		const personId = (await person.get('/api/me')).body.user.id;
		await organizer.post(`/api/groups/${group.id}/members`, { email, role: 'member' });
		expect((await person.delete(`/api/groups/${group.id}/members/me`)).status).toBe(204);
		expect((await organizer.post(`/api/groups/${group.id}/members`, { email, role: 'member' })).status).toBe(409);
		expect((await person.post(`/api/invitations/${tokenOf(invitation.url)}/accept`)).status).toBe(200);
		expect((await person.get(`/api/groups/${plenary.id}`)).body.role).toBe('participant');
		const again = await organizer.post(`/api/groups/${group.id}/members`, { email, role: 'member' });
		expect(again.status).toBe(201);
		expect(again.body.membership.userId).toBe(personId);
	});

	it('leaving the event (204) ends every membership in it and refuses each adder, keeping other events (AZ-67)', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const other = await addGroup(organizer, event.id, 'Plenary');
		const moderator = await newUser(server.url, 'Chair');
		await addMember(organizer, other.id, moderator, 'moderator');
		const person = await newUser(server.url);
		await addMember(organizer, group.id, person, 'member');
		await addMember(moderator, other.id, person, 'participant');
		const elsewhere = await eventWithGroup(server.url);
		await addMember(elsewhere.organizer, elsewhere.group.id, person, 'observer');
		expect((await person.get('/api/me/notices')).body.notices).toHaveLength(3);

		expect((await person.delete(`/api/events/${event.id}/members/me`)).status).toBe(204);
		expect((await person.get(`/api/events/${event.id}`)).status).toBe(404);
		expect((await person.get('/api/events')).body.events.map((e: any) => e.id)).toEqual([elsewhere.event.id]);
		expect((await person.get('/api/me/notices')).body.notices.map((n: any) => n.group.id)).toEqual([elsewhere.group.id]);
		expect((await organizer.post(`/api/groups/${group.id}/members`, { email: person.user.email, role: 'member' })).status).toBe(409);
		expect((await moderator.post(`/api/groups/${other.id}/members`, { email: person.user.email, role: 'member' })).status).toBe(409);
		expect((await person.get(`/api/groups/${elsewhere.group.id}`)).body.role).toBe('observer');
	});

	it('the only organizer cannot leave the event (409 LAST_ORGANIZER), nor a group they take part in only as organizer (409), and stays organizer (AZ-67)', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const left = await organizer.delete(`/api/events/${event.id}/members/me`);
		expect(left.status).toBe(409);
		expect(left.body.error.code).toBe('LAST_ORGANIZER');
		const fromGroup = await organizer.delete(`/api/groups/${group.id}/members/me`);
		expect(fromGroup.status).toBe(409);
		expect(fromGroup.body.error.code).toBe('CONFLICT');
		expect((await organizer.get(`/api/groups/${group.id}`)).body.role).toBe('organizer');
		expect((await organizer.post(`/api/events/${event.id}/groups`, { name: 'Still organizing' })).status).toBe(201);
	});

	it('a stranger leaving a group or event gets 404 as for an unknown id, an anonymous caller 401, and nothing changes (AZ-67)', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const member = await newUser(server.url);
		await addMember(organizer, group.id, member, 'member');
		const stranger = await newUser(server.url);
		const before = await membershipState(organizer, group.id);
		const real = await stranger.delete(`/api/groups/${group.id}/members/me`);
		const random = await stranger.delete(`/api/groups/${randomUUID()}/members/me`);
		expect(real.status).toBe(404);
		expect(real.body).toEqual(random.body);
		expect((await stranger.delete(`/api/events/${event.id}/members/me`)).status).toBe(404);
		expect((await new ApiClient(server.url).delete(`/api/groups/${group.id}/members/me`)).status).toBe(401);
		expect((await new ApiClient(server.url).delete(`/api/events/${event.id}/members/me`)).status).toBe(401);
		expect(await membershipState(organizer, group.id)).toEqual(before);
	});
});
