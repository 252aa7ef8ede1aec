import type { Principal } from './auth/authorize';
import { fragment, type Db, type Fragment, type Sql } from './db/db';
import { AppError, notFound } from './errors';
import type { FocusPosition, OpenVote, SessionState, SessionStatus, VoteResult } from '../protocol/live';
import type { GroupRole } from '../protocol/roles';

/**
 * Live sessions of a working group. Every change runs in one transaction that locks the session
 * row, applies the change, raises `version` by one and returns the new whole state; concurrent
 * changes (two moderators at once) are therefore applied one after the other, each seeing the last.
 */

export type SessionInput = {
	title: string;
	startsAt?: string | null;
	agenda?: (string | { title: string; plannedMinutes?: number | null })[];
	documentIds?: string[];
};

export async function create(db: Db, actor: Principal, input: SessionInput): Promise<SessionState> {
	const id = await db.begin(async (sql) => {
		const [session] = await sql<{ id: string }>`
			insert into group_sessions (group_id, title, starts_at, created_by)
			values (${actor.groupId}, ${input.title}, ${input.startsAt ?? null}, ${actor.userId})
			returning id`;
		for (const [position, item] of (input.agenda ?? []).entries()) {
			const { title, plannedMinutes } = typeof item === 'string' ? { title: item, plannedMinutes: null } : item;
			await sql`
				insert into agenda_items (session_id, position, title, planned_minutes)
				values (${session!.id}, ${position}, ${title}, ${plannedMinutes ?? null})`;
		}
		for (const [position, documentId] of [...new Set(input.documentIds ?? [])].entries()) {
			const [doc] = await sql`select 1 from documents where id = ${documentId} and group_id = ${actor.groupId}`;
			if (!doc) throw new AppError('VALIDATION', `documentIds: ${documentId} is not a document of this group`, { fields: { documentIds: 'unknown document' } });
			await sql`insert into session_documents (session_id, document_id, position) values (${session!.id}, ${documentId}, ${position})`;
		}
		return session!.id;
	});
	return state(db.sql, id);
}

/** The group of a session as a query, for `roleInGroup`: the session and the caller's role in one round trip. */
export function groupQuery(sessionId: string): Fragment {
	return fragment`select group_id from group_sessions where id = ${sessionId}`;
}

/** The group of a session, or null: the first step of authorizing anything about it. */
export async function groupOf(db: Db, sessionId: string): Promise<string | null> {
	const [row] = await db.sql<{ groupId: string }>`select group_id as "groupId" from group_sessions where id = ${sessionId}`;
	return row?.groupId ?? null;
}

export async function listOfGroup(db: Db, groupId: string): Promise<{ id: string; title: string; status: SessionStatus; startsAt: Date | null }[]> {
	return db.sql`
		select id, title, status, starts_at as "startsAt" from group_sessions
		where group_id = ${groupId}
		order by coalesce(starts_at, created_at) desc`;
}

/**
 * The clock sessions are timed by (the database's, like every `started_at`), read now, not at the
 * start of a transaction: clients estimate it from this and a round trip.
 */
export async function clock(sql: Sql): Promise<Date> {
	const [row]: [{ now: Date }?] = (await sql<{ now: Date }>`select clock_timestamp() as now`) as [{ now: Date }?];
	if (!row) throw new Error('the database did not answer its clock');
	return new Date(row.now);
}

/**
 * The whole state of a session as clients receive it. Its seven reads are sent at once (PostgreSQL
 * pipelines them on the connection: one round trip, which matters inside a change's transaction,
 * where the session row stays locked until they are answered).
 */
export async function state(sql: Sql, sessionId: string): Promise<SessionState> {
	const [[session], agenda, documents, queue, spoken, [vote], voteResults] = await Promise.all([
		sql<{
			groupId: string;
			title: string;
			status: SessionStatus;
			currentItemId: string | null;
			version: string | number;
			speakerLimitSeconds: number | null;
			focusDocumentId: string | null;
			focusRecommendationId: string | null;
			focusBlock: number | null;
			focusFraction: number | null;
			premoderation: boolean;
			now: Date;
		}>`
			select group_id as "groupId", title, status, current_item_id as "currentItemId", version,
				speaker_limit_seconds as "speakerLimitSeconds", focus_document_id as "focusDocumentId",
				focus_recommendation_id as "focusRecommendationId", focus_block as "focusBlock",
				focus_fraction as "focusFraction", premoderation, now() as now
			from group_sessions where id = ${sessionId}`,
		sql<{ id: string; title: string; plannedMinutes: number | null; spentSeconds: number; startedAt: Date | null }>`
			select id, title, planned_minutes as "plannedMinutes", spent_seconds as "spentSeconds", started_at as "startedAt"
			from agenda_items where session_id = ${sessionId} order by position`,
		sql<{ documentId: string }>`
			select document_id as "documentId" from session_documents where session_id = ${sessionId} order by position`,
		sql<{
			userId: string;
			name: string;
			status: 'waiting' | 'speaking';
			requestedAt: Date;
			startedAt: Date | null;
			recommendationId: string | null;
			pointOfOrder: boolean;
		}>`
			select s.user_id as "userId", u.name, s.status, s.requested_at as "requestedAt", s.started_at as "startedAt",
				s.recommendation_id as "recommendationId", s.point_of_order as "pointOfOrder"
			from speakers s join users u on u.id = s.user_id
			where s.session_id = ${sessionId} and s.status in ('waiting', 'speaking')
			order by s.point_of_order desc, s.requested_at, s.id`,
		sql<{ userId: string; name: string; delegation: string | null; role: GroupRole | null; seconds: number }>`
			select s.user_id as "userId", u.name, m.delegation, m.role,
				sum(extract(epoch from (s.ended_at - s.started_at)))::int as seconds
			from speakers s
			join users u on u.id = s.user_id
			join group_sessions gs on gs.id = s.session_id
			left join memberships m on m.group_id = gs.group_id and m.user_id = s.user_id
			where s.session_id = ${sessionId} and s.status = 'done' and s.started_at is not null
			group by s.user_id, u.name, m.delegation, m.role
			order by seconds desc`,
		sql<Omit<OpenVote, 'openedAt' | 'cast'> & { openedAt: Date; cast: number }>`
			select v.id, v.document_id as "documentId", v.recommendation_id as "recommendationId", v.opened_at as "openedAt",
				(select count(*)::int from ballots b where b.vote_id = v.id) as cast
			from votes v where v.session_id = ${sessionId} and v.closed_at is null`,
		sql<Omit<VoteResult, 'closedAt'> & { closedAt: Date }>`
			select id as "voteId", document_id as "documentId", recommendation_id as "recommendationId",
				yes_count as yes, no_count as no, abstain_count as abstain, outcome, closed_at as "closedAt"
			from votes where session_id = ${sessionId} and closed_at is not null
			order by closed_at desc, id`
	]);
	if (!session) throw notFound('Session not found');
	const speakingRow = queue.find((entry) => entry.status === 'speaking');
	const asSpeaker = (entry: (typeof queue)[number]) => ({
		userId: entry.userId,
		name: entry.name,
		since: entry.requestedAt.toISOString(),
		recommendationId: entry.recommendationId,
		pointOfOrder: entry.pointOfOrder
	});
	return {
		sessionId,
		groupId: session.groupId,
		title: session.title,
		version: Number(session.version),
		status: session.status,
		currentItemId: session.currentItemId,
		agenda: agenda.map((item) => ({ ...item, startedAt: item.startedAt?.toISOString() ?? null })),
		documentIds: documents.map((row) => row.documentId),
		speakers: queue.filter((entry) => entry.status === 'waiting').map(asSpeaker),
		speaking: speakingRow
			? { ...asSpeaker(speakingRow), startedAt: speakingRow.startedAt!.toISOString(), limitSeconds: session.speakerLimitSeconds }
			: null,
		speakerLimitSeconds: session.speakerLimitSeconds,
		focus: {
			documentId: session.focusDocumentId,
			recommendationId: session.focusRecommendationId,
			position:
				session.focusDocumentId && session.focusBlock !== null && session.focusFraction !== null
					? { block: session.focusBlock, fraction: Number(session.focusFraction) }
					: null
		},
		spoken,
		premoderation: session.premoderation,
		vote: vote ? { ...vote, openedAt: vote.openedAt.toISOString() } : null,
		voteResults: voteResults.map((result) => ({ ...result, closedAt: result.closedAt.toISOString() })),
		serverNow: session.now.toISOString()
	};
}

export type Locked = { status: SessionStatus; currentItemId: string | null; version: number };

/** What happened in a change, for side effects such as the minutes (written after commit). */
export type SessionEvent =
	| { type: 'itemStarted'; title: string }
	| { type: 'turnEnded'; name: string; role: GroupRole | null; delegation: string | null; seconds: number };

export type Change = (sql: Sql, session: Locked, events: SessionEvent[]) => Promise<boolean>;

/**
 * Runs `change` with the session row locked, then bumps the version and returns the new state.
 * `change` returns false when it changed nothing (then the version stays and no broadcast is due).
 * Other aggregates of the session (votes.ts) change it through here too, so that every change
 * bumps the one version.
 */
export type Mutation = { state: SessionState; changed: boolean; events: SessionEvent[] };

export async function mutate(db: Db, sessionId: string, change: Change): Promise<Mutation> {
	return db.begin(async (sql) => {
		const [session] = await sql<Locked & { version: string | number }>`
			select status, current_item_id as "currentItemId", version from group_sessions where id = ${sessionId} for update`;
		if (!session) throw notFound('Session not found');
		const events: SessionEvent[] = [];
		const changed = await change(sql, { ...session, version: Number(session.version) }, events);
		if (changed) await sql`update group_sessions set version = version + 1, updated_at = now() where id = ${sessionId}`;
		return { state: await state(sql, sessionId), changed, events };
	});
}

/** Closes the running agenda item's clock (adds the time it ran). */
async function stopItemClock(sql: Sql, sessionId: string): Promise<void> {
	await sql`
		update agenda_items
		set spent_seconds = spent_seconds + extract(epoch from (now() - started_at))::int, started_at = null
		where session_id = ${sessionId} and started_at is not null`;
}

/** Ends the current speaker's turn, recording how long they spoke. */
async function endTurn(sql: Sql, sessionId: string, events: SessionEvent[]): Promise<boolean> {
	const [ended] = await sql<{ name: string; role: GroupRole | null; delegation: string | null; seconds: number }>`
		with ended as (
			update speakers set status = 'done', ended_at = now()
			where session_id = ${sessionId} and status = 'speaking'
			returning user_id, started_at, ended_at
		)
		select u.name, m.role, m.delegation, extract(epoch from (e.ended_at - e.started_at))::int as seconds
		from ended e
		join users u on u.id = e.user_id
		join group_sessions gs on gs.id = ${sessionId}
		left join memberships m on m.group_id = gs.group_id and m.user_id = e.user_id`;
	if (ended) events.push({ type: 'turnEnded', ...ended });
	return Boolean(ended);
}

function notClosed(session: Locked): void {
	if (session.status === 'closed') throw new AppError('CONFLICT', 'The session is closed');
}

export function start(db: Db, sessionId: string) {
	return mutate(db, sessionId, async (sql, session) => {
		notClosed(session);
		if (session.status === 'live') return false;
		await sql`update group_sessions set status = 'live' where id = ${sessionId}`;
		if (session.currentItemId) await sql`update agenda_items set started_at = now() where id = ${session.currentItemId}`;
		return true;
	});
}

export function pause(db: Db, sessionId: string) {
	return mutate(db, sessionId, async (sql, session, events) => {
		if (session.status !== 'live') return false;
		await stopItemClock(sql, sessionId);
		await endTurn(sql, sessionId, events);
		await sql`update group_sessions set status = 'paused' where id = ${sessionId}`;
		return true;
	});
}

export function close(db: Db, sessionId: string) {
	return mutate(db, sessionId, async (sql, session, events) => {
		if (session.status === 'closed') return false;
		await stopItemClock(sql, sessionId);
		await endTurn(sql, sessionId, events);
		await sql`update speakers set status = 'withdrawn' where session_id = ${sessionId} and status = 'waiting'`;
		await sql`update group_sessions set status = 'closed' where id = ${sessionId}`;
		return true;
	});
}

/** Makes `itemId` (of this session) the current agenda item, or none; NOT_FOUND for another's item. */
export function setCurrentItem(db: Db, sessionId: string, itemId: string | null) {
	return mutate(db, sessionId, async (sql, session, events) => {
		notClosed(session);
		if (itemId) {
			const [item] = await sql`select 1 from agenda_items where id = ${itemId} and session_id = ${sessionId}`;
			if (!item) throw notFound('Agenda item not found');
		}
		if (session.currentItemId === itemId) return false;
		await stopItemClock(sql, sessionId);
		await sql`update group_sessions set current_item_id = ${itemId} where id = ${sessionId}`;
		if (itemId && session.status === 'live') await sql`update agenda_items set started_at = now() where id = ${itemId}`;
		if (itemId) {
			const [item] = await sql<{ title: string }>`select title from agenda_items where id = ${itemId}`;
			events.push({ type: 'itemStarted', title: item!.title });
		}
		return true;
	});
}

/** Puts the caller on the list of speakers; a second raise while waiting changes nothing. */
export function raiseHand(db: Db, sessionId: string, userId: string, options: { recommendationId?: string; pointOfOrder?: boolean }) {
	return mutate(db, sessionId, async (sql, session) => {
		notClosed(session);
		const inserted = await sql`
			insert into speakers (session_id, user_id, agenda_item_id, recommendation_id, point_of_order)
			values (${sessionId}, ${userId}, ${session.currentItemId}, ${options.recommendationId ?? null}, ${options.pointOfOrder ?? false})
			on conflict (session_id, user_id) where status = 'waiting' do nothing
			returning id`;
		return inserted.length > 0;
	});
}

export function lowerHand(db: Db, sessionId: string, userId: string) {
	return mutate(db, sessionId, async (sql) => {
		const lowered = await sql`
			update speakers set status = 'withdrawn' where session_id = ${sessionId} and user_id = ${userId} and status = 'waiting' returning id`;
		return lowered.length > 0;
	});
}

/**
 * Ends the current turn and gives the floor to the first waiting speaker (points of order first).
 * With `expectedSpeakerId`, a press made while someone else had the floor is refused (CONFLICT):
 * two moderators pressing "next" at the same moment give the floor once.
 */
export function nextSpeaker(db: Db, sessionId: string, expectedSpeakerId?: string | null) {
	return mutate(db, sessionId, async (sql, session, events) => {
		notClosed(session);
		if (expectedSpeakerId !== undefined) {
			const [speaking] = await sql<{ userId: string }>`
				select user_id as "userId" from speakers where session_id = ${sessionId} and status = 'speaking'`;
			if ((speaking?.userId ?? null) !== expectedSpeakerId) {
				throw new AppError('CONFLICT', 'Someone else already gave the floor; look again');
			}
		}
		const ended = await endTurn(sql, sessionId, events);
		const [next] = await sql<{ id: string }>`
			select id from speakers where session_id = ${sessionId} and status = 'waiting'
			order by point_of_order desc, requested_at, id limit 1`;
		if (next) await sql`update speakers set status = 'speaking', started_at = now() where id = ${next.id}`;
		return ended || Boolean(next);
	});
}

export function setSpeakerLimit(db: Db, sessionId: string, seconds: number | null) {
	return mutate(db, sessionId, async (sql) => {
		await sql`update group_sessions set speaker_limit_seconds = ${seconds} where id = ${sessionId}`;
		return true;
	});
}

/** Switches pre-moderation of the session's questions (new ones of non-moderators wait as pending). */
export function setPremoderation(db: Db, sessionId: string, enabled: boolean) {
	return mutate(db, sessionId, async (sql) => {
		const changed = await sql`update group_sessions set premoderation = ${enabled} where id = ${sessionId} and premoderation <> ${enabled} returning id`;
		return changed.length > 0;
	});
}

/** The shape DESIGN.md's `POST /api/groups/:groupId/sessions` answers with. */
export function summary(state: SessionState) {
	return {
		id: state.sessionId,
		groupId: state.groupId,
		title: state.title,
		status: state.status,
		agenda: state.agenda.map(({ id, title, plannedMinutes }) => ({ id, title, plannedMinutes })),
		documentIds: state.documentIds
	};
}

/**
 * Points the room at a document of this session (NOT_FOUND for any other), a recommendation and a
 * place in it; the whole focus is replaced. The same focus again changes nothing (no new version).
 */
export function setFocus(
	db: Db,
	sessionId: string,
	focus: { documentId: string | null; recommendationId: string | null; position?: FocusPosition | null }
) {
	return mutate(db, sessionId, async (sql) => {
		const { documentId } = focus;
		if (documentId) {
			const [listed] = await sql`select 1 from session_documents where session_id = ${sessionId} and document_id = ${documentId}`;
			if (!listed) throw notFound('Document not found in this session');
		}
		const recommendationId = documentId ? focus.recommendationId : null;
		const position = documentId ? (focus.position ?? null) : null;
		const updated = await sql`
			update group_sessions
			set focus_document_id = ${documentId}, focus_recommendation_id = ${recommendationId},
				focus_block = ${position?.block ?? null}, focus_fraction = ${position?.fraction ?? null}
			where id = ${sessionId}
				and (focus_document_id is distinct from ${documentId}
					or focus_recommendation_id is distinct from ${recommendationId}
					or focus_block is distinct from ${position?.block ?? null}
					or focus_fraction is distinct from ${position?.fraction ?? null})
			returning id`;
		return updated.length > 0;
	});
}

/** The first minutes document of a session, if it has one: where the server writes the minutes. */
export async function minutesOf(db: Db, sessionId: string): Promise<{ documentId: string; groupId: string; language: string | null } | null> {
	const [row] = await db.sql<{ documentId: string; groupId: string; language: string | null }>`
		select d.id as "documentId", d.group_id as "groupId", e.languages ->> 0 as language
		from session_documents sd
		join documents d on d.id = sd.document_id
		join groups g on g.id = d.group_id
		join events e on e.id = g.event_id
		where sd.session_id = ${sessionId} and d.kind = 'minutes'
		order by sd.position limit 1`;
	return row ?? null;
}

/**
 * Replaces the agenda with `items` in their order: known ids keep their time, unknown ones are
 * refused (NOT_FOUND), items left out are removed (the current one too: then none is current).
 */
export function setAgenda(db: Db, sessionId: string, items: { id?: string; title: string; plannedMinutes: number | null }[]) {
	return mutate(db, sessionId, async (sql, session) => {
		notClosed(session);
		const existing = new Set((await sql<{ id: string }>`select id from agenda_items where session_id = ${sessionId}`).map((row) => row.id));
		const kept = new Set<string>();
		for (const item of items) {
			if (item.id && !existing.has(item.id)) throw notFound('Agenda item not found');
			if (item.id) kept.add(item.id);
		}
		for (const id of existing) if (!kept.has(id)) await sql`delete from agenda_items where id = ${id}`;
		if (session.currentItemId && !kept.has(session.currentItemId)) {
			await sql`update group_sessions set current_item_id = null where id = ${sessionId}`;
		}
		for (const [position, item] of items.entries()) {
			if (item.id) {
				await sql`
					update agenda_items set position = ${position}, title = ${item.title}, planned_minutes = ${item.plannedMinutes}
					where id = ${item.id}`;
			} else {
				await sql`
					insert into agenda_items (session_id, position, title, planned_minutes)
					values (${sessionId}, ${position}, ${item.title}, ${item.plannedMinutes})`;
			}
		}
		return true;
	});
}
