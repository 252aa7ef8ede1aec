import { fragment, type Db, type Fragment } from '../db/db';
import { forbidden, notFound } from '../errors';
import { atLeast, type GroupRole, type Role } from '../../protocol/roles';

/** What a caller may do in one group: carried by routes, sockets and collab connections. */
export type Principal = { userId: string; groupId: string; eventId: string; role: Role };

/**
 * A group: its id, or a query answering it in one row and column (the group of a session, of a
 * comment: see the aggregates' `groupQuery`), so that finding the group and the caller's role in it
 * take one round trip. A query that finds nothing is a group that does not exist.
 */
export type GroupRef = string | Fragment;

/**
 * The caller's effective role in a group, or null when they have none (or the group does not exist:
 * callers must not tell the two apart). Organizers of the group's event rank as `organizer`.
 */
export async function roleInGroup(db: Db, userId: string, group: GroupRef): Promise<Principal | null> {
	const [row] = await db.sql<{ groupId: string; eventId: string; role: GroupRole | null; organizer: boolean }>`
		select g.id as "groupId", g.event_id as "eventId", m.role, (o.user_id is not null) as organizer
		from groups g
		left join memberships m on m.group_id = g.id and m.user_id = ${userId}
		left join event_organizers o on o.event_id = g.event_id and o.user_id = ${userId}
		where g.id = ${typeof group === 'string' ? group : fragment`(${group})`}`;
	if (!row || (!row.organizer && !row.role)) return null;
	return { userId, groupId: row.groupId, eventId: row.eventId, role: row.organizer ? 'organizer' : row.role! };
}

/**
 * The one authorization check for everything inside a group (HTTP routes, Socket.IO events, the
 * collab upgrade). Throws NOT_FOUND for outsiders and unknown groups alike, FORBIDDEN for a role
 * below `minimum`.
 */
export async function authorizeGroup(db: Db, userId: string, groupId: string, minimum: Role): Promise<Principal> {
	const principal = await roleInGroup(db, userId, groupId);
	if (!principal) throw notFound('Group not found');
	if (!atLeast(principal.role, minimum)) throw forbidden();
	return principal;
}

/** Event-level access: organizers may manage; anyone in one of its groups may look. */
export async function authorizeEvent(
	db: Db,
	userId: string,
	eventId: string,
	minimum: 'organizer' | 'attendee'
): Promise<{ organizer: boolean }> {
	const [row] = await db.sql<{ organizer: boolean; attendee: boolean }>`
		select
			exists (select 1 from event_organizers where event_id = e.id and user_id = ${userId}) as organizer,
			exists (
				select 1 from memberships m join groups g on g.id = m.group_id
				where g.event_id = e.id and m.user_id = ${userId}
			) as attendee
		from events e
		where e.id = ${eventId}`;
	if (!row || (!row.organizer && !row.attendee)) throw notFound('Event not found');
	if (minimum === 'organizer' && !row.organizer) throw forbidden('Only the organizers of this event may do this');
	return { organizer: row.organizer };
}

/**
 * `authorizeGroup` for the group a document belongs to. An outsider gets the very answer an unknown
 * id gets (NOT_FOUND "Document not found"), so the answer does not tell that the document exists.
 */
export async function authorizeDocument(db: Db, userId: string, documentId: string, minimum: Role): Promise<Principal & { documentId: string }> {
	const [row] = await db.sql<{ groupId: string }>`select group_id as "groupId" from documents where id = ${documentId}`;
	const principal = row ? await roleInGroup(db, userId, row.groupId) : null;
	if (!principal) throw notFound('Document not found');
	if (!atLeast(principal.role, minimum)) throw forbidden();
	return { ...principal, documentId };
}
