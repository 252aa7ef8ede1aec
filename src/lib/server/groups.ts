import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Allowance } from './auth/allowance';
import type { Principal } from './auth/authorize';
import * as consent from './consent';
import { fragment, type Db, type Sql } from './db/db';
import { AppError, notFound } from './errors';
import type { LinkInvitationInput, MemberAddStatus, MemberBulkInput, MemberInput } from '../protocol/api';
import type { GroupRole } from '../protocol/roles';

export type Group = { id: string; eventId: string; eventTitle: string; name: string; createdAt: Date };
export type Membership = {
	groupId: string;
	userId: string;
	name: string;
	email: string;
	role: GroupRole;
	delegation: string | null;
	createdAt: Date;
};
/** An invitation for one e-mail address, or (email null) a link anyone may join by, up to participant. */
export type Invitation = {
	id: string;
	groupId: string;
	email: string | null;
	role: GroupRole;
	delegation: string | null;
	token: string;
	createdAt: Date;
	expiresAt: Date;
	/** People who joined through it (a link invitation is not used up by joining). */
	uses: number;
};

const invitationLifetimeMs = 30 * 24 * 60 * 60 * 1000;

const membershipFields = fragment`m.group_id as "groupId", m.user_id as "userId", u.name, u.email, m.role,
	m.delegation, m.created_at as "createdAt"`;
const invitationFields = fragment`i.id, i.group_id as "groupId", i.email, i.role, i.delegation, i.token,
	i.created_at as "createdAt", i.expires_at as "expiresAt", i.uses`;
const pending = fragment`i.accepted_at is null and i.revoked_at is null and i.expires_at > now()`;

/** Creates a working group in an event; the caller has checked they organize it. */
export async function create(db: Db, eventId: string, name: string): Promise<Omit<Group, 'eventTitle'>> {
	const [group] = await db.sql<Omit<Group, 'eventTitle'>>`
		insert into groups (event_id, name)
		values (${eventId}, ${name})
		returning id, event_id as "eventId", name, created_at as "createdAt"`;
	return group!;
}

export async function get(db: Db, groupId: string): Promise<Group> {
	const [group]: [Group?] = (await db.sql<Group>`
		select g.id, g.event_id as "eventId", e.title as "eventTitle", g.name, g.created_at as "createdAt"
		from groups g join events e on e.id = g.event_id
		where g.id = ${groupId}`) as [Group?];
	if (!group) throw notFound('Group not found');
	return group;
}

export async function listOfEvent(db: Db, eventId: string): Promise<(Omit<Group, 'eventTitle'> & { memberCount: number })[]> {
	return db.sql`
		select g.id, g.event_id as "eventId", g.name, g.created_at as "createdAt",
			(select count(*)::int from memberships m where m.group_id = g.id) as "memberCount"
		from groups g
		where g.event_id = ${eventId}
		order by g.created_at`;
}

export async function members(db: Db, groupId: string): Promise<Membership[]> {
	return db.sql<Membership>`
		select ${membershipFields}
		from memberships m join users u on u.id = m.user_id
		where m.group_id = ${groupId}
		order by case m.role when 'moderator' then 0 when 'member' then 1 when 'participant' then 2 else 3 end, u.name`;
}

async function membership(sql: Sql, groupId: string, userId: string): Promise<Membership | null> {
	const [row] = await sql<Membership>`
		select ${membershipFields}
		from memberships m join users u on u.id = m.user_id
		where m.group_id = ${groupId} and m.user_id = ${userId}`;
	return row ?? null;
}

export type AddResult =
	| { kind: 'added' | 'updated'; membership: Membership }
	| { kind: 'invited'; invitation: Invitation };

/**
 * Counts `count` additions against the adder's allowance before any is made (issue 12: adding is
 * how anyone can test which addresses have accounts). RATE_LIMITED with the wait when the window is
 * full; VALIDATION when one request holds more than the whole allowance, which no wait would fit.
 */
export function chargeAdditions(limiter: Allowance, adderId: string, count: number): void {
	const minutes = Math.round(limiter.windowMs / 60_000);
	if (count > limiter.limit) {
		throw new AppError('VALIDATION', `This server allows ${limiter.limit} additions per ${minutes} minutes; send fewer addresses at once`, {
			fields: { emails: `at most ${limiter.limit} addresses at once` }
		});
	}
	const wait = limiter.take(adderId, count);
	if (wait > 0) {
		throw new AppError(
			'RATE_LIMITED',
			`You may add ${limiter.limit} people per ${minutes} minutes and have ${limiter.remaining(adderId)} left now; try again in ${wait} s`,
			{ retryAfterSeconds: wait }
		);
	}
}

/**
 * Adds a person to a group by e-mail. A known account becomes a member at once and gets a notice
 * (an existing membership gets the new role and delegation); an unknown e-mail gets a pending
 * invitation (an earlier pending one for the same e-mail is updated, so its link stays valid).
 * MEMBER_DECLINED when the account left something this adder had added them to.
 */
export async function addMember(db: Db, actor: Principal, input: MemberInput): Promise<AddResult> {
	return db.begin(async (sql) => {
		const [user] = await sql<{ id: string }>`select id from users where email = ${input.email}`;
		const delegation = input.delegation ?? null;
		if (!user) return { kind: 'invited', invitation: await inviteIn(sql, actor, input.email, input.role, delegation) };
		const current = await membership(sql, actor.groupId, user.id);
		if (!current && (await consent.refusing(sql, actor.userId, [user.id])).size) throw declined();
		const [row] = await sql<{ inserted: boolean }>`
			insert into memberships (group_id, user_id, role, delegation, added_by)
			values (${actor.groupId}, ${user.id}, ${input.role}, ${delegation}, ${actor.userId})
			on conflict (group_id, user_id) do update
				set role = excluded.role, delegation = excluded.delegation, updated_at = now()
			returning (xmax = 0) as inserted`;
		if (row!.inserted) await consent.notifyAdded(sql, user.id, actor.groupId, actor.userId, input.role);
		const added = (await membership(sql, actor.groupId, user.id))!;
		return { kind: row!.inserted ? 'added' : 'updated', membership: added };
	});
}

/**
 * Creates a link invitation for the actor's group: anyone logged in who has the link may join, as
 * `role` (participant or observer only: the link may travel further than intended, so it never
 * grants editing or moderation), until it is revoked or expires.
 */
export async function createLinkInvitation(db: Db, actor: Principal, input: LinkInvitationInput): Promise<Invitation> {
	const [invitation] = await db.sql<Invitation>`
		insert into invitations as i (group_id, email, role, delegation, token, created_by, expires_at)
		values (${actor.groupId}, null, ${input.role}, ${input.delegation ?? null}, ${newToken()}, ${actor.userId},
			${new Date(Date.now() + invitationLifetimeMs)})
		returning ${invitationFields}`;
	return invitation!;
}

export type BulkResult =
	| { email: string; status: Extract<MemberAddStatus, 'added' | 'already_member'>; membership: Membership }
	| { email: string; status: 'invited'; invitation: Invitation }
	| { email: string; status: 'declined' };

/**
 * Adds a roster in one transaction, one answer per distinct address in the order given. Unlike the
 * single form, a person already in the group is left as they are (a pasted roster must not demote
 * its moderator), and a person who refuses this adder is skipped, not an error for the whole list.
 */
export async function addMembers(db: Db, actor: Principal, input: MemberBulkInput): Promise<BulkResult[]> {
	const emails = [...new Set(input.emails)];
	const delegation = input.delegation ?? null;
	return db.begin(async (sql) => {
		const accounts = await sql<{ id: string; email: string }>`
			select id, email from users where email in (select value from jsonb_array_elements_text(${emails}::jsonb))`;
		const byEmail = new Map(accounts.map((account) => [account.email, account.id]));
		const ids = accounts.map((account) => account.id);
		const members = new Set(
			(await sql<{ userId: string }>`
				select user_id as "userId" from memberships
				where group_id = ${actor.groupId} and user_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))`).map((row) => row.userId)
		);
		const refusing = await consent.refusing(sql, actor.userId, ids);
		const results: BulkResult[] = [];
		for (const email of emails) {
			const userId = byEmail.get(email);
			if (!userId) {
				results.push({ email, status: 'invited', invitation: await inviteIn(sql, actor, email, input.role, delegation) });
			} else if (members.has(userId)) {
				results.push({ email, status: 'already_member', membership: (await membership(sql, actor.groupId, userId))! });
			} else if (refusing.has(userId)) {
				results.push({ email, status: 'declined' });
			} else {
				await sql`
					insert into memberships (group_id, user_id, role, delegation, added_by)
					values (${actor.groupId}, ${userId}, ${input.role}, ${delegation}, ${actor.userId})`;
				await consent.notifyAdded(sql, userId, actor.groupId, actor.userId, input.role);
				results.push({ email, status: 'added', membership: (await membership(sql, actor.groupId, userId))! });
			}
		}
		return results;
	});
}

const declined = () =>
	new AppError('MEMBER_DECLINED', 'This person left a group or event you had added them to and does not want to be added by you again; they may still join by an invitation link');

/** A pending invitation for an address with no account: an earlier one for it is updated, so its link stays valid. */
async function inviteIn(sql: Sql, actor: Principal, email: string, role: GroupRole, delegation: string | null): Promise<Invitation> {
	const [existing] = await sql<Invitation>`
		update invitations i set role = ${role}, delegation = ${delegation}
		where i.group_id = ${actor.groupId} and i.email = ${email} and ${pending}
		returning ${invitationFields}`;
	if (existing) return existing;
	const [invitation] = await sql<Invitation>`
		insert into invitations as i (group_id, email, role, delegation, token, created_by, expires_at)
		values (${actor.groupId}, ${email}, ${role}, ${delegation}, ${newToken()}, ${actor.userId},
			${new Date(Date.now() + invitationLifetimeMs)})
		returning ${invitationFields}`;
	return invitation!;
}

/** Changes a member's role and/or delegation; NOT_FOUND when they are not in the group. */
export async function updateMember(
	db: Db,
	groupId: string,
	userId: string,
	change: { role?: GroupRole; delegation?: string | null }
): Promise<Membership> {
	return db.begin(async (sql) => {
		const current = await membership(sql, groupId, userId);
		if (!current) throw notFound('Member not found');
		const role = change.role ?? current.role;
		const delegation = change.delegation === undefined ? current.delegation : change.delegation;
		await sql`
			update memberships set role = ${role}, delegation = ${delegation}, updated_at = now()
			where group_id = ${groupId} and user_id = ${userId}`;
		return { ...current, role, delegation };
	});
}

/** A manager removes someone (no refusal is recorded: that is the person's own choice, see `leave`). */
export async function removeMember(db: Db, groupId: string, userId: string): Promise<void> {
	await db.begin(async (sql) => {
		const removed = await sql`
			delete from memberships where group_id = ${groupId} and user_id = ${userId} returning user_id`;
		if (removed.length === 0) throw notFound('Member not found');
		await consent.forgetNotices(sql, userId, [groupId]);
	});
}

/**
 * The person leaves a group by themselves: their membership ends, its notice goes, and whoever had
 * added them may no longer add them directly. False when they had no membership in it.
 */
export async function leave(db: Db, groupId: string, userId: string): Promise<boolean> {
	return db.begin(async (sql) => {
		const [left] = await sql<{ addedBy: string | null }>`
			delete from memberships where group_id = ${groupId} and user_id = ${userId} returning added_by as "addedBy"`;
		if (!left) return false;
		await consent.refuse(sql, userId, [left.addedBy]);
		await consent.forgetNotices(sql, userId, [groupId]);
		return true;
	});
}

export async function pendingInvitations(db: Db, groupId: string): Promise<Invitation[]> {
	return db.sql<Invitation>`
		select ${invitationFields} from invitations i
		where i.group_id = ${groupId} and ${pending}
		order by i.created_at`;
}

export async function pendingInvitationsOfEvent(db: Db, eventId: string): Promise<(Invitation & { groupName: string })[]> {
	return db.sql`
		select ${invitationFields}, g.name as "groupName"
		from invitations i join groups g on g.id = i.group_id
		where g.event_id = ${eventId} and ${pending}
		order by i.created_at`;
}

export async function revokeInvitation(db: Db, groupId: string, invitationId: string): Promise<void> {
	const revoked = await db.sql`
		update invitations i set revoked_at = now()
		where i.id = ${invitationId} and i.group_id = ${groupId} and ${pending}
		returning i.id`;
	if (revoked.length === 0) throw notFound('Invitation not found');
}

export type InvitationView = { groupId: string; groupName: string; eventTitle: string; role: GroupRole; email: string | null };

/** What an invitation link offers, for the page that asks to accept it; NOT_FOUND unless pending. */
export async function invitationByToken(db: Db, token: string): Promise<InvitationView> {
	const [row]: [InvitationView?] = (await db.sql<InvitationView>`
		select i.group_id as "groupId", g.name as "groupName", e.title as "eventTitle", i.role, i.email
		from invitations i join groups g on g.id = i.group_id join events e on e.id = g.event_id
		where i.token = ${token} and ${pending}`) as [InvitationView?];
	if (!row) throw notFound('This invitation link is not valid any more');
	return row;
}

/**
 * Accepts an invitation for the logged-in user: grants its role (an existing membership stays as it
 * is). An invitation for an address is used up, and only the account with that address may accept
 * it (issue 12 item 9): anyone else who holds the link gets INVITATION_FOR_OTHER_ADDRESS and nothing
 * changes. A link invitation stays open for the next person. Returns the group id.
 * INVITATION_USED when it was already accepted, revoked or has expired.
 * The person chose to join, so a refusal of the invitation's maker is lifted.
 */
export async function acceptInvitation(db: Db, token: string, user: { id: string; email: string }): Promise<string> {
	return db.begin(async (sql) => {
		const [invitation] = await sql<{ id: string; groupId: string; email: string | null; role: GroupRole; delegation: string | null; createdBy: string; usable: boolean }>`
			select i.id, i.group_id as "groupId", i.email, i.role, i.delegation, i.created_by as "createdBy", (${pending}) as usable
			from invitations i where i.token = ${token}
			for update`;
		if (!invitation) throw notFound('This invitation link is not valid');
		if (!invitation.usable) throw new AppError('INVITATION_USED', 'This invitation was already used, revoked or has expired');
		// Security seam: the link alone is not enough for a personal invitation (it may be forwarded).
		if (invitation.email !== null && invitation.email !== user.email) {
			throw new AppError('INVITATION_FOR_OTHER_ADDRESS', 'This invitation is for another e-mail address; log in with the address it was sent to');
		}
		const current = await membership(sql, invitation.groupId, user.id);
		if (!current) {
			await sql`
				insert into memberships (group_id, user_id, role, delegation)
				values (${invitation.groupId}, ${user.id}, ${invitation.role}, ${invitation.delegation})`;
		}
		if (invitation.email === null) {
			if (!current) await sql`update invitations set uses = uses + 1 where id = ${invitation.id}`;
		} else {
			await sql`update invitations set accepted_at = now(), accepted_by = ${user.id}, uses = 1 where id = ${invitation.id}`;
		}
		await consent.consent(sql, user.id, invitation.createdBy);
		return invitation.groupId;
	});
}

function newToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}
