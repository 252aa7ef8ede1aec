import type { Server as HttpServer } from 'node:http';
import { Server as IOServer, type Socket } from 'socket.io';
import { clientEvents } from '../../src/lib/protocol/live';
import type { Role } from '../../src/lib/protocol/roles';
import { registerCommentEvents } from './comments';
import { refuseUnknown } from './events';
import { connectionStateRecovery, gateRecovery } from './recovery';
import { recheckMembership, recheckSessions, registerSessionEvents } from './sessions';
import { registerVoteEvents } from './votes';
import { batchQueuedPackets } from './write-batching';
import type { AppContext } from '../../src/lib/server/context';
import { readCookie, sessionCookieName } from '../../src/lib/server/auth/cookies';
import * as sessions from '../../src/lib/server/auth/sessions';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { RecentRevocations } from '../../src/lib/server/auth/revocation';
import type { Collab } from '../collab';
import { isAllowedOrigin } from '../origin';

export type SocketData = {
	user: SessionUser;
	sessionId: string;
	sessionCreatedAt: number;
	/** Live sessions this socket joined, with the role it joined with. */
	sessions: Map<string, Role>;
	/** Per joined session: is the tab visible, which document it shows. */
	presence: Map<string, { status: 'online' | 'away'; documentId: string | null }>;
};

/**
 * Socket.IO on the shared HTTP server, with authentication at the door: the handshake must carry
 * a live session cookie and come from our own origin, else `connect_error` with a code.
 * Sockets are closed when their session is revoked (logout), since middleware runs only at connect.
 * A socket that dropped for a moment may come back as it was (connection state recovery), but only
 * through the gate in recovery.ts.
 */
const knownEvents: ReadonlySet<string> = new Set(clientEvents);

export function attachSocketIo(server: HttpServer, context: AppContext, collab: Collab): IOServer {
	const { db, log, config, signals } = context;
	const io = new IOServer<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(server, {
		path: '/socket.io',
		// Leave other upgrades (/collab, Vite HMR) alone instead of destroying them after 1 s.
		destroyUpgrade: false,
		maxHttpBufferSize: 64 * 1024,
		pingInterval: 10_000,
		pingTimeout: 10_000,
		cors: { origin: false },
		allowRequest: (req, callback) => callback(null, isAllowedOrigin(req, config.origin)),
		connectionStateRecovery
	});

	io.use(async (socket, next) => {
		try {
			const token = readCookie(socket.handshake.headers.cookie, sessionCookieName);
			const found = token ? await sessions.validate(db, token) : null;
			if (!found) return next(connectError('UNAUTHENTICATED', 'Log in first'));
			// Security seam: one account cannot fill the server with sockets (issue 12).
			if (!hold(socket, found.user.id)) {
				return next(connectError('TOO_MANY_CONNECTIONS', 'Too many open connections for this account: close some tabs'));
			}
			socket.data = { user: found.user, sessionId: found.session.id, sessionCreatedAt: found.session.createdAt.getTime(), sessions: new Map(), presence: new Map() };
			next();
		} catch (error) {
			log.error({ err: error }, 'socket.io handshake failed');
			next(connectError('INTERNAL', 'Something went wrong on the server'));
		}
	});

	/**
	 * Sockets held per account, counted from the handshake (before any await could let a burst of
	 * parallel handshakes all pass) until the transport closes, whether or not the socket connected.
	 * A socket restored by connection state recovery skips the handshake and is counted on connection.
	 */
	const held = new Map<string, number>();
	function hold(socket: Socket, userId: string): boolean {
		const count = held.get(userId) ?? 0;
		if (count >= config.connectionCaps.live) return false;
		held.set(userId, count + 1);
		socket.conn.once('close', () => {
			const left = (held.get(userId) ?? 1) - 1;
			if (left > 0) held.set(userId, left);
			else held.delete(userId);
		});
		return true;
	}

	const recent = new RecentRevocations();
	const ended = (data: SocketData) =>
		recent.ends({ userId: data.user.id, sessionId: data.sessionId, sessionCreatedAt: data.sessionCreatedAt });

	gateRecovery(io as unknown as IOServer, context, ended);
	batchQueuedPackets(io as unknown as IOServer);

	io.on('connection', (socket) => {
		// Socket.IO reports middleware errors here as Error objects; a client may also send an event
		// named "error" (CVE-2024-38355 shape), which lands here with its own payload: not ours to log
		// as a server error (it is answered UNKNOWN_EVENT by refuseUnknown).
		socket.on('error', (error: unknown) => {
			if (error instanceof Error) log.warn({ err: error }, 'socket error');
		});
		if (ended(socket.data)) return socket.disconnect(true);
		if (socket.recovered && !hold(socket as unknown as Socket, socket.data.user.id)) return socket.disconnect(true);
		refuseUnknown(socket, knownEvents);
		registerSessionEvents(io as unknown as IOServer, socket as unknown as Socket, context, collab);
		registerCommentEvents(io as unknown as IOServer, socket as unknown as Socket, context, collab);
		registerVoteEvents(io as unknown as IOServer, socket as unknown as Socket, context, collab);
		// Back in its rooms: check them once more (a removal may have landed while it was restored)
		// and show the person present again.
		if (socket.recovered) {
			recheckSessions(io as unknown as IOServer, context, socket as unknown as Socket).catch((error) =>
				log.error({ err: error }, 'checking a recovered socket failed')
			);
		}
	});

	signals.on('membershipChanged', ({ groupId, userId }) => {
		recheckMembership(io as unknown as IOServer, context, groupId, userId).catch((error) =>
			log.error({ err: error }, 'applying a membership change to live sessions failed')
		);
	});

	signals.on('sessionsRevoked', (revocation) => {
		recent.remember(revocation);
		for (const socket of io.sockets.sockets.values()) {
			const data = socket.data as SocketData | undefined;
			if (data && ended(data)) socket.disconnect(true);
		}
	});

	return io as unknown as IOServer;
}

function connectError(code: string, message: string): Error {
	return Object.assign(new Error(message), { data: { code, message } });
}
