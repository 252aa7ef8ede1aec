import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, PresenceUser, ServerToClientEvents, SessionState } from '$lib/protocol/live';

export type Connection = 'connecting' | 'connected' | 'offline';

/**
 * The browser side of a live session: one Socket.IO connection that joins the session (again after
 * every reconnect, so one message makes it correct), the latest state by version, who is present,
 * and the server's clock offset for countdowns.
 */
export class LiveSession {
	state = $state<SessionState>() as SessionState;
	presence = $state<PresenceUser[]>([]);
	connection = $state<Connection>('connecting');
	/** server time − local time, in ms: timers are the server's. */
	clockOffset = $state(0);
	lastError = $state<string | null>(null);

	/** The connection, shared with the session's comment streams (questions, documents' comments). */
	readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;

	constructor(initial: SessionState) {
		this.accept(initial);
		this.socket = io({ transports: ['websocket'], reconnectionDelayMax: 10_000, randomizationFactor: 0.5 });
		this.socket.on('connect', () => {
			this.connection = 'connected';
			void this.send('session:join', { sessionId: initial.sessionId }).then(() =>
				this.send('presence:update', { sessionId: initial.sessionId, ...this.presenceReport })
			);
		});
		this.socket.on('disconnect', () => (this.connection = 'offline'));
		this.socket.io.on('reconnect_attempt', () => (this.connection = 'connecting'));
		this.socket.on('session:state', (state) => this.accept(state));
		this.socket.on('presence', (payload) => {
			if (payload.sessionId === this.state.sessionId) this.presence = payload.users;
		});
	}

	/** Keeps the newest state only: snapshots may arrive out of order around a reconnect. */
	private accept(state: SessionState): void {
		if (this.state && state.version < this.state.version) return;
		this.state = state;
		this.clockOffset = Date.parse(state.serverNow) - Date.now();
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

	/** Server time now, for countdowns. */
	now(): number {
		return Date.now() + this.clockOffset;
	}

	destroy(): void {
		this.socket.close();
	}
}
