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
		const email = uniqueEmail('acceptor');
		const invitation = await invite(organizer, group.id, email, 'participant', 'Қазақстан — Жоғарғы Сот');
		const guest = await newUser(server.url, 'Guest', email);
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
		const email = uniqueEmail('once');
		const token = tokenOf((await invite(organizer, group.id, email, 'member')).url);
		const first = await newUser(server.url, 'Invitee', email);
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

	it('the invitee accepting from five devices at the same moment: exactly one acceptance counts', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const email = uniqueEmail('race');
		const token = tokenOf((await invite(organizer, group.id, email, 'member')).url);
		const invitee = await newUser(server.url, 'Invitee', email);
		const racers = [invitee];
		for (let device = 1; device < 5; device++) {
			const client = new ApiClient(server.url);
			expect((await client.post('/api/auth/login', { email, password: 'correct horse battery' })).status).toBe(200);
			racers.push(Object.assign(client, { user: invitee.user }));
		}
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
		const email = uniqueEmail('kept');
		const invitation = await invite(organizer, group.id, email, 'member');
		const guest = await newUser(server.url, 'Invitee', email);
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
		const guest = await newUser(server.url, 'Invitee', email);
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
		const email = uniqueEmail('real');
		const token = tokenOf((await invite(organizer, group.id, email)).url);
		const guest = await newUser(server.url, 'Invitee', email);
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

	it('an invitee who was added to the group meanwhile keeps their current role on accepting, and the link is used up', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const email = uniqueEmail('added-meanwhile');
		const invitation = await invite(organizer, group.id, email, 'observer');
		const member = await newUser(server.url, 'Invitee', email);
		await addMember(organizer, group.id, member, 'member', 'Kyrgyzstan');
		expect((await accept(member, tokenOf(invitation.url))).status).toBe(200);
		const { members, invitations } = await membershipState(organizer, group.id);
		expect(members).toEqual([expect.objectContaining({ userId: member.user.id, role: 'member', delegation: 'Kyrgyzstan' })]);
		expect(invitations).toEqual([]);
	});

	it('a moderator may invite, and the invitation works like the organizer’s', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const moderator = await newUser(server.url);
		await addMember(organizer, group.id, moderator, 'moderator');
		const email = uniqueEmail('by-moderator');
		const invitation = await invite(moderator, group.id, email, 'observer');
		const guest = await newUser(server.url, 'Invitee', email);
		expect((await accept(guest, tokenOf(invitation.url))).status).toBe(200);
		expect((await guest.get(`/api/groups/${group.id}`)).body.role).toBe('observer');
	});

	describe('tied to the invited address, or a link for anyone up to participant (AZ-65)', () => {
		const otherAddress = 'This invitation is for another e-mail address';

		/** The invitation page as a browser without JavaScript sees it, and its form posted. */
		const invitePage = (client: ApiClient, token: string) => client.get(`/invite/${token}`, { accept: 'text/html' });
		const acceptByForm = (client: ApiClient, token: string) =>
			client.request('POST', `/invite/${token}`, { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } });

		it('a moderator invitation opened by an account with another address is refused 403 INVITATION_FOR_OTHER_ADDRESS, grants nothing, and stays for its address (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const email = uniqueEmail('chair');
			const token = tokenOf((await invite(organizer, group.id, email, 'moderator')).url);
			const before = await membershipState(organizer, group.id);
			const holder = await newUser(server.url, 'Forwarded the link');
			const refused = await accept(holder, token);
			expect(refused.status).toBe(403);
			expect(refused.body).toEqual({ error: { code: 'INVITATION_FOR_OTHER_ADDRESS', message: expect.stringContaining('another e-mail address') } });
			expect((await holder.get(`/api/groups/${group.id}`)).status).toBe(404);
			expect(await membershipState(organizer, group.id)).toEqual(before);
			const invitee = await newUser(server.url, 'The chair', email);
			expect((await accept(invitee, token)).status).toBe(200);
			expect((await invitee.get(`/api/groups/${group.id}`)).body.role).toBe('moderator');
		});

		it('the address is compared without regard to case: invited in capitals, registered in lower case (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const email = uniqueEmail('casing');
			const token = tokenOf((await invite(organizer, group.id, email.toUpperCase(), 'member')).url);
			const invitee = await newUser(server.url, 'Invitee', email.replace(/^c/, 'C'));
			expect((await accept(invitee, token)).status).toBe(200);
		});

		it('the invitation page tells an account with another address that it is for another address, offers no accept button, and its form is refused 403 (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const email = uniqueEmail('personal');
			const token = tokenOf((await invite(organizer, group.id, email, 'member')).url);
			const holder = await newUser(server.url, 'Forwarded the link');
			const page = await invitePage(holder, token);
			expect(page.status).toBe(200);
			expect(page.body).toContain(otherAddress);
			expect(page.body).not.toContain('Accept and join');
			expect(page.body).not.toContain(email);
			const posted = await acceptByForm(holder, token);
			expect(posted.status).toBe(403);
			expect(posted.body).toContain(otherAddress);
			expect((await holder.get(`/api/groups/${group.id}`)).status).toBe(404);
			const invitee = await newUser(server.url, 'Invitee', email);
			const own = await invitePage(invitee, token);
			expect(own.body).toContain('Accept and join');
			expect(own.body).toContain('This invitation is personal');
			expect(own.body).not.toContain(otherAddress);
		});

		it('a link invitation lets several people with the link join as participants, stays open, and the group lists it with how many joined (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const created = await organizer.post(`/api/groups/${group.id}/invitations`, { role: 'participant', delegation: 'OSCE' });
			expect(created.status).toBe(201);
			const invitation = created.body.invitation;
			expect(invitation).toMatchObject({ groupId: group.id, email: null, role: 'participant', delegation: 'OSCE', uses: 0 });
			expect(invitation.url).toMatch(/\/invite\/[a-z2-7]{32}$/);
			expect(invitation).not.toHaveProperty('token');
			const people = await Promise.all([newUser(server.url, 'First'), newUser(server.url, 'Second'), newUser(server.url, 'Third')]);
			for (const person of people) {
				expect((await accept(person, tokenOf(invitation.url))).status).toBe(200);
				expect((await person.get(`/api/groups/${group.id}`)).body.role).toBe('participant');
			}
			const { members, invitations } = await membershipState(organizer, group.id);
			expect(members).toHaveLength(3);
			expect(members.every((m: any) => m.role === 'participant' && m.delegation === 'OSCE')).toBe(true);
			expect(invitations).toEqual([expect.objectContaining({ id: invitation.id, email: null, uses: 3 })]);
			const page = await invitePage(new ApiClient(server.url), tokenOf(invitation.url));
			expect(page.body).toContain('This is an open link: anyone who has it may join.');
		});

		it.each(['member', 'moderator', 'organizer'])('a link invitation as %s is refused 400 VALIDATION and nothing is created (AZ-65)', async (role) => {
			const { organizer, group } = await eventWithGroup(server.url);
			const before = await membershipState(organizer, group.id);
			const response = await organizer.post(`/api/groups/${group.id}/invitations`, { role });
			expect(response.status).toBe(400);
			expect(response.body.error).toMatchObject({ code: 'VALIDATION', fields: { role: expect.any(String) } });
			expect(await membershipState(organizer, group.id)).toEqual(before);
		});

		it('a link invitation with an e-mail or another unknown field is refused 400 VALIDATION (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const response = await organizer.post(`/api/groups/${group.id}/invitations`, { role: 'observer', email: uniqueEmail() });
			expect(response.status).toBe(400);
			expect(response.body.error.code).toBe('VALIDATION');
			expect((await membershipState(organizer, group.id)).invitations).toEqual([]);
		});

		it('a revoked link lets nobody else in (410), and those who joined by it stay (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const invitation = (await organizer.post(`/api/groups/${group.id}/invitations`, { role: 'observer' })).body.invitation;
			const early = await newUser(server.url, 'Early');
			expect((await accept(early, tokenOf(invitation.url))).status).toBe(200);
			expect((await organizer.delete(`/api/groups/${group.id}/invitations/${invitation.id}`)).status).toBe(204);
			const late = await newUser(server.url, 'Late');
			const refused = await accept(late, tokenOf(invitation.url));
			expect(refused.status).toBe(410);
			expect(refused.body.error.code).toBe('INVITATION_USED');
			expect((await late.get(`/api/groups/${group.id}`)).status).toBe(404);
			expect((await early.get(`/api/groups/${group.id}`)).body.role).toBe('observer');
		});

		it('a member who opens the group link keeps their role and is not counted as joined (AZ-65)', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const member = await newUser(server.url);
			await addMember(organizer, group.id, member, 'member');
			const invitation = (await organizer.post(`/api/groups/${group.id}/invitations`, { role: 'participant' })).body.invitation;
			expect((await accept(member, tokenOf(invitation.url))).status).toBe(200);
			const { members, invitations } = await membershipState(organizer, group.id);
			expect(members).toEqual([expect.objectContaining({ userId: member.user.id, role: 'member' })]);
			expect(invitations).toEqual([expect.objectContaining({ id: invitation.id, uses: 0 })]);
		});
	});
});
