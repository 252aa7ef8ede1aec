import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CollabClose, collabLimits, type AccessState } from '../../src/lib/protocol/collab';
import { roleInGroup } from '../../src/lib/server/auth/authorize';
import { readCookie, sessionCookieName } from '../../src/lib/server/auth/cookies';
import { RecentRevocations } from '../../src/lib/server/auth/revocation';
import * as sessions from '../../src/lib/server/auth/sessions';
import type { AppContext } from '../../src/lib/server/context';
import * as documents from '../../src/lib/server/documents';
import { isAllowedOrigin } from '../origin';
import { Connection, type CollabPrincipal } from './connection';
import { RoomRegistry } from './registry';
import { databaseStore } from './store';

const pathPattern = /^\/collab\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
/** Frames that may arrive while the connection is being authorized and its document loaded. */
const maxQueuedFrames = 200;

export type Collab = { registry: RoomRegistry; connectionCount(): number; close(): Promise<void> };

/**
 * The y-websocket endpoint `/collab/<documentId>` on the shared HTTP server. Authentication happens
 * before anything of the document is sent: the session cookie, then the caller's role in the
 * document's group. Outsiders and unknown documents get the same close (4404).
 */
export function attachCollab(server: HttpServer, context: AppContext): Collab {
	const { db, log, config, signals } = context;
	const registry = new RoomRegistry({
		store: databaseStore(db),
		log,
		saveWindowMs: 20,
		compactAfter: 500,
		unloadDelayMs: config.collabUnloadDelayMs
	});
	const wss = new WebSocketServer({ noServer: true, maxPayload: collabLimits.maxMessageBytes, perMessageDeflate: false });
	const connections = new Set<Connection>();
	/** Sockets held per account and document, counted from the moment they pass the cap check. */
	const held = new Map<string, number>();

	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		const path = (req.url ?? '').split('?')[0]!;
		if (!path.startsWith('/collab/')) return; // Socket.IO and Vite HMR handle their own upgrades
		socket.on('error', () => socket.destroy());
		// Security seam: cross-site WebSocket hijacking (AZ-40) is refused before the upgrade.
		if (!isAllowedOrigin(req, config.origin)) {
			socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
			return;
		}
		wss.handleUpgrade(req, socket, head, (ws) => void accept(ws, req, path));
	});

	async function accept(ws: WebSocket, req: IncomingMessage, path: string): Promise<void> {
		const queue: Uint8Array[] = [];
		let connection: Connection | null = null;
		let heldKey: string | null = null;
		ws.on('error', (error) => log.warn({ err: error }, 'collab socket error'));
		ws.on('message', (data, isBinary) => {
			if (!isBinary) return ws.close(CollabClose.UNSUPPORTED_DATA, 'BINARY_ONLY');
			const bytes = toBytes(data);
			if (connection) return connection.receive(bytes);
			if (queue.push(bytes) > maxQueuedFrames) ws.close(CollabClose.RATE_LIMITED, 'RATE_LIMITED');
		});
		ws.on('close', () => {
			if (heldKey !== null) release(heldKey);
			if (!connection) return;
			connections.delete(connection);
			connection.room.members.delete(connection);
			connection.detach();
			registry.released(connection.room);
		});

		try {
			const changesSeen = accessChanges;
			const found = await sessions.validate(db, readCookie(req.headers.cookie, sessionCookieName));
			if (!found) return ws.close(CollabClose.UNAUTHENTICATED, 'UNAUTHENTICATED');
			const documentId = pathPattern.exec(path)?.[1]?.toLowerCase();
			const groupId = documentId ? await documents.groupOf(db, documentId) : null;
			const principal = groupId ? await roleInGroup(db, found.user.id, groupId) : null;
			if (context.probeLimiter.retryAfter(found.user.id) > 0) return ws.close(CollabClose.RATE_LIMITED, 'RATE_LIMITED');
			if (!documentId || !groupId || !principal) {
				context.probeLimiter.fail(found.user.id); // guessing document ids is throttled (AZ-31)
				return ws.close(CollabClose.NOT_FOUND, 'NOT_FOUND');
			}
			// Security seam: one account cannot fill the server with sockets (issue 12). Counted before
			// anything is awaited, so a burst of parallel opens cannot all pass.
			const key = `${found.user.id}:${documentId}`;
			if ((held.get(key) ?? 0) >= config.connectionCaps.collabPerDocument) {
				return ws.close(CollabClose.TOO_MANY_CONNECTIONS, 'TOO_MANY_CONNECTIONS');
			}
			if (ws.readyState !== ws.OPEN) return;
			held.set(key, (held.get(key) ?? 0) + 1);
			heldKey = key;
			const who: CollabPrincipal = {
				userId: found.user.id,
				name: found.user.name,
				role: principal.role,
				groupId,
				sessionId: found.session.id,
				sessionCreatedAt: found.session.createdAt.getTime()
			};
			const access = await accessOf(documentId, who);
			// Nothing awaited between opening the room and joining it: every open is matched by a release.
			const room = await registry.open(documentId, groupId);
			if (ws.readyState !== ws.OPEN) return registry.released(room);
			connection = new Connection(
				{ send: (message) => ws.send(message), close: (code, reason) => ws.close(code, reason) },
				who,
				room,
				access
			);
			if (recent.ends(who)) return connection.close(CollabClose.UNAUTHENTICATED, 'UNAUTHENTICATED');
			connections.add(connection);
			room.members.add(connection);
			room.welcome(connection);
			// A role, membership or lock change that landed while we were reading them missed this connection.
			if (accessChanges !== changesSeen) void refresh(connection).catch((error) => log.error({ err: error }, 'refreshing collab access failed'));
			for (const bytes of queue.splice(0)) connection.receive(bytes);
		} catch (error) {
			log.error({ err: error }, 'collab connection could not be opened');
			ws.close(CollabClose.LOAD_FAILED, 'LOAD_FAILED');
		}
	}

	function release(key: string): void {
		const left = (held.get(key) ?? 1) - 1;
		if (left > 0) held.set(key, left);
		else held.delete(key);
	}

	async function accessOf(documentId: string, principal: CollabPrincipal): Promise<AccessState> {
		return documents.accessFor(await documents.get(db, documentId), principal.role);
	}

	/** Re-reads a registered connection's role and the document's lock; closes it if the account left the group. */
	async function refresh(connection: Connection): Promise<void> {
		const { principal } = connection;
		const current = await roleInGroup(db, principal.userId, principal.groupId);
		if (!current) return connection.close(CollabClose.NOT_FOUND, 'NOT_FOUND');
		Object.assign(principal, { role: current.role });
		connection.setAccess(await accessOf(connection.room.documentId, principal));
	}

	/** Membership and lock signals so far: a connection registered after one of them re-reads its access. */
	let accessChanges = 0;

	// Role changes and removals apply to open connections at once (AZ-22, AZ-24).
	signals.on('membershipChanged', ({ groupId, userId }) => {
		accessChanges++;
		void (async () => {
			for (const connection of connections) {
				const { principal } = connection;
				if (principal.groupId === groupId && principal.userId === userId) await refresh(connection);
			}
		})().catch((error) => log.error({ err: error }, 'applying a membership change to collab connections failed'));
	});

	signals.on('documentLockChanged', ({ documentId }) => {
		accessChanges++;
		void (async () => {
			for (const connection of connections) {
				if (connection.room.documentId === documentId) connection.setAccess(await accessOf(documentId, connection.principal));
			}
		})().catch((error) => log.error({ err: error }, 'applying a lock change to collab connections failed'));
	});

	const recent = new RecentRevocations();
	signals.on('sessionsRevoked', (revocation) => {
		recent.remember(revocation);
		for (const connection of connections) {
			if (recent.ends(connection.principal)) connection.close(CollabClose.UNAUTHENTICATED, 'UNAUTHENTICATED');
		}
	});

	context.presence.inDocument = (documentId) => {
		const people = new Map<string, { id: string; name: string }>();
		for (const connection of connections) {
			const { userId, name } = connection.principal;
			if (connection.room.documentId === documentId) people.set(userId, { id: userId, name });
		}
		return [...people.values()];
	};

	return {
		registry,
		connectionCount: () => connections.size,
		close: async () => {
			for (const connection of connections) connection.close(CollabClose.SERVICE_RESTART, 'SERVER_SHUTTING_DOWN');
			await registry.closeAll();
			wss.close();
		}
	};
}

function toBytes(data: WebSocket.RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
