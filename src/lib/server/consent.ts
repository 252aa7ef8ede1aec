import type { Db, Sql } from './db/db';
import { notFound } from './errors';
import type { GroupRole } from '../protocol/roles';

/**
 * A person's say about being added to groups by others (issue 12): anyone who may manage a group
 * can add an account by its e-mail without asking, so the person is told (a notice on their
 * dashboard) and may leave; leaving refuses further direct additions by whoever had added them.
 * Joining by an invitation they accept themselves stays possible, and lifts the refusal of its maker.
 */

export type Notice = {
	id: string;
	kind: 'added';
	role: GroupRole;
	createdAt: Date;
	/** Who added them; null when that account is gone. */
	actor: { id: string; name: string } | null;
	group: { id: string; name: string };
	event: { id: string; title: string };
};

/** Tells `userId` that `actorId` added them to a group (replacing an earlier notice of that group). */
export async function notifyAdded(sql: Sql, userId: string, groupId: string, actorId: string, role: GroupRole): Promise<void> {
	if (userId === actorId) return;
	await sql`
		insert into member_notices (user_id, group_id, actor_id, role)
		values (${userId}, ${groupId}, ${actorId}, ${role})
		on conflict (user_id, group_id) do update
			set actor_id = excluded.actor_id, role = excluded.role, created_at = now()`;
}

/** The person's notices, newest first, for their dashboard. */
export async function notices(db: Db, userId: string): Promise<Notice[]> {
	const rows = await db.sql<{
		id: string;
		role: GroupRole;
		createdAt: Date;
		actorId: string | null;
		actorName: string | null;
		groupId: string;
		groupName: string;
		eventId: string;
		eventTitle: string;
	}>`
		select n.id, n.role, n.created_at as "createdAt", a.id as "actorId", a.name as "actorName",
			g.id as "groupId", g.name as "groupName", e.id as "eventId", e.title as "eventTitle"
		from member_notices n
		join groups g on g.id = n.group_id
		join events e on e.id = g.event_id
		left join users a on a.id = n.actor_id
		where n.user_id = ${userId}
		order by n.created_at desc, n.id`;
	return rows.map((row) => ({
		id: row.id,
		kind: 'added',
		role: row.role,
		createdAt: row.createdAt,
		actor: row.actorId ? { id: row.actorId, name: row.actorName! } : null,
		group: { id: row.groupId, name: row.groupName },
		event: { id: row.eventId, title: row.eventTitle }
	}));
}

/** Dismisses one of the caller's notices; NOT_FOUND for anyone else's (or an unknown id). */
export async function dismiss(db: Db, userId: string, noticeId: string): Promise<void> {
	const gone = await db.sql`delete from member_notices where id = ${noticeId} and user_id = ${userId} returning id`;
	if (gone.length === 0) throw notFound('Notice not found');
}

/** The notices of groups a person left go with them. */
export async function forgetNotices(sql: Sql, userId: string, groupIds: string[]): Promise<void> {
	if (!groupIds.length) return;
	await sql`
		delete from member_notices
		where user_id = ${userId} and group_id in (select value::uuid from jsonb_array_elements_text(${groupIds}::jsonb))`;
}

/** `userId` left what `adderIds` had added them to: those may no longer add them directly. */
export async function refuse(sql: Sql, userId: string, adderIds: (string | null)[]): Promise<void> {
	const refused = [...new Set(adderIds.filter((id): id is string => id !== null && id !== userId))];
	if (!refused.length) return;
	await sql`
		insert into member_refusals (user_id, refused_id)
		select ${userId}, value::uuid from jsonb_array_elements_text(${refused}::jsonb)
		on conflict do nothing`;
}

/** Which of `userIds` refuse direct additions by `adderId`. */
export async function refusing(sql: Sql, adderId: string, userIds: string[]): Promise<Set<string>> {
	if (!userIds.length) return new Set();
	const rows = await sql<{ userId: string }>`
		select user_id as "userId" from member_refusals
		where refused_id = ${adderId} and user_id in (select value::uuid from jsonb_array_elements_text(${userIds}::jsonb))`;
	return new Set(rows.map((row) => row.userId));
}

/** `userId` accepted an invitation `adderId` made: their own choice lifts the refusal. */
export async function consent(sql: Sql, userId: string, adderId: string): Promise<void> {
	await sql`delete from member_refusals where user_id = ${userId} and refused_id = ${adderId}`;
}
