import type { EventCreators } from './config';
import * as consent from './consent';
import { fragment, type Db } from './db/db';
import { AppError, notFound } from './errors';
import type { EventInput } from '../protocol/api';
import type { GroupRole } from '../protocol/roles';

export type Event = {
	id: string;
	title: string;
	startsOn: string | null;
	endsOn: string | null;
	venue: string | null;
	languages: string[];
	createdAt: Date;
};


/** The columns of an `Event`, for queries that name the events table `e`. */
const eventFields = fragment`e.id, e.title, to_char(e.starts_on, 'YYYY-MM-DD') as "startsOn",
	to_char(e.ends_on, 'YYYY-MM-DD') as "endsOn", e.venue, e.languages, e.created_at as "createdAt"`;

/**
 * Whether a person may create events: anyone when the deployment lists nobody (EVENT_CREATORS
 * empty), else a listed address or an address at a listed domain (exactly that domain, not its
 * subdomains).
 */
export function mayCreate(creators: EventCreators | null, email: string): boolean {
	if (!creators) return true;
	const address = email.toLowerCase();
	return creators.addresses.includes(address) || creators.domains.includes(address.slice(address.lastIndexOf('@') + 1));
}

/** Creates an event and makes its creator the first organizer, in one transaction. */
export async function create(db: Db, creatorId: string, input: EventInput): Promise<Event> {
	return db.begin(async (sql) => {
		const [event] = await sql<Event>`
			-- languages go in as the array itself: postgres.js would store a JSON.stringify'd one as a jsonb string
			insert into events as e (title, starts_on, ends_on, venue, languages, created_by)
			values (${input.title}, ${input.startsOn ?? null}, ${input.endsOn ?? null}, ${input.venue ?? null},
				${input.languages ?? []}::jsonb, ${creatorId})
			returning ${eventFields}`;
		await sql`insert into event_organizers (event_id, user_id) values (${event!.id}, ${creatorId})`;
		return event!;
	});
}

export async function get(db: Db, eventId: string): Promise<Event> {
	const [event]: [Event?] = (await db.sql<Event>`
		select ${eventFields}
		from events e
		where e.id = ${eventId}`) as [Event?];
	if (!event) throw notFound('Event not found');
	return event;
}

export type DashboardEvent = Event & {
	organizer: boolean;
	groups: { id: string; name: string; role: GroupRole | 'organizer'; memberCount: number }[];
};

/** The events a user organizes or attends, each with the groups they can open (dashboard). */
export async function listFor(db: Db, userId: string): Promise<DashboardEvent[]> {
	const events = await db.sql<Event & { organizer: boolean }>`
		select ${eventFields},
			exists (select 1 from event_organizers o where o.event_id = e.id and o.user_id = ${userId}) as organizer
		from events e
		where exists (select 1 from event_organizers o where o.event_id = e.id and o.user_id = ${userId})
			or exists (
				select 1 from memberships m join groups g on g.id = m.group_id
				where g.event_id = e.id and m.user_id = ${userId}
			)
		order by e.starts_on desc nulls last, e.created_at desc`;
	const groups = await db.sql<{ id: string; eventId: string; name: string; role: GroupRole | null; memberCount: number }>`
		select g.id, g.event_id as "eventId", g.name, m.role,
			(select count(*)::int from memberships c where c.group_id = g.id) as "memberCount"
		from groups g
		left join memberships m on m.group_id = g.id and m.user_id = ${userId}
		where m.user_id is not null
			or exists (select 1 from event_organizers o where o.event_id = g.event_id and o.user_id = ${userId})
		order by g.created_at`;
	return events.map((event) => ({
		...event,
		groups: groups
			.filter((g) => g.eventId === event.id)
			.map((g) => ({ id: g.id, name: g.name, memberCount: g.memberCount, role: event.organizer ? 'organizer' : g.role! }))
	}));
}

export type Person = {
	userId: string;
	name: string;
	email: string;
	groupId: string;
	groupName: string;
	role: GroupRole;
	delegation: string | null;
};

/** Everyone with a membership in any group of the event (organizer's event page). */
export async function people(db: Db, eventId: string): Promise<Person[]> {
	return db.sql<Person>`
		select u.id as "userId", u.name, u.email, g.id as "groupId", g.name as "groupName", m.role, m.delegation
		from memberships m
		join groups g on g.id = m.group_id
		join users u on u.id = m.user_id
		where g.event_id = ${eventId}
		order by u.name, g.name`;
}

export async function organizers(db: Db, eventId: string): Promise<{ userId: string; name: string; email: string }[]> {
	return db.sql`
		select u.id as "userId", u.name, u.email
		from event_organizers o join users u on u.id = o.user_id
		where o.event_id = ${eventId}
		order by o.created_at`;
}

/**
 * The person leaves the whole event: every membership in its groups ends (whoever added them may no
 * longer add them directly) and, for an organizer, the organizer role too. LAST_ORGANIZER when they
 * organize it alone: an event nobody may manage would be stranded. Answers the groups whose open
 * connections must re-check this person's role.
 */
export async function leave(db: Db, eventId: string, userId: string): Promise<string[]> {
	return db.begin(async (sql) => {
		const organizers = await sql<{ userId: string }>`
			select user_id as "userId" from event_organizers where event_id = ${eventId} for update`;
		const organizer = organizers.some((o) => o.userId === userId);
		if (organizer && organizers.length === 1) {
			throw new AppError('LAST_ORGANIZER', 'You are the only organizer of this event; it cannot be left without one');
		}
		await sql`delete from event_organizers where event_id = ${eventId} and user_id = ${userId}`;
		const left = await sql<{ groupId: string; addedBy: string | null }>`
			delete from memberships m using groups g
			where g.id = m.group_id and g.event_id = ${eventId} and m.user_id = ${userId}
			returning m.group_id as "groupId", m.added_by as "addedBy"`;
		await consent.refuse(sql, userId, left.map((row) => row.addedBy));
		const groups = await sql<{ id: string }>`select id from groups where event_id = ${eventId}`;
		await consent.forgetNotices(sql, userId, groups.map((g) => g.id));
		return organizer ? groups.map((g) => g.id) : left.map((row) => row.groupId);
	});
}
