import type { Server as IOServer, Socket } from 'socket.io';
import { agendaCurrent, agendaUpdate, clockRead, documentLock, handRaise, presenceUpdate, sessionFocus, sessionRef, speakerLimit, speakersNext, type PresenceUser } from '../../src/lib/protocol/live';
import { atLeast, type Role } from '../../src/lib/protocol/roles';
import { authorizeDocument, roleInGroup } from '../../src/lib/server/auth/authorize';
import type { AppContext } from '../../src/lib/server/context';
import * as documents from '../../src/lib/server/documents';
import { AppError, forbidden, notFound } from '../../src/lib/server/errors';
import { FailureWindow } from '../../src/lib/server/auth/rate-limit';
import * as sessions from '../../src/lib/server/sessions';
import * as votes from '../../src/lib/server/votes';
import { isLocale } from '../../src/lib/server/locale';
import { m } from '../../src/lib/paraglide/messages.js';
import type { GroupRole, Locale } from '../../src/lib/protocol/roles';
import type { Collab } from '../collab';
import { appendBlocks, type Block } from '../collab/server-edits';
import { joinSessionDocuments, recheckCommentStreams } from './comments';
import { on } from './events';
import { closeVote } from './votes';
import type { SocketData } from './io';

const room = (sessionId: string) => `session:${sessionId}`;

/**
 * Session control over Socket.IO. Each event re-checks the caller's role in the session's group
 * (the same roleInGroup as HTTP and /collab); state changes are persisted first, then pushed to the
 * session's room as one whole snapshot.
 */
export function registerSessionEvents(io: IOServer, socket: Socket, context: AppContext, collab: Collab): void {
	const { db, log, signals } = context;
	const data = socket.data as SocketData;

	async function authorize(sessionId: string, minimum: Role) {
		const principal = await roleInGroup(db, data.user.id, sessions.groupQuery(sessionId));
		if (!principal) throw notFound('Session not found');
		if (!atLeast(principal.role, minimum)) throw forbidden();
		return principal;
	}

	async function publish(result: sessions.Mutation) {
		if (result.changed) io.to(room(result.state.sessionId)).emit('session:state', result.state);
		if (result.events.length) {
			writeMinutes(context, collab, result.state.sessionId, result.events).catch((error) =>
				log.error({ err: error, sessionId: result.state.sessionId }, 'writing the minutes failed')
			);
		}
		return { state: result.state };
	}

	on(socket, 'session:join', sessionRef, async ({ sessionId }) => {
		const principal = await authorize(sessionId, 'observer');
		data.sessions.set(sessionId, principal.role);
		await socket.join(room(sessionId));
		announcePresence(io, sessionId);
		const state = await sessions.state(db.sql, sessionId);
		// The session's questions go to this room; its documents' comments to theirs (DESIGN.md).
		await joinSessionDocuments(socket, principal.role, state.documentIds);
		return { state, votedIn: await votes.castBy(db, sessionId, data.user.id) };
	}, log);

	// Not a group's data: any signed-in socket may read the clock (the handshake checked the login).
	on(socket, 'clock:read', clockRead, async () => ({ serverNow: (await sessions.clock(db.sql)).toISOString() }), log);

	on(socket, 'presence:update', presenceUpdate, async ({ sessionId, status, documentId }) => {
		if (!data.sessions.has(sessionId)) throw notFound('Join the session first');
		data.presence.set(sessionId, { status, documentId });
		announcePresence(io, sessionId);
		return {};
	}, log);

	on(socket, 'session:leave', sessionRef, async ({ sessionId }) => {
		data.sessions.delete(sessionId);
		data.presence.delete(sessionId);
		await socket.leave(room(sessionId));
		announcePresence(io, sessionId);
		return {};
	}, log);

	/** A vote still open when the session closes is closed first: its result counts, and is written into the text. */
	async function closeSession(sessionId: string): Promise<sessions.Mutation> {
		const voteId = await votes.openIn(db, sessionId);
		const groupId = await sessions.groupOf(db, sessionId);
		if (voteId && groupId) await publish((await closeVote(io, context, collab, sessionId, groupId, voteId)).mutation);
		return sessions.close(db, sessionId);
	}

	const moderated = [
		['session:start', (id: string) => sessions.start(db, id)],
		['session:pause', (id: string) => sessions.pause(db, id)],
		['session:close', closeSession]
	] as const;
	for (const [event, run] of moderated) {
		on(socket, event, sessionRef, async ({ sessionId }) => {
			await authorize(sessionId, 'moderator');
			return publish(await run(sessionId));
		}, log);
	}

	on(socket, 'agenda:current', agendaCurrent, async ({ sessionId, itemId }) => {
		await authorize(sessionId, 'moderator');
		return publish(await sessions.setCurrentItem(db, sessionId, itemId));
	}, log);

	on(socket, 'agenda:update', agendaUpdate, async ({ sessionId, items }) => {
		await authorize(sessionId, 'moderator');
		return publish(await sessions.setAgenda(db, sessionId, items));
	}, log);

	on(socket, 'speakers:next', speakersNext, async ({ sessionId, expectedSpeakerId }) => {
		await authorize(sessionId, 'moderator');
		return publish(await sessions.nextSpeaker(db, sessionId, expectedSpeakerId));
	}, log);

	on(socket, 'speakers:limit', speakerLimit, async ({ sessionId, seconds }) => {
		await authorize(sessionId, 'moderator');
		return publish(await sessions.setSpeakerLimit(db, sessionId, seconds));
	}, log);

	on(socket, 'hand:raise', handRaise, async ({ sessionId, recommendationId, pointOfOrder }) => {
		await authorize(sessionId, 'participant');
		return publish(await sessions.raiseHand(db, sessionId, data.user.id, { recommendationId, pointOfOrder }));
	}, log);

	on(socket, 'hand:lower', sessionRef, async ({ sessionId }) => {
		await authorize(sessionId, 'participant');
		return publish(await sessions.lowerHand(db, sessionId, data.user.id));
	}, log);

	// The moderator's client sends its scroll position at most 4 times a second; more is refused.
	const focusCalls = new FailureWindow(10, 1000);
	on(socket, 'session:focus', sessionFocus, async ({ sessionId, ...focus }) => {
		await authorize(sessionId, 'moderator');
		if (focusCalls.retryAfter(sessionId)) throw new AppError('RATE_LIMITED', 'Too many focus changes; at most 10 a second');
		focusCalls.fail(sessionId);
		return publish(await sessions.setFocus(db, sessionId, focus));
	}, log);

	on(socket, 'document:lock', documentLock, async ({ documentId, locked }) => {
		await authorizeDocument(db, data.user.id, documentId, 'moderator');
		await documents.setLocked(db, documentId, data.user.id, locked);
		signals.emit('documentLockChanged', { documentId });
		return { locked };
	}, log);

	socket.on('disconnect', () => {
		for (const sessionId of data.sessions.keys()) announcePresence(io, sessionId);
	});
}

const presenceTickMs = 100;
type PresenceTimes = { pending: Map<string, NodeJS.Timeout>; lastSent: Map<string, number> };
const presenceTimes = new WeakMap<IOServer, PresenceTimes>();

/**
 * Sends a session's presence at most once a tick: every change asks for it, and a room where
 * sockets flood `presence:update` would otherwise fetch and send the whole list to everyone for
 * each message (issue 12). A quiet room's change goes out at once (a socket that just joined hears
 * a broadcast, and with it the offset connection state recovery needs to bring it back after a
 * drop); a busy room's changes wait for the end of the tick, and the list sent then is the latest.
 */
export function announcePresence(io: IOServer, sessionId: string): void {
	let times = presenceTimes.get(io);
	if (!times) presenceTimes.set(io, (times = { pending: new Map(), lastSent: new Map() }));
	const { pending, lastSent } = times;
	if (pending.has(sessionId)) return;
	const send = () => {
		lastSent.set(sessionId, Date.now());
		broadcastPresence(io, sessionId).catch(() => {});
	};
	const wait = (lastSent.get(sessionId) ?? 0) + presenceTickMs - Date.now();
	if (wait <= 0) return send();
	const timer = setTimeout(() => {
		pending.delete(sessionId);
		send();
	}, wait);
	timer.unref();
	pending.set(sessionId, timer);
}

/** Who is in a session's room now, one entry per person however many tabs (across instances). */
async function broadcastPresence(io: IOServer, sessionId: string): Promise<void> {
	const sockets = await io.in(room(sessionId)).fetchSockets();
	const users = new Map<string, PresenceUser>();
	for (const socket of sockets) {
		const data = socket.data as SocketData;
		const role = data.sessions.get(sessionId);
		if (!role) continue;
		const tab = data.presence.get(sessionId) ?? { status: 'online' as const, documentId: null };
		const known = users.get(data.user.id);
		// Several tabs: the person is online if any tab is, and in the document of a visible tab.
		if (known && (known.status === 'online' || tab.status === 'away')) continue;
		users.set(data.user.id, { userId: data.user.id, name: data.user.name, role, ...tab });
	}
	io.to(room(sessionId)).emit('presence', { sessionId, users: [...users.values()] });
}

/** A membership changed: sockets of that person re-check each session of that group they joined. */
export async function recheckMembership(io: IOServer, context: AppContext, groupId: string, userId: string): Promise<void> {
	for (const socket of io.sockets.sockets.values()) {
		const data = socket.data as SocketData | undefined;
		if (data?.user.id === userId) await recheckSessions(io, context, socket, groupId);
	}
	await recheckCommentStreams(io, context, groupId, userId);
}

/**
 * Re-checks the live sessions a socket joined (of `groupId` only, or all): a role that changed is
 * kept for the next event, a membership that ended takes the socket out of the session's room, so
 * it hears nothing more of it. Presence is sent again either way.
 */
export async function recheckSessions(io: IOServer, context: AppContext, socket: Socket, groupId?: string): Promise<void> {
	const data = socket.data as SocketData;
	for (const sessionId of [...data.sessions.keys()]) {
		const group = await sessions.groupOf(context.db, sessionId);
		if (groupId && group !== groupId) continue;
		const principal = group ? await roleInGroup(context.db, data.user.id, group) : null;
		if (principal) data.sessions.set(sessionId, principal.role);
		else {
			data.sessions.delete(sessionId);
			data.presence.delete(sessionId);
			await socket.leave(room(sessionId));
		}
		announcePresence(io, sessionId);
	}
}

/**
 * The minutes that write themselves: a heading when an agenda item starts, a line when a speaker's
 * turn ends ("NAME (role, delegation) — 3 min"), in the session's minutes document unless locked.
 */
async function writeMinutes(context: AppContext, collab: Collab, sessionId: string, events: sessions.SessionEvent[]): Promise<void> {
	const minutes = await sessions.minutesOf(context.db, sessionId);
	if (!minutes) return;
	if ((await documents.get(context.db, minutes.documentId)).lockedAt) return;
	// Written in the event's first working language (the minutes' language), else English.
	const locale = isLocale(minutes.language) ? minutes.language : 'en';
	const blocks: Block[] = events.map((event) => {
		if (event.type === 'itemStarted') return { type: 'heading', text: event.title };
		const who = [event.role ? roleLabel(event.role, locale) : null, event.delegation].filter(Boolean).join(', ');
		return { type: 'paragraph', text: `${event.name}${who ? ` (${who})` : ''} — ${formatDuration(event.seconds)}` };
	});
	await appendBlocks(collab.registry, minutes.documentId, minutes.groupId, blocks);
}

function formatDuration(seconds: number): string {
	const minutes = Math.floor(seconds / 60);
	const rest = seconds % 60;
	return minutes === 0 ? `${rest} s` : rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

function roleLabel(role: GroupRole, locale: Locale): string {
	const options = { locale };
	switch (role) {
		case 'moderator':
			return m.role_moderator({}, options);
		case 'member':
			return m.role_member({}, options);
		case 'participant':
			return m.role_participant({}, options);
		case 'observer':
			return m.role_observer({}, options);
	}
}
