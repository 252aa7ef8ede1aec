import * as Y from 'yjs';
import { z } from 'zod';
import { uuid } from './api';
import type { SessionState } from './live';

/**
 * Comments and questions over Socket.IO (DESIGN.md "Realtime contract" and issue 5).
 *
 * Two kinds of stream, each a Socket.IO room the server assigns (no event names a room):
 * - a document's comments: `document:join { documentId }`; comments may carry an `anchor` (the
 *   commented words as Yjs relative positions, see src/lib/editor/comment-anchors.ts) and form
 *   threads (`parentId` = the thread's first comment); a thread is resolved and reopened;
 * - a session's questions: joined with `session:join` (which also joins the comment streams of the
 *   session's documents); a question may name a recommendation (`recommendationId` + the
 *   `documentId` holding it), is upvoted, answered, pinned (one at a time) and, while the session is
 *   pre-moderated, waits as `pending` until a moderator approves it.
 *
 * Who sees what: `pending` comments only moderators (and organizers) and their author; `hidden`
 * ones only moderators; a reply only whoever sees its thread's first comment. A change that makes a
 * comment visible to someone reaches them as `comment:added`, a change that hides it from them as
 * `comment:removed`, anything else as `comment:updated`. The changes of a thread (a comment and its
 * replies) arrive in the order they were committed; new threads may arrive in any order among
 * themselves (their `createdAt` orders them).
 *
 * Upvote counts are coalesced: the upvotes of a stream within 100 ms reach the others as one
 * `comment:updated` per comment, carrying the comment as it is when sent (the latest count). A
 * change of the comment sent meanwhile already carries its count, and no count ever arrives after
 * a `comment:removed` or undoes a later change. The upvoter's own answer carries the new count at once.
 *
 * Every client → server event answers `{ ok: true, ... }` or `{ ok: false, error: { code, message } }`.
 *
 * | event | payload | ok answer | who |
 * | --- | --- | --- | --- |
 * | `document:join` | `{ documentId }` | `CommentList` | any role |
 * | `document:leave` | `{ documentId }` | — | — |
 * | `session:join` (live.ts) | `{ sessionId }` | `{ state }`; joins the questions and the documents' comments | any role |
 * | `comments:list` | `{ documentId }` or `{ sessionId }` | `CommentList` (joins nothing) | any role |
 * | `comments:unread` | `{ groupId }` | `UnreadCounts` | any role |
 * | `comment:read` | `{ documentId }` or `{ sessionId }` | — (marks the stream read) | any role |
 * | `comment:add` | `{ documentId?, sessionId?, body, anchor?, parentId?, recommendationId?, clientId? }` | `{ comment }` | participant+ |
 * | `comment:edit` | `{ commentId, body }` | `{ comment }` | its author |
 * | `comment:anchor` | `{ commentId, anchor }` (a document thread) | `{ comment }` | member+ (who may change the text), not while the document is locked |
 * | `comment:delete` | `{ commentId }` | `{ comment: Comment \| null }` | its author |
 * | `comment:upvote` | `{ commentId }` | `{ comment }`; again → ALREADY_UPVOTED | participant+ |
 * | `comment:resolve` / `comment:reopen` | `{ commentId }` | `{ comment }` | its author (participant+) or moderator; reopening an answered question: moderator |
 * | `comment:answer` / `comment:pin` / `comment:unpin` / `comment:approve` | `{ commentId }` (questions) | `{ comment }` | moderator |
 * | `comment:hide` / `comment:unhide` | `{ commentId }` | `{ comment }` | moderator |
 * | `session:premoderation` | `{ sessionId, enabled }` | `{ state }` (`state.premoderation`) | moderator |
 *
 * "moderator" includes the event's organizers. Errors: VALIDATION (bad payload; the message names
 * the field), TOO_LONG (body over 10,000 characters, clientId over 64), NOT_FOUND (unknown id, an id
 * of another group, a comment the caller may not see, an anchor or recommendation that is not in
 * the document), FORBIDDEN (role too low, not the author), CONFLICT (e.g. pinning a pending
 * question, editing a deleted comment), RATE_LIMITED (more than 5 new comments in 10 s),
 * ALREADY_UPVOTED. Server → client: `comment:added` / `comment:updated` `{ comment }`,
 * `comment:removed` `{ commentId }`, and `session:state` after `session:premoderation`.
 *
 * `comment:anchor` moves a thread to other words. Splitting a paragraph (Enter) or joining two
 * (Backspace at the start of one) makes y-prosemirror delete the moved text and insert it again,
 * so an anchor on it would resolve as deleted: the editor that made the change sends the anchor of
 * the same words, re-created.
 *
 * Offline: give every new comment a `clientId` (e.g. `crypto.randomUUID()`) when it is written and
 * keep it with the unsent comment; resending with the same `clientId` answers the comment the first
 * send created and never makes a second (nor counts against the rate limit). A resend refused
 * with any other code than RATE_LIMITED or INTERNAL will be refused again as it is: give its text
 * back to its writer rather than dropping it. Send an anchored comment once the document's
 * provider has synced, so the server already has the commented words (it waits 1.5 s for them,
 * then answers NOT_FOUND).
 */

export const commentLimits = {
	/** Characters (code points) of a body, after trimming: 1 … 10,000 (DESIGN.md limits). */
	body: 10_000,
	/** Length of one base64 relative position; real ones are 10–40 characters. */
	anchorPart: 128,
	clientId: 64,
	/** Comments (incl. questions and replies) per person per window; resends of a known clientId do not count. */
	perWindow: 5,
	windowMs: 10_000
} as const;

/** Wire status. `hidden` is shown while a moderator hides it; the status under it comes back on unhide. */
export const commentStatuses = ['pending', 'visible', 'answered', 'resolved', 'hidden'] as const;
export type CommentStatus = (typeof commentStatuses)[number];

/** The commented words: two `Y.encodeRelativePosition` results, base64 (start, then end of the range). */
export type CommentAnchor = { from: string; to: string };

/** A mention of a group member in a body: `body.slice(start, end)` is "@Name" (UTF-16 offsets). */
export type Mention = { userId: string; start: number; end: number };

/**
 * A comment as every client receives it (DESIGN.md fields first). Nothing in it is HTML: `body` is
 * plain text to render with text interpolation (links made clickable and mentions highlighted by
 * the client, never `{@html}`).
 */
export type Comment = {
	id: string;
	/** Document comments: their document. Questions: the document of `recommendationId`, else null. */
	documentId: string | null;
	/** Set for the questions and remarks of a session's stream; null for document comments. */
	sessionId: string | null;
	authorId: string;
	authorName: string;
	/** Empty while `deleted` (a deleted comment with replies stays as a placeholder). */
	body: string;
	anchor: CommentAnchor | null;
	/** The thread's first comment, for replies. */
	parentId: string | null;
	recommendationId: string | null;
	upvotes: number;
	status: CommentStatus;
	createdAt: string;
	/** Last edit by the author, or null. */
	editedAt: string | null;
	/** The question the projector shows (one per session at most). */
	pinned: boolean;
	deleted: boolean;
	mentions: Mention[];
};

/** What a stream looks like to the caller: its comments, which of them the caller upvoted, unread count. */
export type CommentList = { comments: Comment[]; upvoted: string[]; unread: number };

/** Unread counts of the streams of a group the caller may see, by document and by session (no zeroes). */
export type UnreadCounts = { documents: Record<string, number>; sessions: Record<string, number> };
/** Unread counts stop here (shown as "99+"): counting a stream nobody opened would read its whole history. */
export const unreadCountCap = 100;

// C0/C1 controls except tab, line feed and carriage return (BI-24: NUL would fail in PostgreSQL).
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export function codePoints(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}

/** A body: trimmed, 1 … 10,000 code points (too long alone → TOO_LONG), no control characters, valid Unicode. */
export const commentBody = z
	.string()
	.transform((value) => value.trim())
	.pipe(
		z
			.string()
			.min(1, 'required')
			.superRefine((value, ctx) => {
				if (value.length > commentLimits.body && codePoints(value) > commentLimits.body) {
					ctx.addIssue({ code: 'too_big', maximum: commentLimits.body, origin: 'string', inclusive: true, input: value, message: `at most ${commentLimits.body} characters` });
				}
			})
			.refine((value) => !controlCharacters.test(value), 'must not contain control characters')
			.refine((value) => value.isWellFormed(), 'must be valid Unicode text')
	);

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes one anchor end, or null when it is not a relative position Plenary makes: exactly one of
 * item, type or root name (and the root can only be the editor's fragment `default`), and nothing
 * after it (the bytes re-encode identically). The server still checks it against the document.
 */
export function decodeAnchorPart(text: string): Y.RelativePosition | null {
	if (text.length > commentLimits.anchorPart || !base64.test(text)) return null;
	try {
		const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
		const position = Y.decodeRelativePosition(bytes);
		const set = [position.item, position.type, position.tname].filter((part) => part !== null).length;
		if (set !== 1 || (position.tname !== null && position.tname !== 'default')) return null;
		const again = Y.encodeRelativePosition(position);
		return again.length === bytes.length && again.every((byte, i) => byte === bytes[i]) ? position : null;
	} catch {
		return null;
	}
}

const anchorPart = z
	.string()
	.max(commentLimits.anchorPart, `at most ${commentLimits.anchorPart} characters`)
	.refine((value) => decodeAnchorPart(value) !== null, 'not a relative position');
export const commentAnchor = z.strictObject({ from: anchorPart, to: anchorPart });

export const clientId = z
	.string()
	.min(1, 'required')
	.max(commentLimits.clientId, `at most ${commentLimits.clientId} characters`)
	.regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/**
 * `comment:add`. A document comment names `documentId` (and may have an `anchor`); a question names
 * `sessionId` (and, with `recommendationId`, the `documentId` holding it). A reply names its stream
 * and `parentId` and has neither anchor nor recommendation. `clientId` makes resends idempotent.
 */
export const commentAdd = z
	.strictObject({
		documentId: uuid.nullish(),
		sessionId: uuid.nullish(),
		body: commentBody,
		anchor: commentAnchor.nullish(),
		parentId: uuid.nullish(),
		recommendationId: uuid.nullish(),
		clientId: clientId.nullish()
	})
	.superRefine((input, ctx) => {
		const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, input });
		if (!input.documentId && !input.sessionId) problem('documentId', 'documentId or sessionId is required');
		if (input.anchor && input.sessionId) problem('anchor', 'questions of a session have no anchor');
		if (input.parentId && input.anchor) problem('anchor', 'replies have no anchor');
		if (input.parentId && input.recommendationId) problem('recommendationId', 'replies have no recommendation');
		if (input.sessionId && input.recommendationId && !input.documentId) problem('documentId', 'the document of the recommendation is required');
		if (input.sessionId && input.documentId && !input.recommendationId) problem('documentId', 'a question names a document only with a recommendation');
	});
export type CommentAddInput = z.output<typeof commentAdd>;

export const commentRef = z.strictObject({ commentId: uuid });
export const commentEdit = z.strictObject({ commentId: uuid, body: commentBody });
export const commentMove = z.strictObject({ commentId: uuid, anchor: commentAnchor });
export const documentRef = z.strictObject({ documentId: uuid });
/** A comment stream: a document's comments or a session's questions. */
export const streamRef = z.union([z.strictObject({ documentId: uuid }), z.strictObject({ sessionId: uuid })]);
export type StreamRef = z.output<typeof streamRef>;
export const groupRef = z.strictObject({ groupId: uuid });
export const premoderation = z.strictObject({ sessionId: uuid, enabled: z.boolean() });

/** Events a moderator (or organizer) uses on one comment; `comment:resolve`/`reopen` also its author. */
export const commentActions = [
	'comment:resolve',
	'comment:reopen',
	'comment:answer',
	'comment:hide',
	'comment:unhide',
	'comment:pin',
	'comment:unpin',
	'comment:approve'
] as const;
export type CommentAction = (typeof commentActions)[number];

/** Every client → server event of comments (part of `clientEvents` in live.ts). */
export const commentEvents = [
	'document:join',
	'document:leave',
	'comments:list',
	'comments:unread',
	'comment:add',
	'comment:edit',
	'comment:anchor',
	'comment:delete',
	'comment:upvote',
	'comment:read',
	'session:premoderation',
	...commentActions
] as const;

type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: { code: import('./errors').ErrorCode; message: string } };
type Handler<T extends object = object> = (payload: unknown, ack: (answer: Ack<T>) => void) => void;

export interface CommentClientEvents {
	/** Joins the document's comment stream (any role of its group). */
	'document:join': Handler<CommentList>;
	'document:leave': Handler;
	/** The comments of a stream as the caller may see them, without joining it. */
	'comments:list': Handler<CommentList>;
	'comments:unread': Handler<UnreadCounts>;
	/** Participant and up. A repeat with the same clientId answers the first comment and creates none. */
	'comment:add': Handler<{ comment: Comment }>;
	/** The author only (participant and up). */
	'comment:edit': Handler<{ comment: Comment }>;
	/** Member and up, while the document is not locked: the thread's words moved (a split or join of paragraphs re-created them). */
	'comment:anchor': Handler<{ comment: Comment }>;
	/** The author only. `comment` is the placeholder left when it has replies, else null (it is gone). */
	'comment:delete': Handler<{ comment: Comment | null }>;
	/** Participant and up, once per person: a second one is refused ALREADY_UPVOTED. */
	'comment:upvote': Handler<{ comment: Comment }>;
	/** Marks the stream read up to now for the caller. */
	'comment:read': Handler;
	/** Moderator: new questions of non-moderators wait as `pending` while enabled. */
	'session:premoderation': Handler<{ state: SessionState }>;
	'comment:resolve': Handler<{ comment: Comment }>;
	'comment:reopen': Handler<{ comment: Comment }>;
	'comment:answer': Handler<{ comment: Comment }>;
	'comment:hide': Handler<{ comment: Comment }>;
	'comment:unhide': Handler<{ comment: Comment }>;
	'comment:pin': Handler<{ comment: Comment }>;
	'comment:unpin': Handler<{ comment: Comment }>;
	'comment:approve': Handler<{ comment: Comment }>;
}

export interface CommentServerEvents {
	'comment:added': (payload: { comment: Comment }) => void;
	'comment:updated': (payload: { comment: Comment }) => void;
	'comment:removed': (payload: { commentId: string }) => void;
}
