import { z } from 'zod';
import { oneLine, uuid, limits } from './api';
import { commentEvents, type CommentClientEvents, type CommentServerEvents } from './comments';
import type { ErrorCode } from './errors';
import type { Role } from './roles';

/**
 * The Socket.IO contract (DESIGN.md "Realtime contract"): every client → server event has a schema
 * here, is validated before any handler runs, and is answered by an acknowledgement.
 */
/** Every client → server event name, for refusing unknown ones (BI-26). */
export const clientEvents = [
	'session:join',
	'session:leave',
	'session:start',
	'session:pause',
	'session:close',
	'agenda:current',
	'agenda:update',
	'hand:raise',
	'hand:lower',
	'speakers:next',
	'speakers:limit',
	'session:focus',
	'presence:update',
	'document:lock',
	'vote:open',
	'vote:cast',
	'vote:close',
	'clock:read',
	...commentEvents
] as const;

export const sessionRef = z.strictObject({ sessionId: uuid });
/** Asks for the server's clock (answered `serverNow`): countdowns are server time (see ServerClock). */
export const clockRead = z.strictObject({});
export const agendaCurrent = z.strictObject({ sessionId: uuid, itemId: uuid.nullable() });
/** The whole agenda in its new order: items with an id are kept (their time too), others are added. */
export const agendaUpdate = z.strictObject({
	sessionId: uuid,
	items: z
		.array(z.strictObject({ id: uuid.optional(), title: oneLine(limits.title), plannedMinutes: z.number().int().min(1).max(1440).nullable() }))
		.max(100)
});
export const handRaise = z.strictObject({
	sessionId: uuid,
	recommendationId: uuid.optional(),
	pointOfOrder: z.boolean().optional()
});
export const speakersNext = z.strictObject({
	sessionId: uuid,
	/**
	 * Who had the floor when the moderator pressed (null: nobody). When it is someone else by the
	 * time the press arrives, it is refused: two moderators pressing at once give the floor once.
	 */
	expectedSpeakerId: uuid.nullable().optional()
});
export const speakerLimit = z.strictObject({ sessionId: uuid, seconds: z.number().int().min(10).max(3600).nullable() });
/**
 * Where the moderator is in the focused document, the same on every screen (pixels are not: widths
 * and fonts differ): the top-level block of the text at the top of the view, by index, and how far
 * it is scrolled past the top, from 0 (its top) to 1 (its bottom).
 */
export const focusPosition = z.strictObject({ block: z.number().int().min(0).max(100_000), fraction: z.number().min(0).max(1) });
export type FocusPosition = z.infer<typeof focusPosition>;
/**
 * The moderator points the room at a document, a recommendation in it and a place in it: the
 * projector and followers go there. The whole focus is replaced; a position needs a document.
 * Position updates come at most a few a second, from the moderator's scrolling.
 */
export const sessionFocus = z
	.strictObject({ sessionId: uuid, documentId: uuid.nullable(), recommendationId: uuid.nullable(), position: focusPosition.nullable().optional() })
	.refine((focus) => !focus.position || focus.documentId, { path: ['position'], message: 'A position needs a document' });
/** What this tab shows: whether its page is visible, and which document of the session is open. */
export const presenceUpdate = z.strictObject({ sessionId: uuid, status: z.enum(['online', 'away']), documentId: uuid.nullable() });
export const documentLock = z.strictObject({ documentId: uuid, locked: z.boolean() });
/** The moderator calls a vote on a recommendation of one of the session's documents. */
export const voteOpen = z.strictObject({ sessionId: uuid, documentId: uuid, recommendationId: uuid });
export const voteChoices = ['yes', 'no', 'abstain'] as const;
export type VoteChoice = (typeof voteChoices)[number];
/** A member or moderator votes, once per vote. */
export const voteCast = z.strictObject({ voteId: uuid, choice: z.enum(voteChoices) });
export const voteRef = z.strictObject({ voteId: uuid });

export const sessionCreateBody = z.strictObject({
	title: oneLine(limits.title),
	startsAt: z.iso.datetime({ offset: true }).nullish(),
	agenda: z
		.array(
			z.union([
				oneLine(limits.title),
				z.strictObject({ title: oneLine(limits.title), plannedMinutes: z.number().int().min(1).max(1440).nullish() })
			])
		)
		.max(100)
		.optional(),
	documentIds: z.array(uuid).max(50).optional()
});

export type SessionStatus = 'scheduled' | 'live' | 'paused' | 'closed';

export type AgendaItem = { id: string; title: string; plannedMinutes: number | null; spentSeconds: number; startedAt: string | null };
export type Speaker = { userId: string; name: string; since: string; recommendationId: string | null; pointOfOrder: boolean };
export type Speaking = Speaker & { startedAt: string; limitSeconds: number | null };

/** The whole state of a session, pushed as one snapshot; `version` strictly increases. */
export type SessionState = {
	sessionId: string;
	groupId: string;
	title: string;
	version: number;
	status: SessionStatus;
	currentItemId: string | null;
	agenda: AgendaItem[];
	documentIds: string[];
	speakers: Speaker[];
	speaking: Speaking | null;
	speakerLimitSeconds: number | null;
	/** What the moderator shows the room: a document of the session, a recommendation and a place in it. */
	focus: { documentId: string | null; recommendationId: string | null; position: FocusPosition | null };
	/** Spoken time per person in this session, for the statistics. */
	spoken: { userId: string; name: string; delegation: string | null; role: Role | null; seconds: number }[];
	/** While true, new questions of non-moderators wait for a moderator's approval (comments.ts). */
	premoderation: boolean;
	/** The vote running now, if any (at most one per session). */
	vote: OpenVote | null;
	/** The results of this session's closed votes, newest first. */
	voteResults: VoteResult[];
	/** The server's clock when the snapshot was made: countdowns are server time. */
	serverNow: string;
};

/** The open vote as everyone sees it: how many voted so far, never who voted what. */
export type OpenVote = { id: string; documentId: string; recommendationId: string; openedAt: string; cast: number };
/** A closed vote's counts; adopted when yes > no (abstentions do not count either way). */
export type VoteResult = {
	voteId: string;
	documentId: string;
	recommendationId: string;
	yes: number;
	no: number;
	abstain: number;
	outcome: 'adopted' | 'rejected';
	closedAt: string;
};

export type PresenceUser = { userId: string; name: string; role: Role; status: 'online' | 'away'; documentId: string | null };

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: { code: ErrorCode; message: string } };

export interface ClientToServerEvents extends CommentClientEvents {
	/** `votedIn`: the session's open votes the caller has already cast a ballot in. */
	'session:join': (payload: unknown, ack: (answer: Ack<{ state: SessionState; votedIn: string[] }>) => void) => void;
	'session:leave': (payload: unknown, ack: (answer: Ack) => void) => void;
	'session:start': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'session:pause': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'session:close': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'agenda:current': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'agenda:update': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'hand:raise': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'hand:lower': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'speakers:next': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'speakers:limit': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'session:focus': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'presence:update': (payload: unknown, ack: (answer: Ack) => void) => void;
	'document:lock': (payload: unknown, ack: (answer: Ack<{ locked: boolean }>) => void) => void;
	'vote:open': (payload: unknown, ack: (answer: Ack<{ voteId: string; state: SessionState }>) => void) => void;
	'vote:cast': (payload: unknown, ack: (answer: Ack<{ state: SessionState }>) => void) => void;
	'vote:close': (payload: unknown, ack: (answer: Ack<{ result: VoteResult; state: SessionState }>) => void) => void;
	/** `serverNow`: the server's clock (the one `SessionState`'s times are on) when it answered, ISO. */
	'clock:read': (payload: unknown, ack: (answer: Ack<{ serverNow: string }>) => void) => void;
}

export interface ServerToClientEvents extends CommentServerEvents {
	'session:state': (state: SessionState) => void;
	presence: (payload: { sessionId: string; users: PresenceUser[] }) => void;
	'vote:result': (result: VoteResult) => void;
}
