import { expect } from 'vitest';
import { newUser, type ApiClient } from './client';

/** A logged-in test user as `newUser` returns it. */
export type User = Awaited<ReturnType<typeof newUser>>;

export type GroupRole = 'moderator' | 'member' | 'participant' | 'observer';

/**
 * An event with one working group, created through the API by a fresh organizer. Every test that
 * needs a group builds its own, so tests in one file do not depend on each other's order.
 */
export async function eventWithGroup(baseUrl: string, title = 'Regional seminar of judges') {
	const organizer = await newUser(baseUrl, 'Organizer');
	const created = await organizer.post('/api/events', { title });
	expect(created.status).toBe(201);
	const event = created.body.event as { id: string; title: string };
	const group = await addGroup(organizer, event.id, 'Working group 1');
	return { organizer, event, group };
}

export async function addGroup(organizer: ApiClient, eventId: string, name: string): Promise<{ id: string; name: string }> {
	const response = await organizer.post(`/api/events/${eventId}/groups`, { name });
	expect(response.status).toBe(201);
	return response.body.group;
}

/** Adds an existing account to a group with a role, as the organizer (or a moderator) would. */
export async function addMember(actor: ApiClient, groupId: string, user: User, role: GroupRole, delegation?: string) {
	const response = await actor.post(`/api/groups/${groupId}/members`, { email: user.user.email, role, delegation });
	expect(response.status, JSON.stringify(response.body)).toBe(201);
	return response.body.membership;
}

/** A new account that is a member of the group with the given role. */
export async function memberWithRole(baseUrl: string, actor: ApiClient, groupId: string, role: GroupRole, name: string = role) {
	const user = await newUser(baseUrl, name);
	await addMember(actor, groupId, user, role);
	return user;
}

/** Invites an e-mail that has no account; returns the pending invitation with its link. */
export async function invite(actor: ApiClient, groupId: string, email: string, role: GroupRole = 'member', delegation?: string) {
	const response = await actor.post(`/api/groups/${groupId}/members`, { email, role, delegation });
	expect(response.status, JSON.stringify(response.body)).toBe(201);
	expect(response.body.membership).toBeNull();
	return response.body.invitation as { id: string; email: string; role: GroupRole; url: string; delegation: string | null };
}

/**
 * Who is in a group and who is invited, as its organizer sees it: the "nothing changed" oracle of
 * the refusal tests (compare before and after).
 */
export async function membershipState(organizer: ApiClient, groupId: string) {
	const response = await organizer.get(`/api/groups/${groupId}`);
	expect(response.status).toBe(200);
	return { members: response.body.members as any[], invitations: response.body.invitations as any[] };
}

/** The token at the end of an invitation link. */
export function tokenOf(url: string): string {
	return new URL(url).pathname.split('/').pop()!;
}
