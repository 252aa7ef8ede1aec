import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail, type ApiResponse } from '../../helpers/client';
import { startServer, type RunningServer } from '../../helpers/server';
import { backends } from '../../helpers/services';
import { addGroup, addMember, invite, membershipState, memberWithRole, type User } from '../../helpers/world';

/**
 * Every role × every API action on events and groups (reliability.md 4.2, AZ-18/AZ-19), one test
 * per cell. Outsiders get 404 like an unknown id (existence does not leak), anonymous callers 401,
 * members whose role is too low 403. Every refusal is followed by the organizer's view of the group
 * (or event), which must not have changed.
 */
const actors = ['organizer', 'moderator', 'member', 'participant', 'observer', 'neighbour', 'stranger', 'anonymous'] as const;
type Actor = (typeof actors)[number];

const described: Record<Actor, string> = {
	organizer: 'the organizer',
	moderator: 'a moderator',
	member: 'a member',
	participant: 'a participant',
	observer: 'an observer',
	neighbour: 'a moderator of another group of the event',
	stranger: 'a stranger (organizer of another event)',
	anonymous: 'an anonymous caller'
};

type World = {
	url: string;
	clients: Record<Actor, ApiClient>;
	eventId: string;
	groupId: string;
	otherGroupId: string;
	/** A participant the refused PATCH/DELETE calls aim at. */
	target: User;
	/** A pending invitation the refused revocations aim at. */
	invitationId: string;
};

type Action = {
	/** What is being done, as the object of "can" / "cannot". */
	does: string;
	/** The row of reliability.md 4.2 it checks, if it has one. */
	rule?: string;
	/** The status each actor gets. */
	expected: Record<Actor, number>;
	/** What must be unchanged after a refusal. */
	unchanged: 'memberships' | "the event's groups";
	act: (world: World, actor: ApiClient) => Promise<{ response: ApiResponse; verify?: () => Promise<void> }>;
};

const managers = (allowed: number): Record<Actor, number> => ({
	organizer: allowed,
	moderator: allowed,
	member: 403,
	participant: 403,
	observer: 403,
	neighbour: 404,
	stranger: 404,
	anonymous: 401
});

const actions: Action[] = [
	{
		does: 'see the event',
		expected: { organizer: 200, moderator: 200, member: 200, participant: 200, observer: 200, neighbour: 200, stranger: 404, anonymous: 401 },
		unchanged: "the event's groups",
		act: async (world, actor) => {
			const response = await actor.get(`/api/events/${world.eventId}`);
			return {
				response,
				verify: async () => {
					const organizer = actor === world.clients.organizer;
					const neighbour = actor === world.clients.neighbour;
					expect(response.body.organizer).toBe(organizer);
					const visible = response.body.groups.map((g: any) => g.id);
					if (organizer) expect(visible).toEqual(expect.arrayContaining([world.groupId, world.otherGroupId]));
					else expect(visible).toEqual([neighbour ? world.otherGroupId : world.groupId]);
				}
			};
		}
	},
	{
		does: 'create a group in the event',
		rule: 'AZ-19',
		expected: { organizer: 201, moderator: 403, member: 403, participant: 403, observer: 403, neighbour: 403, stranger: 404, anonymous: 401 },
		unchanged: "the event's groups",
		act: async (world, actor) => {
			const response = await actor.post(`/api/events/${world.eventId}/groups`, { name: 'Drafting committee' });
			return {
				response,
				verify: async () => {
					const groups = (await world.clients.organizer.get(`/api/events/${world.eventId}`)).body.groups;
					expect(groups.map((g: any) => g.id)).toContain(response.body.group.id);
				}
			};
		}
	},
	{
		does: 'open the group',
		expected: { organizer: 200, moderator: 200, member: 200, participant: 200, observer: 200, neighbour: 404, stranger: 404, anonymous: 401 },
		unchanged: 'memberships',
		act: async (world, actor) => {
			const response = await actor.get(`/api/groups/${world.groupId}`);
			return {
				response,
				verify: async () => {
					const manages = actor === world.clients.organizer || actor === world.clients.moderator;
					expect(response.body.group.id).toBe(world.groupId);
					expect(response.body.members.length).toBeGreaterThanOrEqual(5);
					for (const member of response.body.members) {
						expect(member).toHaveProperty('name');
						if (manages) expect(member.email).toMatch(/@example\.org$/);
						else expect(member).not.toHaveProperty('email');
					}
					if (manages) expect(response.body.invitations.map((i: any) => i.id)).toContain(world.invitationId);
					else expect(response.body.invitations).toEqual([]);
					expect(JSON.stringify(response.body).includes('@example.org')).toBe(manages);
				}
			};
		}
	},
	{
		does: 'add a member',
		rule: 'AZ-18',
		expected: managers(201),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const newcomer = await newUser(world.url, 'Newcomer');
			const response = await actor.post(`/api/groups/${world.groupId}/members`, { email: newcomer.user.email, role: 'member' });
			return {
				response,
				verify: async () => {
					expect(response.body.membership).toMatchObject({ userId: newcomer.user.id, role: 'member' });
					expect((await newcomer.get(`/api/groups/${world.groupId}`)).body.role).toBe('member');
				}
			};
		}
	},
	{
		does: 'add many people at once',
		rule: 'AZ-66',
		expected: managers(200),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const newcomer = await newUser(world.url, 'Roster newcomer');
			const email = uniqueEmail('roster');
			const response = await actor.post(`/api/groups/${world.groupId}/members`, { emails: [newcomer.user.email, email], role: 'participant' });
			return {
				response,
				verify: async () => {
					expect(response.body.results.map((r: any) => r.status)).toEqual(['added', 'invited']);
					expect((await newcomer.get(`/api/groups/${world.groupId}`)).body.role).toBe('participant');
				}
			};
		}
	},
	{
		does: 'invite an e-mail without an account',
		rule: 'AZ-18',
		expected: managers(201),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const email = uniqueEmail('invitee');
			const response = await actor.post(`/api/groups/${world.groupId}/members`, { email, role: 'observer' });
			return {
				response,
				verify: async () => {
					const { invitations } = await membershipState(world.clients.organizer, world.groupId);
					expect(invitations.map((i) => i.email)).toContain(email);
				}
			};
		}
	},
	{
		does: 'create a link invitation for anyone, as participant',
		rule: 'AZ-65',
		expected: managers(201),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const response = await actor.post(`/api/groups/${world.groupId}/invitations`, { role: 'participant' });
			return {
				response,
				verify: async () => {
					expect(response.body.invitation).toMatchObject({ email: null, role: 'participant', uses: 0 });
					const { invitations } = await membershipState(world.clients.organizer, world.groupId);
					expect(invitations.map((i) => i.id)).toContain(response.body.invitation.id);
				}
			};
		}
	},
	{
		does: "change a member's role",
		rule: 'AZ-18',
		expected: managers(200),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const allowed = actor === world.clients.organizer || actor === world.clients.moderator;
			// Allowed callers change a member of their own, so the shared target stays as it is.
			const target = allowed ? await memberWithRole(world.url, world.clients.organizer, world.groupId, 'observer') : world.target;
			const response = await actor.patch(`/api/groups/${world.groupId}/members/${target.user.id}`, { role: 'member' });
			return {
				response,
				verify: async () => {
					expect(response.body.membership).toMatchObject({ userId: target.user.id, role: 'member' });
					expect((await target.get(`/api/groups/${world.groupId}`)).body.role).toBe('member');
				}
			};
		}
	},
	{
		does: 'remove a member',
		expected: managers(204),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const allowed = actor === world.clients.organizer || actor === world.clients.moderator;
			const target = allowed ? await memberWithRole(world.url, world.clients.organizer, world.groupId, 'participant') : world.target;
			const response = await actor.delete(`/api/groups/${world.groupId}/members/${target.user.id}`);
			return {
				response,
				verify: async () => {
					expect((await target.get(`/api/groups/${world.groupId}`)).status).toBe(404);
				}
			};
		}
	},
	{
		does: 'revoke an invitation',
		expected: managers(204),
		unchanged: 'memberships',
		act: async (world, actor) => {
			const allowed = actor === world.clients.organizer || actor === world.clients.moderator;
			const invitationId = allowed ? (await invite(world.clients.organizer, world.groupId, uniqueEmail('revoked'))).id : world.invitationId;
			const response = await actor.delete(`/api/groups/${world.groupId}/invitations/${invitationId}`);
			return {
				response,
				verify: async () => {
					const { invitations } = await membershipState(world.clients.organizer, world.groupId);
					expect(invitations.map((i) => i.id)).not.toContain(invitationId);
				}
			};
		}
	}
];

const codeOf: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

function title(action: Action, actor: Actor): string {
	const status = action.expected[actor];
	const rule = action.rule ? ` (${action.rule})` : '';
	if (status < 400) return `${described[actor]} can ${action.does} (${status})${rule}`;
	return `${described[actor]} cannot ${action.does} (${status}) and ${action.unchanged} are unchanged${rule}`;
}

describe.each(backends())('authorization on %s', (backend) => {
	let server: RunningServer;
	let world: World;

	beforeAll(async () => {
		server = await startServer(backend);
		const url = server.url;
		const organizer = await newUser(url, 'Organizer');
		const eventId = (await organizer.post('/api/events', { title: 'Regional seminar' })).body.event.id;
		const groupId = (await addGroup(organizer, eventId, 'Working group A')).id;
		const otherGroupId = (await addGroup(organizer, eventId, 'Working group B')).id;
		const [moderator, member, participant, observer, neighbour, stranger, target] = await Promise.all([
			newUser(url, 'Moderator'),
			newUser(url, 'Member'),
			newUser(url, 'Participant'),
			newUser(url, 'Observer'),
			newUser(url, 'Neighbour'),
			newUser(url, 'Stranger'),
			newUser(url, 'Target')
		]);
		await addMember(organizer, groupId, moderator!, 'moderator', 'Kazakhstan — Supreme Court');
		await addMember(organizer, groupId, member!, 'member', 'Kyrgyzstan');
		await addMember(organizer, groupId, participant!, 'participant');
		await addMember(organizer, groupId, observer!, 'observer');
		await addMember(organizer, groupId, target!, 'participant', 'Tajikistan');
		await addMember(organizer, otherGroupId, neighbour!, 'moderator');
		const strangersEvent = (await stranger!.post('/api/events', { title: 'Another seminar' })).body.event.id;
		await addGroup(stranger!, strangersEvent, 'Their own group');
		const invitation = await invite(organizer, groupId, uniqueEmail('pending'), 'member');
		world = {
			url,
			clients: {
				organizer,
				moderator: moderator!,
				member: member!,
				participant: participant!,
				observer: observer!,
				neighbour: neighbour!,
				stranger: stranger!,
				anonymous: new ApiClient(url)
			},
			eventId,
			groupId,
			otherGroupId,
			target: target!,
			invitationId: invitation.id
		};
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	async function observable(action: Action) {
		const organizer = world.clients.organizer;
		if (action.unchanged === 'memberships') return membershipState(organizer, world.groupId);
		return (await organizer.get(`/api/events/${world.eventId}`)).body.groups;
	}

	for (const action of actions) {
		describe(action.does, () => {
			it.each(actors.map((actor) => [title(action, actor), actor] as const))('%s', async (_title, actor) => {
				const expected = action.expected[actor];
				const before = await observable(action);
				const { response, verify } = await action.act(world, world.clients[actor]);
				expect(response.status, JSON.stringify(response.body)).toBe(expected);
				if (expected < 400) {
					await verify?.();
					return;
				}
				expect(response.body).toEqual({ error: { code: codeOf[expected], message: expect.any(String) } });
				expect(await observable(action)).toEqual(before);
			});
		});
	}

	describe('outsiders learn nothing (IDOR)', () => {
		it('a stranger gets the same 404 body for a real group as for a random id', async () => {
			const real = await world.clients.stranger.get(`/api/groups/${world.groupId}`);
			const random = await world.clients.stranger.get(`/api/groups/${randomUUID()}`);
			expect(real.status).toBe(404);
			expect(real.body).toEqual(random.body);
		});

		it('a stranger gets the same 404 body for a real event as for a random id', async () => {
			const real = await world.clients.stranger.get(`/api/events/${world.eventId}`);
			const random = await world.clients.stranger.get(`/api/events/${randomUUID()}`);
			expect(real.status).toBe(404);
			expect(real.body).toEqual(random.body);
		});

		it('a stranger does not see the event in their list of events', async () => {
			const ids = (await world.clients.stranger.get('/api/events')).body.events.map((e: any) => e.id);
			expect(ids).not.toContain(world.eventId);
		});

		it("a moderator cannot change a member of another group through their own group's URL (404) and that membership is unchanged", async () => {
			const { moderator, organizer, neighbour } = world.clients;
			const before = await membershipState(organizer, world.otherGroupId);
			const path = `/api/groups/${world.groupId}/members/${(await neighbour.get('/api/me')).body.user.id}`;
			const patch = await moderator.patch(path, { role: 'observer' });
			const remove = await moderator.delete(path);
			expect([patch.status, remove.status]).toEqual([404, 404]);
			expect(await membershipState(organizer, world.otherGroupId)).toEqual(before);
		});

		it("a moderator cannot revoke another group's invitation through their own group's URL (404) and it stays pending", async () => {
			const { moderator, organizer } = world.clients;
			const otherInvitation = await invite(organizer, world.otherGroupId, uniqueEmail('elsewhere'));
			const response = await moderator.delete(`/api/groups/${world.groupId}/invitations/${otherInvitation.id}`);
			expect(response.status).toBe(404);
			const { invitations } = await membershipState(organizer, world.otherGroupId);
			expect(invitations.map((i) => i.id)).toContain(otherInvitation.id);
		});

		it('changing or removing someone who is not in the group answers 404', async () => {
			const { organizer, stranger } = world.clients;
			const strangerId = (await stranger.get('/api/me')).body.user.id;
			const before = await membershipState(organizer, world.groupId);
			expect((await organizer.patch(`/api/groups/${world.groupId}/members/${strangerId}`, { role: 'member' })).status).toBe(404);
			expect((await organizer.delete(`/api/groups/${world.groupId}/members/${randomUUID()}`)).status).toBe(404);
			expect((await organizer.delete(`/api/groups/${world.groupId}/invitations/${randomUUID()}`)).status).toBe(404);
			expect(await membershipState(organizer, world.groupId)).toEqual(before);
			expect((await stranger.get(`/api/groups/${world.groupId}`)).status).toBe(404);
		});

		it("a moderator giving the organizer a low membership does not lower the organizer's rights (AZ-18)", async () => {
			const { moderator, organizer } = world.clients;
			const organizerEmail = (await organizer.get('/api/me')).body.user.email;
			await moderator.post(`/api/groups/${world.groupId}/members`, { email: organizerEmail, role: 'observer' });
			const view = await organizer.get(`/api/groups/${world.groupId}`);
			expect(view.body.role).toBe('organizer');
			expect((await organizer.post(`/api/events/${world.eventId}/groups`, { name: 'Still organizing' })).status).toBe(201);
			const organizerId = (await organizer.get('/api/me')).body.user.id;
			await organizer.delete(`/api/groups/${world.groupId}/members/${organizerId}`);
		});
	});
});
