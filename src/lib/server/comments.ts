import type { Principal } from './auth/authorize';
import { fragment, type Db, type Fragment, type Sql } from './db/db';
import { AppError, forbidden, notFound } from './errors';
import { findMentions } from '../mentions';
import { unreadCountCap, type Comment, type CommentAddInput, type CommentAnchor, type CommentList, type Mention, type StreamRef, type UnreadCounts } from '../protocol/comments';
import { atLeast, type Role } from '../protocol/roles';

/**
 * Comments on documents and questions in sessions: who may do what, who sees what, and their rows.
 * Every function that takes a comment id finds it only inside the caller's group (AZ-32), and one
 * the caller may not see is NOT_FOUND, exactly like an unknown id. Changes run in one transaction
 * with the comment locked and return what changed for whom to see (see `Change`).
 */

/** A comment stream: a document's comments, or the questions of a session. */
export type Stream = { kind: 'document'; documentId: string; groupId: string } | { kind: 'session'; sessionId: string; groupId: string };

export type Viewer = { userId: string; role: Role };

/** A comment row as stored, with its author's name, upvote count and whether it has live replies. */
export type Row = {
	id: string;
	seq: number;
	groupId: string;
	documentId: string | null;
	sessionId: string | null;
	authorId: string;
	authorName: string;
	parentId: string | null;
	body: string;
	anchor: CommentAnchor | null;
	recommendationId: string | null;
	status: 'pending' | 'visible' | 'answered' | 'resolved';
	pinned: boolean;
	mentions: Mention[];
	createdAt: Date;
	editedAt: Date | null;
	hiddenAt: Date | null;
	deletedAt: Date | null;
	upvotes: number;
	liveReplies: boolean;
};

/** One comment before and after a change, with its thread's first comment before and after (replies only). */
export type Change = { before: Row | null; after: Row | null; rootBefore: Row | null; rootAfter: Row | null };

const fields = fragment`c.id, c.seq, c.group_id as "groupId", c.document_id as "documentId", c.session_id as "sessionId",
	c.author_id as "authorId", u.name as "authorName", c.parent_id as "parentId", c.body, c.anchor,
	c.recommendation_id as "recommendationId", c.status, c.pinned, c.mentions, c.created_at as "createdAt",
	c.edited_at as "editedAt", c.hidden_at as "hiddenAt", c.deleted_at as "deletedAt",
	(select count(*) from comment_upvotes v where v.comment_id = c.id)::int as upvotes,
	exists (select 1 from comments r where r.parent_id = c.id and r.deleted_at is null) as "liveReplies"`;

function normal(row: Row): Row {
	return { ...row, seq: Number(row.seq) };
}

/** The comment as clients receive it; a deleted one keeps its place (and anchor) but not its words. */
export function view(row: Row): Comment {
	const deleted = row.deletedAt !== null;
	return {
		id: row.id,
		documentId: row.documentId,
		sessionId: row.sessionId,
		authorId: row.authorId,
		authorName: row.authorName,
		body: deleted ? '' : row.body,
		anchor: row.anchor,
		parentId: row.parentId,
		recommendationId: row.recommendationId,
		upvotes: row.upvotes,
		status: row.hiddenAt ? 'hidden' : row.status,
		createdAt: row.createdAt.toISOString(),
		editedAt: row.editedAt?.toISOString() ?? null,
		pinned: row.pinned,
		deleted,
		mentions: deleted ? [] : row.mentions
	};
}

export const moderates = (role: Role) => atLeast(role, 'moderator');

type Visibility = Pick<Row, 'authorId' | 'status' | 'hiddenAt' | 'deletedAt' | 'liveReplies'>;

function seesItself(viewer: Viewer, row: Visibility): boolean {
	if (row.deletedAt && !row.liveReplies) return false;
	if (moderates(viewer.role)) return true;
	if (row.hiddenAt) return false;
	if (row.status === 'pending') return row.authorId === viewer.userId;
	return true;
}

/**
 * The visibility rule: hidden comments only moderators (and organizers) see; pending ones also
 * their author; a reply only whoever sees its thread's first comment; a deleted comment nobody,
 * unless replies keep it as a placeholder.
 */
export function sees(viewer: Viewer, row: Visibility, root: Visibility | null): boolean {
	return seesItself(viewer, row) && (!root || seesItself(viewer, { ...root, liveReplies: true }));
}

export function streamOfRow(row: Pick<Row, 'groupId' | 'documentId' | 'sessionId'>): Stream {
	return row.sessionId
		? { kind: 'session', sessionId: row.sessionId, groupId: row.groupId }
		: { kind: 'document', documentId: row.documentId!, groupId: row.groupId };
}

/** The stream a client names, with its group; null when there is no such document or session. */
export async function streamOf(db: Db, ref: StreamRef): Promise<Stream | null> {
	if ('documentId' in ref) {
		const [row] = await db.sql<{ groupId: string }>`select group_id as "groupId" from documents where id = ${ref.documentId}`;
		return row ? { kind: 'document', documentId: ref.documentId, groupId: row.groupId } : null;
	}
	const [row] = await db.sql<{ groupId: string }>`select group_id as "groupId" from group_sessions where id = ${ref.sessionId}`;
	return row ? { kind: 'session', sessionId: ref.sessionId, groupId: row.groupId } : null;
}

/** The group of a stream as a query, for `roleInGroup`: the stream and the caller's role in one round trip. */
export function streamGroupQuery(ref: StreamRef): Fragment {
	return 'documentId' in ref
		? fragment`select group_id from documents where id = ${ref.documentId}`
		: fragment`select group_id from group_sessions where id = ${ref.sessionId}`;
}

/** The stream `ref` names in the group `roleInGroup` found for it. */
export function streamIn(ref: StreamRef, groupId: string): Stream {
	return 'documentId' in ref ? { kind: 'document', documentId: ref.documentId, groupId } : { kind: 'session', sessionId: ref.sessionId, groupId };
}

/** The group of a comment as a query, for `roleInGroup` (asked alongside `locate`). */
export function commentGroupQuery(commentId: string): Fragment {
	return fragment`select group_id from comments where id = ${commentId}`;
}

/** The stream of a comment, with its group, or null: the first step of authorizing anything about it. */
export async function locate(db: Db, commentId: string): Promise<Stream | null> {
	const [row] = await db.sql<Pick<Row, 'groupId' | 'documentId' | 'sessionId'>>`
		select group_id as "groupId", document_id as "documentId", session_id as "sessionId" from comments where id = ${commentId}`;
	return row ? streamOfRow(row) : null;
}

/** Whether a document is one of a session's (a question names a recommendation only in those). */
export async function isSessionDocument(db: Db, sessionId: string, documentId: string): Promise<boolean> {
	const rows = await db.sql`select 1 from session_documents where session_id = ${sessionId} and document_id = ${documentId}`;
	return rows.length > 0;
}

const inStream = (stream: Stream) =>
	stream.kind === 'document'
		? fragment`c.document_id = ${stream.documentId} and c.session_id is null`
		: fragment`c.session_id = ${stream.sessionId}`;

async function rowsOf(sql: Sql, stream: Stream): Promise<Row[]> {
	const rows = await sql<Row>`
		select ${fields} from comments c join users u on u.id = c.author_id
		where ${inStream(stream)}
		order by c.seq`;
	return rows.map(normal);
}

/** A stream as `viewer` may see it, oldest first, with what they upvoted and how many they have not read. */
export async function list(db: Db, stream: Stream, viewer: Viewer): Promise<CommentList> {
	const rows = await rowsOf(db.sql, stream);
	const byId = new Map(rows.map((row) => [row.id, row]));
	const seen = rows.filter((row) => sees(viewer, row, row.parentId ? (byId.get(row.parentId) ?? null) : null));
	const upvoted = await db.sql<{ commentId: string }>`
		select v.comment_id as "commentId" from comment_upvotes v join comments c on c.id = v.comment_id
		where v.user_id = ${viewer.userId} and ${inStream(stream)}`;
	const visible = new Set(seen.map((row) => row.id));
	const marker = await lastRead(db.sql, stream, viewer.userId);
	return {
		comments: seen.map(view),
		upvoted: upvoted.map((row) => row.commentId).filter((id) => visible.has(id)),
		unread: seen.filter((row) => row.seq > marker && row.authorId !== viewer.userId && !row.deletedAt).length
	};
}

/** One comment by the author's own client id: the answer to a resend (idempotent `comment:add`). */
export async function byClientId(db: Db, authorId: string, clientId: string): Promise<Row | null> {
	const [row] = await db.sql<Row>`
		select ${fields} from comments c join users u on u.id = c.author_id
		where c.author_id = ${authorId} and c.client_id = ${clientId}`;
	return row ? normal(row) : null;
}

async function mentionable(sql: Sql, groupId: string): Promise<{ id: string; name: string }[]> {
	// Everyone who sees the group's documents and sessions: its members (any role) and its event's organizers.
	return sql`
		select u.id, u.name from memberships m join users u on u.id = m.user_id where m.group_id = ${groupId}
		union
		select u.id, u.name from groups g join event_organizers o on o.event_id = g.event_id join users u on u.id = o.user_id
		where g.id = ${groupId}`;
}

/**
 * The people a comment of the group can mention, by name, without `me`: exactly those the server
 * recognises after "@" (offered by the comment boxes' completion).
 */
export async function mentionablePeople(db: Db, groupId: string, me: string): Promise<{ id: string; name: string }[]> {
	const people = await mentionable(db.sql, groupId);
	return people.filter((person) => person.id !== me).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Writes a new comment in `stream` by `author` (who must be participant or up: the caller checks).
 * A reply goes to the first comment of the parent's thread, which must be in the same stream and
 * visible to the author (else NOT_FOUND). While the session is pre-moderated, a non-moderator's
 * question waits as `pending`. With a `clientId` the author already used, nothing is written and
 * the earlier comment is answered (`created: false`), also when two copies race.
 */
export async function add(db: Db, author: Principal, stream: Stream, input: CommentAddInput): Promise<{ changes: Change[]; row: Row; created: boolean }> {
	const viewer = { userId: author.userId, role: author.role };
	const mentions = input.body.includes('@') ? findMentions(input.body, await mentionable(db.sql, author.groupId)) : [];
	// A new thread is one statement (a question is the hot path of a live session); a reply first
	// checks its parent in the same transaction as the insert.
	const written = input.parentId
		? await db.begin(async (sql) => {
				const [parent] = await sql<Row>`
					select ${fields} from comments c join users u on u.id = c.author_id
					where c.id = ${input.parentId} and c.group_id = ${author.groupId} and ${inStream(stream)}`;
				const root = parent?.parentId ? await one(sql, parent.parentId) : null;
				if (!parent || !sees(viewer, parent, root)) throw notFound('Comment not found');
				return insert(sql, author, stream, input, parent.parentId ?? parent.id, mentions);
			})
		: await insert(db.sql, author, stream, input, null, mentions);
	if (!written) {
		const earlier = await byClientId(db, author.userId, input.clientId!);
		if (!earlier) throw new AppError('CONFLICT', 'The comment was changed meanwhile; send it again');
		return { changes: [], row: earlier, created: false };
	}
	const row = normal(written);
	const root = row.parentId ? await one(db.sql, row.parentId) : null;
	return { changes: [{ before: null, after: row, rootBefore: root, rootAfter: root }], row, created: true };
}

/**
 * Inserts a comment and answers it as `one` would (a new comment has no upvotes and no replies, and
 * the statement's snapshot shows exactly that), or null when the author already used `clientId`.
 * A non-moderator's comment in a pre-moderated session's stream waits as `pending`.
 */
async function insert(sql: Sql, author: Principal, stream: Stream, input: CommentAddInput, parentId: string | null, mentions: Mention[]): Promise<Row | null> {
	const documentId = stream.kind === 'document' ? stream.documentId : (input.documentId ?? null);
	const sessionId = stream.kind === 'session' ? stream.sessionId : null;
	const held = stream.kind === 'session' && !moderates(author.role);
	const [row] = await sql<Row>`
		with c as (
			insert into comments (group_id, document_id, session_id, author_id, parent_id, body, anchor, recommendation_id, status, mentions, client_id)
			values (${author.groupId}, ${documentId}, ${sessionId}, ${author.userId}, ${parentId}, ${input.body},
				${input.anchor ?? null}::jsonb, ${input.recommendationId ?? null},
				case when ${held}::boolean and coalesce((select premoderation from group_sessions where id = ${sessionId}), false) then 'pending' else 'visible' end,
				${mentions}::jsonb, ${input.clientId ?? null})
			on conflict (author_id, client_id) do nothing
			returning *
		)
		select ${fields} from c join users u on u.id = c.author_id`;
	return row ?? null;
}

/** Comments by id as they are now, with their threads' first comments (for sending coalesced upvote counts), in one read. */
export async function current(db: Db, ids: string[]): Promise<Map<string, Row>> {
	if (!ids.length) return new Map();
	// Never `c.id in (…) or c.id in (…)`: PostgreSQL answers that OR with a scan of the whole
	// comments table, once per upvote batch of a live session (issue 13).
	const rows = await db.sql<Row>`
		with wanted as (select value::uuid as id from jsonb_array_elements_text(${ids}::jsonb)),
			ids as (select id from wanted union select p.parent_id from comments p where p.id in (select id from wanted) and p.parent_id is not null)
		select ${fields} from comments c join users u on u.id = c.author_id join ids on ids.id = c.id`;
	return new Map(rows.map((row) => [row.id, normal(row)]));
}

async function one(sql: Sql, id: string): Promise<Row | null> {
	const [row] = await sql<Row>`select ${fields} from comments c join users u on u.id = c.author_id where c.id = ${id}`;
	return row ? normal(row) : null;
}

/** The thread of a comment (its first comment and every reply), keyed by id. */
async function thread(sql: Sql, rootId: string): Promise<Map<string, Row>> {
	const rows = await sql<Row>`
		select ${fields} from comments c join users u on u.id = c.author_id
		where c.id = ${rootId} or c.parent_id = ${rootId}`;
	return new Map(rows.map((row) => [row.id, normal(row)]));
}

/** Every comment whose row, or whose thread's first comment, differs between the two snapshots. */
function diff(before: Map<string, Row>, after: Map<string, Row>): Change[] {
	const changes: Change[] = [];
	for (const id of new Set([...before.keys(), ...after.keys()])) {
		const b = before.get(id) ?? null;
		const a = after.get(id) ?? null;
		const rootId = (a ?? b)!.parentId;
		const rootBefore = rootId ? (before.get(rootId) ?? null) : null;
		const rootAfter = rootId ? (after.get(rootId) ?? null) : null;
		if (JSON.stringify([b, rootBefore]) !== JSON.stringify([a, rootAfter])) changes.push({ before: b, after: a, rootBefore, rootAfter });
	}
	return changes.sort((x, y) => (x.after ?? x.before)!.seq - (y.after ?? y.before)!.seq);
}

type Mutation = { row: Row; changes: Change[] };

/**
 * Runs `change` on one comment of the caller's group that the caller may see, locked, and answers
 * the comment after it and every comment whose view changed (its thread, and those of `also`).
 */
async function mutate(
	db: Db,
	actor: Principal,
	commentId: string,
	change: (sql: Sql, row: Row, root: Row | null) => Promise<void>,
	also?: (sql: Sql, row: Row) => Promise<string[]>
): Promise<Mutation> {
	const viewer = { userId: actor.userId, role: actor.role };
	return db.begin(async (sql) => {
		const [locked] = await sql<{ id: string; parentId: string | null }>`
			select id, parent_id as "parentId" from comments where id = ${commentId} and group_id = ${actor.groupId} for update`;
		if (!locked) throw notFound('Comment not found');
		const rootId = locked.parentId ?? locked.id;
		const before = await thread(sql, rootId);
		const row = before.get(commentId)!;
		const root = row.parentId ? (before.get(row.parentId) ?? null) : null;
		if (!sees(viewer, row, root)) throw notFound('Comment not found');
		const others = also ? await also(sql, row) : [];
		const otherRoots = [...new Set(others)].filter((id) => id !== rootId);
		for (const id of otherRoots) for (const [key, value] of await thread(sql, id)) before.set(key, value);
		await change(sql, row, root);
		const after = await thread(sql, rootId);
		for (const id of otherRoots) for (const [key, value] of await thread(sql, id)) after.set(key, value);
		return { row: after.get(commentId) ?? row, changes: diff(before, after) };
	});
}

const participantOrUp = (actor: Principal) => {
	if (!atLeast(actor.role, 'participant')) throw forbidden();
};
const moderatorOnly = (actor: Principal) => {
	if (!moderates(actor.role)) throw forbidden();
};
const authorOnly = (actor: Principal, row: Row) => {
	participantOrUp(actor);
	if (row.authorId !== actor.userId) throw forbidden('Only the author may do this');
};
const notDeleted = (row: Row) => {
	if (row.deletedAt) throw new AppError('CONFLICT', 'The comment was deleted');
};
const wrongKind = (message: string) => new AppError('VALIDATION', message);

/** The author changes the text; the earlier text is kept in comment_edits. */
export function edit(db: Db, actor: Principal, commentId: string, body: string): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		authorOnly(actor, row);
		notDeleted(row);
		if (row.body === body) return;
		const mentions = body.includes('@') ? findMentions(body, await mentionable(sql, actor.groupId)) : [];
		await sql`insert into comment_edits (comment_id, body) values (${row.id}, ${row.body})`;
		await sql`update comments set body = ${body}, mentions = ${mentions}::jsonb, edited_at = now() where id = ${row.id}`;
	});
}

/**
 * Moves a document thread to other words: those of its anchor re-created by a split or join of
 * paragraphs. Whoever may change the text may move it (member and up), and not while the document
 * is locked, when nobody may change the text. The caller checks that `anchor` is in the document.
 */
export function moveAnchor(db: Db, actor: Principal, commentId: string, anchor: CommentAnchor): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		if (!atLeast(actor.role, 'member')) throw forbidden();
		if (row.sessionId || row.parentId || !row.documentId) throw wrongKind('Only a thread of a document has words to move');
		const [document] = await sql<{ locked: boolean }>`select locked_at is not null as locked from documents where id = ${row.documentId}`;
		if (document?.locked) throw forbidden('The document is locked');
		await sql`update comments set anchor = ${anchor}::jsonb where id = ${row.id}`;
	});
}

/** The author deletes it: gone for everyone, or a placeholder while replies hang on it. */
export function remove(db: Db, actor: Principal, commentId: string): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		authorOnly(actor, row);
		if (row.deletedAt) return;
		await sql`update comments set deleted_at = now(), pinned = false where id = ${row.id}`;
	});
}

/** Resolve (document threads) — the thread's author or a moderator. */
export function resolve(db: Db, actor: Principal, commentId: string): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		participantOrUp(actor);
		if (row.authorId !== actor.userId) moderatorOnly(actor);
		if (row.sessionId || row.parentId) throw wrongKind('Only a thread of a document is resolved; questions are answered');
		notDeleted(row);
		if (row.status === 'visible') await sql`update comments set status = 'resolved' where id = ${row.id}`;
	});
}

/** Reopen a resolved thread (its author or a moderator) or an answered question (a moderator). */
export function reopen(db: Db, actor: Principal, commentId: string): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		participantOrUp(actor);
		if (row.authorId !== actor.userId || row.status === 'answered') moderatorOnly(actor);
		if (row.status === 'resolved' || row.status === 'answered') await sql`update comments set status = 'visible' where id = ${row.id}`;
	});
}

function question(row: Row): void {
	if (!row.sessionId || row.parentId) throw wrongKind('Only a question of a session can be answered, pinned or approved');
}

/** A moderator marks a question answered. */
export function answer(db: Db, actor: Principal, commentId: string): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		moderatorOnly(actor);
		question(row);
		notDeleted(row);
		if (row.status === 'pending') throw new AppError('CONFLICT', 'Approve the question first');
		if (row.status === 'visible') await sql`update comments set status = 'answered' where id = ${row.id}`;
	});
}

/** A moderator hides a comment (and with a thread's first comment, the thread) from everyone but moderators. */
export function hide(db: Db, actor: Principal, commentId: string, hidden: boolean): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		moderatorOnly(actor);
		if (hidden) await sql`update comments set hidden_at = coalesce(hidden_at, now()), hidden_by = ${actor.userId}, pinned = false where id = ${row.id}`;
		else await sql`update comments set hidden_at = null, hidden_by = null where id = ${row.id}`;
	});
}

/** A moderator pins a question for the projector; the one pinned before is unpinned. */
export function pin(db: Db, actor: Principal, commentId: string, pinned: boolean): Promise<Mutation> {
	return mutate(
		db,
		actor,
		commentId,
		async (sql, row) => {
			moderatorOnly(actor);
			question(row);
			if (!pinned) {
				await sql`update comments set pinned = false where id = ${row.id}`;
				return;
			}
			notDeleted(row);
			if (row.hiddenAt || row.status === 'pending') throw new AppError('CONFLICT', 'Only a question everyone sees can be pinned');
			await sql`update comments set pinned = false where session_id = ${row.sessionId} and pinned and id <> ${row.id}`;
			await sql`update comments set pinned = true where id = ${row.id}`;
		},
		async (sql, row) => {
			if (!pinned || !row.sessionId) return [];
			// Two moderators pinning at once: the session row serialises them (one pinned per session).
			await sql`select 1 from group_sessions where id = ${row.sessionId} for update`;
			const current = await sql<{ id: string; parentId: string | null }>`
				select id, parent_id as "parentId" from comments where session_id = ${row.sessionId} and pinned`;
			return current.map((other) => other.parentId ?? other.id);
		}
	);
}

/** A moderator approves a pending comment: everyone sees it now. */
export function approve(db: Db, actor: Principal, commentId: string): Promise<Mutation> {
	return mutate(db, actor, commentId, async (sql, row) => {
		moderatorOnly(actor);
		if (!row.sessionId) throw wrongKind('Only comments of a session wait for approval');
		if (row.status === 'pending') await sql`update comments set status = 'visible' where id = ${row.id}`;
	});
}

/**
 * Participant and up, once per person (ALREADY_UPVOTED), on a comment everyone may see. The common
 * case is one statement: it locks the comment (for share, so a concurrent hide, delete or approve
 * waits for it or goes first), inserts the upvote only when the comment may be upvoted by the
 * caller, and answers the comment with its new count. Anything else (refusals included) takes the
 * general path, which answers the exact error.
 */
export async function upvote(db: Db, actor: Principal, commentId: string): Promise<Mutation> {
	if (atLeast(actor.role, 'participant')) {
		const moderator = moderates(actor.role);
		const [voted] = await db.sql<Row>`
			with target as (
				select c.id from comments c left join comments r on r.id = c.parent_id
				where c.id = ${commentId} and c.group_id = ${actor.groupId}
					and c.deleted_at is null and c.hidden_at is null and c.status <> 'pending'
					and (r.id is null or ${moderator}::boolean or (r.hidden_at is null and (r.status <> 'pending' or r.author_id = ${actor.userId})))
				for share of c
			), inserted as (
				insert into comment_upvotes (comment_id, user_id) select id, ${actor.userId} from target
				on conflict (comment_id, user_id) do nothing returning comment_id
			)
			select ${fields} from comments c join users u on u.id = c.author_id where c.id = (select comment_id from inserted)`;
		if (voted) {
			// The statement's snapshot does not see its own insert: the new count is one more.
			const before = normal(voted);
			const after = { ...before, upvotes: before.upvotes + 1 };
			const root = before.parentId ? await one(db.sql, before.parentId) : null;
			return { row: after, changes: [{ before, after, rootBefore: root, rootAfter: root }] };
		}
	}
	return mutate(db, actor, commentId, async (sql, row) => {
		participantOrUp(actor);
		notDeleted(row);
		if (row.hiddenAt || row.status === 'pending') throw new AppError('CONFLICT', 'This comment cannot be upvoted now');
		const added = await sql`
			insert into comment_upvotes (comment_id, user_id) values (${row.id}, ${actor.userId})
			on conflict (comment_id, user_id) do nothing returning comment_id`;
		if (!added.length) throw new AppError('ALREADY_UPVOTED', 'You have already upvoted this');
	});
}

async function lastRead(sql: Sql, stream: Stream, userId: string): Promise<number> {
	const [row] =
		stream.kind === 'document'
			? await sql<{ lastSeq: string }>`select last_seq as "lastSeq" from comment_reads where user_id = ${userId} and document_id = ${stream.documentId}`
			: await sql<{ lastSeq: string }>`select last_seq as "lastSeq" from comment_reads where user_id = ${userId} and session_id = ${stream.sessionId}`;
	return row ? Number(row.lastSeq) : 0;
}

/**
 * Marks a stream read for a person up to the newest comment now. (A comment whose transaction
 * commits after this with a smaller seq stays read: unread counts are a hint, not a ledger.)
 */
export async function markRead(db: Db, stream: Stream, userId: string): Promise<void> {
	if (stream.kind === 'document') {
		await db.sql`
			insert into comment_reads (user_id, document_id, last_seq)
			values (${userId}, ${stream.documentId}, (select coalesce(max(seq), 0) from comments))
			on conflict (user_id, document_id) where document_id is not null
			do update set last_seq = greatest(comment_reads.last_seq, excluded.last_seq), updated_at = now()`;
	} else {
		await db.sql`
			insert into comment_reads (user_id, session_id, last_seq)
			values (${userId}, ${stream.sessionId}, (select coalesce(max(seq), 0) from comments))
			on conflict (user_id, session_id) where session_id is not null
			do update set last_seq = greatest(comment_reads.last_seq, excluded.last_seq), updated_at = now()`;
	}
}

/**
 * Unread comments per document and per session of the viewer's group (only streams with some),
 * each counted up to `unreadCountCap`: the session room asks every 15 s, so the cost follows the
 * unread comments of each stream, never the size of the group's history. The row comparisons make
 * PostgreSQL walk the stream's own (stream, seq) index from the read marker; with `seq > marker`
 * alone it guesses the global seq index cheaper and scans the whole table above the marker.
 */
export async function unreadOfGroup(db: Db, viewer: Principal): Promise<UnreadCounts> {
	const visibility = fragment`json_build_object('authorId', c.author_id, 'status', c.status, 'hiddenAt', c.hidden_at, 'deletedAt', c.deleted_at, 'liveReplies', false) as row,
		case when r.id is null then null
			else json_build_object('authorId', r.author_id, 'status', r.status, 'hiddenAt', r.hidden_at, 'deletedAt', r.deleted_at, 'liveReplies', true)
		end as root`;
	const rows = await db.sql<{
		documentId: string | null;
		sessionId: string | null;
		row: Visibility;
		root: Visibility | null;
	}>`
		select d.id as "documentId", null::uuid as "sessionId", x.row, x.root
		from documents d
		left join comment_reads m on m.user_id = ${viewer.userId} and m.document_id = d.id
		cross join lateral (
			select ${visibility} from comments c left join comments r on r.id = c.parent_id
			where c.document_id = d.id and c.session_id is null and (c.document_id, c.seq) > (d.id, coalesce(m.last_seq, 0))
				and c.deleted_at is null and c.author_id <> ${viewer.userId}
			limit ${unreadCountCap}
		) x
		where d.group_id = ${viewer.groupId}
		union all
		select null, s.id, x.row, x.root
		from group_sessions s
		left join comment_reads m on m.user_id = ${viewer.userId} and m.session_id = s.id
		cross join lateral (
			select ${visibility} from comments c left join comments r on r.id = c.parent_id
			where c.session_id = s.id and c.session_id is not null and (c.session_id, c.seq) > (s.id, coalesce(m.last_seq, 0))
				and c.deleted_at is null and c.author_id <> ${viewer.userId}
			limit ${unreadCountCap}
		) x
		where s.group_id = ${viewer.groupId}`;
	const counts: UnreadCounts = { documents: {}, sessions: {} };
	for (const { documentId, sessionId, row, root } of rows) {
		if (!sees(viewer, row, root)) continue;
		const [bucket, key] = sessionId ? [counts.sessions, sessionId] : [counts.documents, documentId!];
		bucket[key] = (bucket[key] ?? 0) + 1;
	}
	return counts;
}
