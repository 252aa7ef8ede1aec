import type { Server as IOServer, Socket } from 'socket.io';
import { commentAdd, commentEdit, commentMove, commentRef, documentRef, groupRef, premoderation, streamRef, type CommentAction, type StreamRef } from '../../src/lib/protocol/comments';
import { atLeast, type Role } from '../../src/lib/protocol/roles';
import { roleInGroup, type Principal } from '../../src/lib/server/auth/authorize';
import * as comments from '../../src/lib/server/comments';
import type { AppContext } from '../../src/lib/server/context';
import { AppError, forbidden, notFound } from '../../src/lib/server/errors';
import * as sessions from '../../src/lib/server/sessions';
import type { Collab } from '../collab';
import { checkAnchor, checkRecommendation } from '../collab/comment-refs';
import { on } from './events';
import type { SocketData } from './io';

/**
 * Comments and questions over Socket.IO (protocol: src/lib/protocol/comments.ts). Rooms are
 * assigned here only (AZ-34): `document:<id>` on `document:join` (and for a session's documents
 * on `session:join`), and a session's questions go to its `session:<id>` room. Every event
 * re-checks the caller's role in the group from the database; what each socket then receives
 * depends on its role in that stream (moderators see hidden and pending comments, authors their
 * own pending ones), so a change is sent to the room at once when everyone sees it alike, else
 * socket by socket.
 */

export const documentRoom = (documentId: string) => `document:${documentId}`;
const sessionRoom = (sessionId: string) => `session:${sessionId}`;
const streamRoom = (stream: comments.Stream) => (stream.kind === 'document' ? documentRoom(stream.documentId) : sessionRoom(stream.sessionId));

/** The document streams a socket joined, with the role it had (kept on socket.data, updated on membership changes). */
function documentStreams(data: SocketData): Map<string, Role> {
	const extended = data as SocketData & { commentDocuments?: Map<string, Role> };
	return (extended.commentDocuments ??= new Map());
}

function roleInStream(data: SocketData, stream: comments.Stream): Role | undefined {
	return stream.kind === 'document' ? documentStreams(data).get(stream.documentId) : data.sessions.get(stream.sessionId);
}

/** Joins the comment streams of a session's documents (called by `session:join`). */
export async function joinSessionDocuments(socket: Socket, role: Role, documentIds: string[]): Promise<void> {
	for (const documentId of documentIds) documentStreams(socket.data as SocketData).set(documentId, role);
	await socket.join(documentIds.map(documentRoom));
}

/** A membership changed: that person's sockets follow their new role in the group's document streams, or leave them. */
export async function recheckCommentStreams(io: IOServer, context: AppContext, groupId: string, userId: string): Promise<void> {
	for (const socket of io.sockets.sockets.values()) {
		const data = socket.data as SocketData | undefined;
		if (!data || data.user.id !== userId) continue;
		const streams = documentStreams(data);
		for (const documentId of [...streams.keys()]) {
			const stream = await comments.streamOf(context.db, { documentId });
			if (stream && stream.groupId !== groupId) continue;
			const principal = stream ? await roleInGroup(context.db, userId, groupId) : null;
			if (principal) streams.set(documentId, principal.role);
			else {
				streams.delete(documentId);
				await socket.leave(documentRoom(documentId));
			}
		}
	}
}

type Outcome = 'comment:added' | 'comment:updated' | 'comment:removed' | null;

function outcome(viewer: comments.Viewer, change: comments.Change): Outcome {
	const was = change.before !== null && comments.sees(viewer, change.before, change.rootBefore);
	const is = change.after !== null && comments.sees(viewer, change.after, change.rootAfter);
	if (is && !was) return 'comment:added';
	// Its thread changed around it (the first comment hidden, say) but not how it looks: nothing to send.
	if (is) return JSON.stringify(comments.view(change.before!)) === JSON.stringify(comments.view(change.after!)) ? null : 'comment:updated';
	return was ? 'comment:removed' : null;
}

// Changes of one stream are applied and sent one after the other, so that everyone receives them
// in the order they were committed (two quick changes of one comment never arrive swapped).
const queues = new WeakMap<IOServer, Map<string, Promise<unknown>>>();

function serially<T>(io: IOServer, key: string, work: () => Promise<T>): Promise<T> {
	const byKey = queues.get(io) ?? new Map<string, Promise<unknown>>();
	queues.set(io, byKey);
	const previous = byKey.get(key) ?? Promise.resolve();
	const next = previous.then(work, work);
	const settled = next.catch(() => {});
	byKey.set(key, settled);
	void settled.then(() => {
		if (byKey.get(key) === settled) byKey.delete(key);
	});
	return next;
}

/**
 * Upvotes are coalesced: the count changes of a stream's comments wait up to `upvoteWindowMs` and
 * then go out as one `comment:updated` per comment, as the comment is at that moment, to whoever
 * sees it then. They are read again outside the stream's queue (a question published meanwhile
 * does not wait for that read) and sent in the stream's order; a comment sent about while they were
 * read is read once more in turn, so a hide, edit or unpin published meanwhile is never undone, and
 * no count goes back. Upvotes therefore run outside the stream's queue: they change nothing but a count.
 */
export const upvoteWindowMs = 100;

type Waiting = { stream: comments.Stream; counts: Map<string, { before: number; tick: number }>; timer: ReturnType<typeof setTimeout> };
const waitingUpvotes = new WeakMap<IOServer, Map<string, Waiting>>();
/** Counts upvotes as they are noted; a change read after tick `t` already carries every upvote noted up to `t`. */
let upvoteTicks = 0;

/** Notes that a comment's count changed from `before` upvotes; sent with the stream's next flush. */
function deferUpvote(io: IOServer, context: AppContext, stream: comments.Stream, commentId: string, before: number): void {
	const room = streamRoom(stream);
	const byRoom = waitingUpvotes.get(io) ?? new Map<string, Waiting>();
	waitingUpvotes.set(io, byRoom);
	let waiting = byRoom.get(room);
	if (!waiting) {
		const timer = setTimeout(() => {
			flushUpvotes(io, context, room).catch((error) => context.log.error({ err: error }, 'sending upvote counts failed'));
		}, upvoteWindowMs);
		waiting = { stream, counts: new Map(), timer };
		byRoom.set(room, waiting);
	}
	const tick = ++upvoteTicks;
	const known = waiting.counts.get(commentId);
	waiting.counts.set(commentId, { before: known?.before ?? before, tick });
}

/** A change of these comments read after `tick` was just sent: their counts noted up to then need not be sent again. */
function settleUpvotes(io: IOServer, stream: comments.Stream, changes: comments.Change[], tick: number): void {
	const waiting = waitingUpvotes.get(io)?.get(streamRoom(stream));
	if (!waiting) return;
	for (const change of changes) {
		const id = (change.after ?? change.before)!.id;
		if ((waiting.counts.get(id)?.tick ?? Infinity) <= tick) waiting.counts.delete(id);
	}
}

/** Per stream, the comments sent about while a flush read them (one set per flush reading). */
const sentDuringReads = new WeakMap<IOServer, Map<string, Set<Set<string>>>>();

function watchSends(io: IOServer, room: string): Set<string> {
	const byRoom = sentDuringReads.get(io) ?? new Map<string, Set<Set<string>>>();
	sentDuringReads.set(io, byRoom);
	const sent = new Set<string>();
	byRoom.set(room, (byRoom.get(room) ?? new Set()).add(sent));
	return sent;
}

function unwatchSends(io: IOServer, room: string, sent: Set<string>): void {
	const byRoom = sentDuringReads.get(io);
	const watchers = byRoom?.get(room);
	watchers?.delete(sent);
	if (watchers?.size === 0) byRoom!.delete(room);
}

/** Sends the waiting upvote counts of a stream: each comment as it is now, in the order they were written. */
async function flushUpvotes(io: IOServer, context: AppContext, room: string): Promise<void> {
	const waiting = waitingUpvotes.get(io)?.get(room);
	if (!waiting) return;
	clearTimeout(waiting.timer);
	waitingUpvotes.get(io)!.delete(room);
	const ids = [...waiting.counts.keys()];
	const sentMeanwhile = watchSends(io, room);
	let rows: Map<string, comments.Row>;
	try {
		rows = await comments.current(context.db, ids);
	} catch (error) {
		unwatchSends(io, room, sentMeanwhile);
		throw error;
	}
	await serially(io, room, async () => {
		unwatchSends(io, room, sentMeanwhile);
		// Something about these comments (or their threads) went out after they were read: what was read may be older.
		if ([...rows.keys()].some((id) => sentMeanwhile.has(id))) rows = await comments.current(context.db, ids);
		const changes: comments.Change[] = [];
		for (const [id, { before: count }] of waiting.counts) {
			const after = rows.get(id);
			if (!after) continue;
			const root = after.parentId ? (rows.get(after.parentId) ?? null) : null;
			// Only the count differs between the two, so whoever sees it now gets `comment:updated`, nobody else anything.
			changes.push({ before: { ...after, upvotes: count }, after, rootBefore: root, rootAfter: root });
		}
		changes.sort((x, y) => x.after!.seq - y.after!.seq);
		await send(io, waiting.stream, changes);
	});
}

/** Sends each change to whoever it concerns: `added`, `updated` or `removed` as it appears to them. */
async function publish(io: IOServer, stream: comments.Stream, changes: comments.Change[], tick: number): Promise<void> {
	await send(io, stream, changes);
	settleUpvotes(io, stream, changes, tick);
}

async function send(io: IOServer, stream: comments.Stream, changes: comments.Change[]): Promise<void> {
	const room = streamRoom(stream);
	for (const sent of sentDuringReads.get(io)?.get(room) ?? []) for (const change of changes) sent.add((change.after ?? change.before)!.id);
	let sockets: Awaited<ReturnType<IOServer['fetchSockets']>> | null = null;
	for (const change of changes) {
		const row = (change.after ?? change.before)!;
		const payload = (kind: Exclude<Outcome, null>) => (kind === 'comment:removed' ? { commentId: row.id } : { comment: comments.view(change.after!) });
		// The rule depends only on being a moderator and on being the comment's or the thread's author.
		const probes: comments.Viewer[] = [
			{ userId: '', role: 'moderator' },
			{ userId: '', role: 'participant' },
			{ userId: row.authorId, role: 'participant' },
			{ userId: change.rootAfter?.authorId ?? change.rootBefore?.authorId ?? '', role: 'participant' }
		];
		const outcomes = probes.map((viewer) => outcome(viewer, change));
		if (outcomes.every((kind) => kind === outcomes[0])) {
			if (outcomes[0]) io.to(room).emit(outcomes[0], payload(outcomes[0]));
			continue;
		}
		sockets ??= await io.in(room).fetchSockets();
		for (const socket of sockets) {
			const data = socket.data as SocketData;
			const role = roleInStream(data, stream);
			const kind = role ? outcome({ userId: data.user.id, role }, change) : null;
			if (kind) socket.emit(kind, payload(kind));
		}
	}
}

/** Registers the comment events of one socket (called once per connection by io.ts). */
export function registerCommentEvents(io: IOServer, socket: Socket, context: AppContext, collab: Collab): void {
	const { db, log, commentLimiter } = context;
	const data = socket.data as SocketData;
	const userId = data.user.id;

	/** The stream and the caller's role in its group; an outsider and an unknown id get the same NOT_FOUND. */
	async function authorizeStream(ref: StreamRef, minimum: Role): Promise<{ stream: comments.Stream; principal: Principal }> {
		const principal = await roleInGroup(db, userId, comments.streamGroupQuery(ref));
		if (!principal) throw notFound('documentId' in ref ? 'Document not found' : 'Session not found');
		if (!atLeast(principal.role, minimum)) throw forbidden();
		return { stream: comments.streamIn(ref, principal.groupId), principal };
	}

	async function authorizeComment(commentId: string): Promise<{ stream: comments.Stream; principal: Principal }> {
		// Both read the comment's row; asked together, they cost one round trip.
		const [stream, principal] = await Promise.all([comments.locate(db, commentId), roleInGroup(db, userId, comments.commentGroupQuery(commentId))]);
		if (!stream || !principal) throw notFound('Comment not found');
		return { stream, principal };
	}

	const viewerOf = (principal: Principal) => ({ userId, role: principal.role });

	on(socket, 'document:join', documentRef, async ({ documentId }) => {
		const { stream, principal } = await authorizeStream({ documentId }, 'observer');
		documentStreams(data).set(documentId, principal.role);
		await socket.join(documentRoom(documentId));
		return comments.list(db, stream, viewerOf(principal));
	}, log);

	on(socket, 'document:leave', documentRef, async ({ documentId }) => {
		documentStreams(data).delete(documentId);
		await socket.leave(documentRoom(documentId));
		return {};
	}, log);

	on(socket, 'comments:list', streamRef, async (ref) => {
		const { stream, principal } = await authorizeStream(ref, 'observer');
		return comments.list(db, stream, viewerOf(principal));
	}, log);

	on(socket, 'comments:unread', groupRef, async ({ groupId }) => {
		const principal = await roleInGroup(db, userId, groupId);
		if (!principal) throw notFound('Group not found');
		return comments.unreadOfGroup(db, principal);
	}, log);

	on(socket, 'comment:read', streamRef, async (ref) => {
		const { stream } = await authorizeStream(ref, 'observer');
		await comments.markRead(db, stream, userId);
		return {};
	}, log);

	on(socket, 'comment:add', commentAdd, async (input) => {
		const ref: StreamRef = input.sessionId ? { sessionId: input.sessionId } : { documentId: input.documentId! };
		// Read alongside the authorization to save a round trip; its answer is used only once that passed.
		const resent = input.clientId ? comments.byClientId(db, userId, input.clientId) : Promise.resolve(null);
		resent.catch(() => {}); // awaited below unless the authorization throws first
		const { stream, principal } = await authorizeStream(ref, 'participant');
		// A resend (the ack of the first send was lost): the same comment, nothing new, not counted.
		const earlier = await resent;
		if (earlier) return { comment: comments.view(earlier) };
		const wait = commentLimiter.retryAfter(userId);
		if (wait > 0) throw new AppError('RATE_LIMITED', `Too many comments; wait ${wait} s`, { retryAfterSeconds: wait });
		commentLimiter.fail(userId); // counted now, before any await, so that a burst cannot slip through
		const documentId = stream.kind === 'document' ? stream.documentId : (input.documentId ?? null);
		if (stream.kind === 'session' && documentId && !(await comments.isSessionDocument(db, stream.sessionId, documentId))) {
			throw notFound('documentId: not a document of this session');
		}
		if (input.anchor) await checkAnchor(collab.registry, documentId!, stream.groupId, input.anchor);
		if (input.recommendationId) await checkRecommendation(collab.registry, documentId!, stream.groupId, input.recommendationId);
		if (!input.parentId) {
			// A new thread: nothing else can change it before it is published, so it is written outside
			// the stream's queue and only its publication waits its turn.
			const added = await comments.add(db, principal, stream, input);
			if (added.created) await serially(io, streamRoom(stream), () => publish(io, stream, added.changes, upvoteTicks));
			return { comment: comments.view(added.row) };
		}
		const result = await serially(io, streamRoom(stream), async () => {
			const tick = upvoteTicks;
			const added = await comments.add(db, principal, stream, input);
			if (added.created) await publish(io, stream, added.changes, tick);
			return added;
		});
		return { comment: comments.view(result.row) };
	}, log);

	/** Runs one change of a comment in its stream's order, publishes it, and answers the comment as the caller now sees it. */
	async function change(commentId: string, run: (principal: Principal) => Promise<{ row: comments.Row; changes: comments.Change[] }>) {
		const { stream, principal } = await authorizeComment(commentId);
		const result = await serially(io, streamRoom(stream), async () => {
			const tick = upvoteTicks;
			const changed = await run(principal);
			await publish(io, stream, changed.changes, tick);
			return changed;
		});
		const root = result.changes.find((c) => c.after?.id === commentId)?.rootAfter ?? null;
		return comments.sees(viewerOf(principal), result.row, root) ? comments.view(result.row) : null;
	}

	on(socket, 'comment:edit', commentEdit, async ({ commentId, body }) => {
		return { comment: await change(commentId, (principal) => comments.edit(db, principal, commentId, body)) };
	}, log);

	on(socket, 'comment:anchor', commentMove, async ({ commentId, anchor }) => {
		const { stream, principal } = await authorizeComment(commentId);
		if (!atLeast(principal.role, 'member')) throw forbidden();
		// The new words must be in this document's text, like those of a new comment (BI-23).
		if (stream.kind === 'document') await checkAnchor(collab.registry, stream.documentId, stream.groupId, anchor);
		return { comment: await change(commentId, (principal) => comments.moveAnchor(db, principal, commentId, anchor)) };
	}, log);

	on(socket, 'comment:delete', commentRef, async ({ commentId }) => {
		return { comment: await change(commentId, (principal) => comments.remove(db, principal, commentId)) };
	}, log);

	on(socket, 'comment:upvote', commentRef, async ({ commentId }) => {
		const { stream, principal } = await authorizeComment(commentId);
		const voted = await comments.upvote(db, principal, commentId);
		for (const one of voted.changes) deferUpvote(io, context, stream, one.after!.id, one.before!.upvotes);
		// An upvote is only ever of a comment the caller sees.
		return { comment: comments.view(voted.row) };
	}, log);

	const actions: Record<CommentAction, (principal: Principal, commentId: string) => ReturnType<typeof comments.resolve>> = {
		'comment:resolve': (principal, id) => comments.resolve(db, principal, id),
		'comment:reopen': (principal, id) => comments.reopen(db, principal, id),
		'comment:answer': (principal, id) => comments.answer(db, principal, id),
		'comment:hide': (principal, id) => comments.hide(db, principal, id, true),
		'comment:unhide': (principal, id) => comments.hide(db, principal, id, false),
		'comment:pin': (principal, id) => comments.pin(db, principal, id, true),
		'comment:unpin': (principal, id) => comments.pin(db, principal, id, false),
		'comment:approve': (principal, id) => comments.approve(db, principal, id)
	};
	for (const [event, run] of Object.entries(actions) as [CommentAction, (typeof actions)[CommentAction]][]) {
		on(socket, event, commentRef, async ({ commentId }) => ({ comment: await change(commentId, (principal) => run(principal, commentId)) }), log);
	}

	on(socket, 'session:premoderation', premoderation, async ({ sessionId, enabled }) => {
		await authorizeStream({ sessionId }, 'moderator');
		const result = await sessions.setPremoderation(db, sessionId, enabled);
		if (result.changed) io.to(sessionRoom(sessionId)).emit('session:state', result.state);
		return { state: result.state };
	}, log);
}
