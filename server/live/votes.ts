import type { Server as IOServer, Socket } from 'socket.io';
import { voteCast, voteOpen, voteRef, type VoteResult } from '../../src/lib/protocol/live';
import { atLeast, type Role } from '../../src/lib/protocol/roles';
import { roleInGroup } from '../../src/lib/server/auth/authorize';
import type { AppContext } from '../../src/lib/server/context';
import { AppError, forbidden, notFound } from '../../src/lib/server/errors';
import * as sessions from '../../src/lib/server/sessions';
import * as votes from '../../src/lib/server/votes';
import type { Collab } from '../collab';
import { checkRecommendation } from '../collab/comment-refs';
import { setRecommendationStatus } from '../collab/server-edits';
import { on } from './events';
import type { SocketData } from './io';

const room = (sessionId: string) => `session:${sessionId}`;

/**
 * Votes over Socket.IO (DESIGN.md "Realtime contract"): the moderator opens and closes, members
 * and moderators cast one ballot each. Every event checks the caller's role in the session's group
 * again (roleInGroup, as HTTP and /collab do); outsiders get NOT_FOUND for sessions and votes alike.
 */
export function registerVoteEvents(io: IOServer, socket: Socket, context: AppContext, collab: Collab): void {
	const { db, log } = context;
	const data = socket.data as SocketData;

	// Security seam: the one role check of every vote event.
	async function authorize(groupId: string | null, minimum: Role, what: string) {
		const principal = groupId ? await roleInGroup(db, data.user.id, groupId) : null;
		if (!principal) throw notFound(`${what} not found`);
		if (!atLeast(principal.role, minimum)) throw forbidden();
		return principal;
	}

	async function voteOf(voteId: string, minimum: Role) {
		const found = await votes.whereIs(db, voteId);
		await authorize(found?.groupId ?? null, minimum, 'Vote');
		return found!;
	}

	function publish(mutation: sessions.Mutation) {
		if (mutation.changed) io.to(room(mutation.state.sessionId)).emit('session:state', mutation.state);
		return mutation.state;
	}

	on(socket, 'vote:open', voteOpen, async ({ sessionId, documentId, recommendationId }) => {
		const principal = await authorize(await sessions.groupOf(db, sessionId), 'moderator', 'Session');
		// Before the text is opened: a document of another session or group is never loaded here.
		if (!(await votes.inSession(db, sessionId, documentId))) throw notFound('Document not found in this session');
		// Checked against the server's copy of the text, not the moderator's word (BI-23). An adopted
		// recommendation is decided; a rejected one may come back (amended, or after a tie).
		const status = await checkRecommendation(collab.registry, documentId, principal.groupId, recommendationId);
		if (status === 'adopted') throw new AppError('ALREADY_ADOPTED', 'recommendationId: this recommendation is adopted already');
		const { voteId, mutation } = await votes.open(db, sessionId, data.user.id, { documentId, recommendationId });
		return { voteId, state: publish(mutation) };
	}, log);

	on(socket, 'vote:cast', voteCast, async ({ voteId, choice }) => {
		const { sessionId } = await voteOf(voteId, 'member');
		return { state: publish(await votes.cast(db, sessionId, voteId, data.user.id, choice)) };
	}, log);

	on(socket, 'vote:close', voteRef, async ({ voteId }) => {
		const { sessionId, groupId } = await voteOf(voteId, 'moderator');
		const { result, mutation } = await closeVote(io, context, collab, sessionId, groupId, voteId);
		return { result, state: publish(mutation) };
	}, log);
}

/**
 * Closes a vote: stores the result, writes the outcome into the recommendation's status, and sends
 * `vote:result` to the session's room (the caller publishes the new state). Also used when the
 * session closes with a vote still open.
 */
export async function closeVote(io: IOServer, context: AppContext, collab: Collab, sessionId: string, groupId: string, voteId: string): Promise<{ result: VoteResult; mutation: sessions.Mutation }> {
	const { db, log } = context;
	const { result, mutation } = await votes.close(db, sessionId, voteId);
	// The result is stored first; the text follows. A crash in between is repaired at the next
	// start (writeOutstandingOutcomes). A locked document gets the outcome too: the lock stops
	// people from changing the wording while it is being decided, and the outcome is the room's
	// decision recorded by the server, not an edit of the wording.
	try {
		await writeOutcome(context, collab, { ...result, groupId });
	} catch (error) {
		log.error({ err: error, voteId }, 'writing a vote outcome into the document failed');
	}
	io.to(room(sessionId)).emit('vote:result', result);
	return { result, mutation };
}

async function writeOutcome(context: AppContext, collab: Collab, vote: votes.UnwrittenOutcome): Promise<void> {
	const { documentId, groupId, recommendationId, outcome, voteId } = vote;
	const written = await setRecommendationStatus(collab.registry, documentId, groupId, recommendationId, outcome);
	if (!written) context.log.warn({ voteId, recommendationId }, 'the voted recommendation is no longer in the text');
	// Only after the edit is stored (setRecommendationStatus waits for that): a crash before must find it still owed.
	await votes.markOutcomeWritten(context.db, voteId);
}

/**
 * At start: outcomes of votes closed just before the server stopped, not yet in the text, are
 * written now. Each is tried once; a failure is logged and tried again at the next start.
 */
export async function writeOutstandingOutcomes(context: AppContext, collab: Collab): Promise<void> {
	for (const vote of await votes.outcomesNotWritten(context.db)) {
		try {
			await writeOutcome(context, collab, vote);
			context.log.info({ voteId: vote.voteId }, 'wrote the outcome of a vote closed before the restart');
		} catch (error) {
			context.log.error({ err: error, voteId: vote.voteId }, 'writing a vote outcome into the document failed');
		}
	}
}
