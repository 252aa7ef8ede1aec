import { io, type Socket } from 'socket.io-client';
import { ServerClock } from './server-clock';
import type { Ack, ClientToServerEvents, FocusPosition, PresenceUser, ServerToClientEvents, SessionState, VoteChoice } from '$lib/protocol/live';

export type Connection = 'connecting' | 'connected' | 'offline';

/**
 * The browser side of a live session: one Socket.IO connection that joins the session, the latest
 * state by version, who is present, and the server's clock for countdowns (see ServerClock).
 *
 * After a reconnect one message makes it correct: either the server recovered the connection (a
 * short drop: still in the session's room, and every snapshot broadcast meanwhile is replayed), or
 * it joins again and the answer is the whole state. Snapshots older than the one held are ignored.
 */
export class LiveSession {
	state = $state<SessionState>() as SessionState;
	presence = $state<PresenceUser[]>([]);
	connection = $state<Connection>('connecting');
	/** Timers are the server's: read with `now()`. */
	private readonly clock = new ServerClock();
	private clockTimer: ReturnType<typeof setInterval> | null = null;
	lastError = $state<string | null>(null);
	/** Votes this tab knows its person voted in (the state says how many voted, never who). */
	votedIn = $state<string[]>([]);

	/** The connection, shared with the session's comment streams (questions, documents' comments). */
	readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;

	/** `target`: the page's own origin in the browser; tests in Node name the server and send the cookie. */
	constructor(initial: SessionState, target: { url?: string; extraHeaders?: Record<string, string> } = {}) {
		this.accept(initial);
		this.socket = io(target.url, { transports: ['websocket'], reconnectionDelayMax: 10_000, randomizationFactor: 0.5, extraHeaders: target.extraHeaders });
		this.socket.on('connect', () => {
			this.connection = 'connected';
			this.readClock();
			const joined = this.socket.recovered ? Promise.resolve() : this.send('session:join', { sessionId: initial.sessionId }).then((answer) => this.acceptBallots(answer));
			void joined.then(() => this.send('presence:update', { sessionId: initial.sessionId, ...this.presenceReport }));
		});
		this.socket.on('disconnect', () => (this.connection = 'offline'));
		this.socket.io.on('reconnect_attempt', () => (this.connection = 'connecting'));
		this.socket.on('session:state', (state) => this.accept(state));
		this.socket.on('presence', (payload) => {
			if (payload.sessionId === this.state.sessionId) this.presence = payload.users;
		});
		// Again now and then (the local clock may be set, or drift), and when the tab is shown again.
		this.clockTimer = setInterval(() => this.readClock(), 60_000);
		if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisible);
	}

	private onVisible = () => {
		if (document.visibilityState === 'visible') this.readClock();
	};

	/** One round trip for the server's clock; a lost or refused one is simply not counted. */
	private readClock(): void {
		if (!this.socket.connected) return;
		const sentAt = Date.now();
		this.socket.timeout(10_000).emit('clock:read', {}, (error: Error | null, answer: Ack<{ serverNow: string }>) => {
			if (!error && answer.ok) this.clock.observeRoundTrip(sentAt, Date.parse(answer.serverNow), Date.now());
		});
	}

	/**
	 * Keeps the newest state only: snapshots may arrive out of order around a reconnect. Any
	 * snapshot, however old, says the server's clock is past its `serverNow`; none says by how much.
	 */
	accept(state: SessionState): void {
		this.clock.observeSnapshot(Date.parse(state.serverNow), Date.now());
		if (this.state && state.version < this.state.version) return;
		this.state = state;
	}

	/** Sends an event; resolves with its acknowledgement (a refused one sets `lastError`). */
	async send<E extends keyof ClientToServerEvents>(event: E, payload: object): Promise<Ack<{ state?: SessionState }>> {
		const emit = this.socket.timeout(10_000).emitWithAck as unknown as (e: string, p: object) => Promise<Ack<{ state?: SessionState }>>;
		try {
			const answer = await emit.call(this.socket.timeout(10_000), event, payload);
			if (answer.ok && answer.state) this.accept(answer.state);
			this.lastError = answer.ok ? null : answer.error.code;
			return answer;
		} catch {
			this.lastError = 'INTERNAL';
			return { ok: false, error: { code: 'INTERNAL', message: 'No answer from the server' } };
		}
	}

	private presenceReport: { status: 'online' | 'away'; documentId: string | null } = { status: 'online', documentId: null };

	/** Tells the room whether this tab is visible and which document it shows (sent again on reconnect). */
	reportPresence(report: { status: 'online' | 'away'; documentId: string | null }): void {
		this.presenceReport = report;
		if (this.socket.connected) void this.send('presence:update', { sessionId: this.state.sessionId, ...report });
	}

	// Focus changes go out one after the other: a shared position never overtakes the moderator's
	// explicit choice, and only the latest position waits.
	private focusing: Promise<unknown> = Promise.resolve();
	private nextPosition: { documentId: string; position: FocusPosition } | null = null;

	/** The moderator points the room at a document and a recommendation in it (the place is reset). */
	setFocus(documentId: string | null, recommendationId: string | null): void {
		this.nextPosition = null;
		const payload = { sessionId: this.state.sessionId, documentId, recommendationId, position: null };
		this.focusing = this.focusing.then(() => this.send('session:focus', payload));
	}

	/**
	 * Shares where the moderator is in the document shown to the room (the caller reads it at most a
	 * few times a second). Sent with the recommendation the room is shown at that moment; dropped if
	 * the room is shown another document by then, or while offline.
	 */
	sharePosition(documentId: string, position: FocusPosition): void {
		const idle = this.nextPosition === null;
		this.nextPosition = { documentId, position };
		if (!idle) return;
		this.focusing = this.focusing.then(() => {
			const next = this.nextPosition;
			this.nextPosition = null;
			const { focus, sessionId } = this.state;
			if (!next || !this.socket.connected || focus.documentId !== next.documentId) return;
			return this.send('session:focus', { sessionId, documentId: next.documentId, recommendationId: focus.recommendationId, position: next.position });
		});
	}

	/** After a (re)join: the open votes this person has voted in already, from any tab or before a reload. */
	private acceptBallots(answer: Ack<{ state?: SessionState }>): void {
		const votedIn = answer.ok ? (answer as { votedIn?: unknown }).votedIn : undefined;
		if (!Array.isArray(votedIn)) return;
		const added = votedIn.filter((id): id is string => typeof id === 'string' && !this.votedIn.includes(id));
		if (added.length) this.votedIn = [...this.votedIn, ...added];
	}

	/** Casts this person's ballot; an earlier one (another tab, before a reload) counts as voted. */
	async cast(voteId: string, choice: VoteChoice): Promise<void> {
		const answer = await this.send('vote:cast', { voteId, choice });
		if (answer.ok || answer.error.code === 'ALREADY_VOTED') {
			if (!this.votedIn.includes(voteId)) this.votedIn = [...this.votedIn, voteId];
		}
	}

	/** Server time now, for countdowns. */
	now(): number {
		return this.clock.now();
	}

	destroy(): void {
		if (this.clockTimer) clearInterval(this.clockTimer);
		if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisible);
		this.socket.close();
	}
}
