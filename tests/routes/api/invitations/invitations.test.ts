import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';
import { addMember, eventWithGroup, invite, membershipState, tokenOf } from '../../../helpers/world';

describe.each(backends())('invitations on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	const accept = (client: ApiClient, token: string) => client.post(`/api/invitations/${token}/accept`);

	it('adding an e-mail without an account answers 201 with no membership and an invitation link /invite/<token>', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const email = uniqueEmail('guest');
		const response = await organizer.post(`/api/groups/${group.id}/members`, { email, role: 'participant', delegation: 'OSCE' });
		expect(response.status).toBe(201);
		expect(response.body.membership).toBeNull();
		const invitation = response.body.invitation;
		expect(invitation).toMatchObject({ groupId: group.id, email, role: 'participant', delegation: 'OSCE' });
		expect(invitation.url).toMatch(new RegExp(`^${server.url.replace(/\./g, '\\.')}/invite/[a-z2-7]{32}$`));
		expect(invitation).not.toHaveProperty('token');
		const { members, invitations } = await membershipState(organizer, group.id);
		expect(members).toEqual([]);
		expect(invitations).toEqual([expect.objectContaining({ id: invitation.id, email, role: 'participant' })]);
	});

	it('inviting the same e-mail again (in another casing) updates the pending invitation and keeps its link', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const email = uniqueEmail('twice');
		const first = await invite(organizer, group.id, email, 'observer');
		const second = await invite(organizer, group.id, email.toUpperCase(), 'moderator', 'Қазақстан — Жоғарғы Сот');
		expect(second.id).toBe(first.id);
		expect(second.url).toBe(first.url);
		expect(second).toMatchObject({ role: 'moderator', delegation: 'Қазақстан — Жоғарғы Сот' });
		const { invitations } = await membershipState(organizer, group.id);
		expect(invitations.filter((i) => i.email === email)).toHaveLength(1);
		expect(invitations[0]).toMatchObject({ role: 'moderator' });
	});

	it('the same e-mail invited to two groups gets two different links', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const other = (await organizer.post(`/api/events/${event.id}/groups`, { name: 'Other' })).body.group;
		const email = uniqueEmail('both');
		expect((await invite(organizer, group.id, email)).url).not.toBe((await invite(organizer, other.id, email)).url);
	});

	it('adding the e-mail of an existing account in another casing adds that account at once, without an invitation', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url, 'Has an account');
		const response = await organizer.post(`/api/groups/${group.id}/members`, { email: person.user.email.toUpperCase(), role: 'member' });
		expect(response.status).toBe(201);
		expect(response.body.membership).toMatchObject({ userId: person.user.id, role: 'member' });
		expect(response.body).not.toHaveProperty('invitation');
		expect((await membershipState(organizer, group.id)).invitations).toEqual([]);
	});

	it('accepting an invitation as a logged-in user grants its role and delegation and uses it up', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url);
		const invitation = await invite(organizer, group.id, uniqueEmail('acceptor'), 'participant', 'Қазақстан — Жоғарғы Сот');
		const guest = await newUser(server.url, 'Guest');
		const accepted = await accept(guest, tokenOf(invitation.url));
		expect(accepted.status).toBe(200);
		expect(accepted.body).toEqual({ groupId: group.id });
		const view = await guest.get(`/api/groups/${group.id}`);
		expect(view.status).toBe(200);
		expect(view.body.role).toBe('participant');
		const { members, invitations } = await membershipState(organizer, group.id);
		expect(members).toEqual([expect.objectContaining({ userId: guest.user.id, role: 'participant', delegation: 'Қазақстан — Жоғарғы Сот' })]);
		expect(invitations).toEqual([]);
		expect((await guest.get('/api/events')).body.events.map((e: any) => e.id)).toEqual([event.id]);
	});

	it('accepting an invitation twice answers 410 INVITATION_USED, and a second person gets no membership', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const token = tokenOf((await invite(organizer, group.id, uniqueEmail('once'), 'member')).url);
		const first = await newUser(server.url);
		const second = await newUser(server.url);
		expect((await accept(first, token)).status).toBe(200);
		const before = await membershipState(organizer, group.id);
		const again = await accept(first, token);
		expect(again.status).toBe(410);
		expect(again.body.error.code).toBe('INVITATION_USED');
		const other = await accept(second, token);
		expect(other.status).toBe(410);
		expect(other.body.error.code).toBe('INVITATION_USED');
		expect(await membershipState(organizer, group.id)).toEqual(before);
		expect((await second.get(`/api/groups/${group.id}`)).status).toBe(404);
	});

	it('two people accepting the same invitation at the same moment: exactly one gets in', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const token = tokenOf((await invite(organizer, group.id, uniqueEmail('race'), 'member')).url);
		const racers = await Promise.all(Array.from({ length: 5 }, () => newUser(server.url)));
		const answers = await Promise.all(racers.map((racer) => accept(racer, token)));
		expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410, 410]);
		expect((await membershipState(organizer, group.id)).members).toHaveLength(1);
	});

	it('a revoked invitation cannot be accepted (410) and grants nothing; revoking it again answers 404', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const invitation = await invite(organizer, group.id, uniqueEmail('revoked'), 'moderator');
		const revoked = await organizer.delete(`/api/groups/${group.id}/invitations/${invitation.id}`);
		expect(revoked.status).toBe(204);
		expect((await membershipState(organizer, group.id)).invitations).toEqual([]);
		const guest = await newUser(server.url);
		const response = await accept(guest, tokenOf(invitation.url));
		expect(response.status).toBe(410);
		expect(response.body.error.code).toBe('INVITATION_USED');
		expect((await guest.get(`/api/groups/${group.id}`)).status).toBe(404);
		expect((await membershipState(organizer, group.id)).members).toEqual([]);
		expect((await organizer.delete(`/api/groups/${group.id}/invitations/${invitation.id}`)).status).toBe(404);
	});

	it('an accepted invitation can no longer be revoked (404) and the membership it granted stays', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const invitation = await invite(organizer, group.id, uniqueEmail('kept'), 'member');
		const guest = await newUser(server.url);
		expect((await accept(guest, tokenOf(invitation.url))).status).toBe(200);
		expect((await organizer.delete(`/api/groups/${group.id}/invitations/${invitation.id}`)).status).toBe(404);
		expect((await guest.get(`/api/groups/${group.id}`)).body.role).toBe('member');
	});

	it('after revoking, inviting the same e-mail again gives a new link', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const email = uniqueEmail('again');
		const first = await invite(organizer, group.id, email);
		await organizer.delete(`/api/groups/${group.id}/invitations/${first.id}`);
		const second = await invite(organizer, group.id, email);
		expect(second.url).not.toBe(first.url);
		const guest = await newUser(server.url);
		expect((await accept(guest, tokenOf(first.url))).status).toBe(410);
		expect((await accept(guest, tokenOf(second.url))).status).toBe(200);
	});

	it.each([
		['too short', 'abc'],
		['33 characters', 'a'.repeat(33)],
		['with letters outside base32', '0189' + 'a'.repeat(28)],
		['with a path in it', '..%2f..%2fetc%2fpasswd'],
		['of 10,000 characters', 'a'.repeat(10_000)]
	])('a token that is %s answers 404 NOT_FOUND', async (_what, token) => {
		const guest = await newUser(server.url);
		const response = await accept(guest, token);
		expect(response.status).toBe(404);
		expect(response.body.error.code).toBe('NOT_FOUND');
	});

	it('a well-formed token that was never issued, or the uppercase of a real one, answers 404 and the real one stays valid', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const token = tokenOf((await invite(organizer, group.id, uniqueEmail('real'))).url);
		const guest = await newUser(server.url);
		expect((await accept(guest, 'a'.repeat(32))).status).toBe(404);
		expect((await accept(guest, token.toUpperCase())).status).toBe(404);
		expect((await accept(guest, token)).status).toBe(200);
	});

	it('accepting without a session answers 401 and the invitation stays pending', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const invitation = await invite(organizer, group.id, uniqueEmail('later'));
		const response = await accept(new ApiClient(server.url), tokenOf(invitation.url));
		expect(response.status).toBe(401);
		expect((await membershipState(organizer, group.id)).invitations.map((i) => i.id)).toEqual([invitation.id]);
	});

	it('a member who accepts an invitation to their own group keeps their current role, and the link is used up', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const member = await newUser(server.url);
		await addMember(organizer, group.id, member, 'member', 'Kyrgyzstan');
		const invitation = await invite(organizer, group.id, uniqueEmail('forwarded'), 'observer');
		expect((await accept(member, tokenOf(invitation.url))).status).toBe(200);
		const { members, invitations } = await membershipState(organizer, group.id);
		expect(members).toEqual([expect.objectContaining({ userId: member.user.id, role: 'member', delegation: 'Kyrgyzstan' })]);
		expect(invitations).toEqual([]);
	});

	it('a moderator may invite, and the invitation works like the organizer’s', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const moderator = await newUser(server.url);
		await addMember(organizer, group.id, moderator, 'moderator');
		const invitation = await invite(moderator, group.id, uniqueEmail('by-moderator'), 'observer');
		const guest = await newUser(server.url);
		expect((await accept(guest, tokenOf(invitation.url))).status).toBe(200);
		expect((await guest.get(`/api/groups/${group.id}`)).body.role).toBe('observer');
	});
});
