import type { Db } from './db/db';
import { AppError, notFound } from './errors';
import { mutate, type Mutation } from './sessions';
import type { VoteChoice, VoteResult } from '../protocol/live';

/**
 * Votes on a recommendation during a live session. Each change goes through the session's
 * `mutate` (session row locked, version bumped), so a vote's opening, every ballot and its closing
 * reach clients as whole session states, in order. At most one vote per session is open.
 * The recommendation being in the document is checked by the caller against the server's copy of
 * the text (server/collab/comment-refs.ts), which this module cannot see.
 */

/** The rule, written in the README too: adopted when more voted yes than no; abstentions count for neither. */
export function outcomeOf(counts: { yes: number; no: number }): VoteResult['outcome'] {
	return counts.yes > counts.no ? 'adopted' : 'rejected';
}

/** The session and group of a vote, or null: the first step of authorizing anything about it. */
export async function whereIs(db: Db, voteId: string): Promise<{ sessionId: string; groupId: string } | null> {
	const [row] = await db.sql<{ sessionId: string; groupId: string }>`
		select v.session_id as "sessionId", s.group_id as "groupId"
		from votes v join group_sessions s on s.id = v.session_id
		where v.id = ${voteId}`;
	return row ?? null;
}

/** Whether the document is one of the session's (those alone may be voted on). */
/** The open votes of a session this person has cast a ballot in (so a reloaded page shows "counted"). */
export async function castBy(db: Db, sessionId: string, userId: string): Promise<string[]> {
	const rows = await db.sql<{ voteId: string }>`
		select b.vote_id as "voteId" from ballots b join votes v on v.id = b.vote_id
		where v.session_id = ${sessionId} and v.closed_at is null and b.user_id = ${userId}`;
	return rows.map((row) => row.voteId);
}

/** The vote open in a session, if any. */
export async function openIn(db: Db, sessionId: string): Promise<string | null> {
	const [vote] = await db.sql<{ id: string }>`select id from votes where session_id = ${sessionId} and closed_at is null`;
	return vote?.id ?? null;
}

export async function inSession(db: Db, sessionId: string, documentId: string): Promise<boolean> {
	const [listed] = await db.sql`select 1 from session_documents where session_id = ${sessionId} and document_id = ${documentId}`;
	return Boolean(listed);
}

/**
 * Opens a vote on `recommendationId` of `documentId` and points the room's focus at it. Throws
 * NOT_FOUND when the document is not one of the session's, CONFLICT when the session is not live or
 * another vote is open.
 */
export async function open(
	db: Db,
	sessionId: string,
	openedBy: string,
	target: { documentId: string; recommendationId: string }
): Promise<{ voteId: string; mutation: Mutation }> {
	let voteId = '';
	const mutation = await mutate(db, sessionId, async (sql, session) => {
		const [listed] = await sql`select 1 from session_documents where session_id = ${sessionId} and document_id = ${target.documentId}`;
		if (!listed) throw notFound('Document not found in this session');
		if (session.status !== 'live') throw new AppError('CONFLICT', 'Votes are held only while the session is live');
		const [running] = await sql`select 1 from votes where session_id = ${sessionId} and closed_at is null`;
		if (running) throw new AppError('CONFLICT', 'Another vote is open; close it first');
		const [vote] = await sql<{ id: string }>`
			insert into votes (session_id, document_id, recommendation_id, opened_by)
			values (${sessionId}, ${target.documentId}, ${target.recommendationId}, ${openedBy})
			returning id`;
		voteId = vote!.id;
		// The room looks at what it votes on: followers and the projector go to the recommendation.
		await sql`
			update group_sessions
			set focus_document_id = ${target.documentId}, focus_recommendation_id = ${target.recommendationId}, focus_block = null, focus_fraction = null
			where id = ${sessionId}`;
		return true;
	});
	return { voteId, mutation };
}

/**
 * One ballot of `userId` (the caller checked the role). CONFLICT when the vote is closed or the
 * session not live, ALREADY_VOTED on a second ballot: the first one stands.
 */
export function cast(db: Db, sessionId: string, voteId: string, userId: string, choice: VoteChoice): Promise<Mutation> {
	return mutate(db, sessionId, async (sql, session) => {
		const [vote] = await sql<{ closed: boolean }>`select closed_at is not null as closed from votes where id = ${voteId}`;
		if (!vote) throw notFound('Vote not found');
		if (vote.closed) throw new AppError('CONFLICT', 'This vote is closed');
		if (session.status !== 'live') throw new AppError('CONFLICT', 'Votes are held only while the session is live');
		const added = await sql`
			insert into ballots (vote_id, user_id, choice) values (${voteId}, ${userId}, ${choice})
			on conflict (vote_id, user_id) do nothing
			returning vote_id`;
		if (!added.length) throw new AppError('ALREADY_VOTED', 'You have already voted');
		return true;
	});
}

/**
 * Closes an open vote and stores its counts and outcome (CONFLICT if it is closed already). Closing
 * is allowed whatever the session's status, so that a vote never stays open for good. The caller
 * writes the outcome into the document and announces it.
 */
export async function close(db: Db, sessionId: string, voteId: string): Promise<{ result: VoteResult; mutation: Mutation }> {
	let result: VoteResult | null = null;
	const mutation = await mutate(db, sessionId, async (sql) => {
		const [vote] = await sql<{ closed: boolean; documentId: string; recommendationId: string }>`
			select closed_at is not null as closed, document_id as "documentId", recommendation_id as "recommendationId"
			from votes where id = ${voteId}`;
		if (!vote) throw notFound('Vote not found');
		if (vote.closed) throw new AppError('CONFLICT', 'This vote is closed already');
		const [counts] = await sql<{ yes: number; no: number; abstain: number }>`
			select count(*) filter (where choice = 'yes')::int as yes,
				count(*) filter (where choice = 'no')::int as no,
				count(*) filter (where choice = 'abstain')::int as abstain
			from ballots where vote_id = ${voteId}`;
		const outcome = outcomeOf(counts!);
		const [closed] = await sql<{ closedAt: Date }>`
			update votes
			set closed_at = now(), yes_count = ${counts!.yes}, no_count = ${counts!.no}, abstain_count = ${counts!.abstain}, outcome = ${outcome}
			where id = ${voteId}
			returning closed_at as "closedAt"`;
		result = { voteId, documentId: vote.documentId, recommendationId: vote.recommendationId, ...counts!, outcome, closedAt: closed!.closedAt.toISOString() };
		return true;
	});
	return { result: result!, mutation };
}

/** The outcome of a closed vote is in the text now (or its recommendation is gone): nothing to repair. */
export async function markOutcomeWritten(db: Db, voteId: string): Promise<void> {
	await db.sql`update votes set outcome_written_at = now() where id = ${voteId} and closed_at is not null`;
}

export type UnwrittenOutcome = { voteId: string; documentId: string; groupId: string; recommendationId: string; outcome: VoteResult['outcome'] };

/** Closed votes whose outcome never reached the text (the server stopped in between). */
export async function outcomesNotWritten(db: Db): Promise<UnwrittenOutcome[]> {
	return db.sql<UnwrittenOutcome>`
		select v.id as "voteId", v.document_id as "documentId", d.group_id as "groupId",
			v.recommendation_id as "recommendationId", v.outcome
		from votes v join documents d on d.id = v.document_id
		where v.closed_at is not null and v.outcome_written_at is null
		order by v.closed_at`;
}
