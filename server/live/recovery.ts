import type { Server as IOServer } from 'socket.io';
import { roleInGroup } from '../../src/lib/server/auth/authorize';
import * as logins from '../../src/lib/server/auth/sessions';
import type { AppContext } from '../../src/lib/server/context';
import * as documents from '../../src/lib/server/documents';
import * as sessions from '../../src/lib/server/sessions';
import type { SocketData } from './io';

/**
 * Socket.IO connection state recovery: a socket that dropped (Wi-Fi, a sleeping laptop) and comes
 * back within two minutes gets its id, its rooms, `socket.data` and the packets broadcast to those
 * rooms meanwhile, so it needs no new `session:join` and misses nothing.
 *
 * Security seam: Socket.IO rejoins the stored rooms and writes the missed packets in the Socket's
 * constructor, before any middleware runs, so checking the cookie again would come too late. The
 * restore itself is therefore gated below. It is granted only when nothing the socket could see
 * has changed for its person during the gap, which is exactly what a socket that never dropped
 * would have been told by the revocation and membership signals:
 * - the login session is still live (not logged out, not expired, not revoked a moment ago);
 * - the person still has the same role in every live session, and every document comment stream,
 *   the socket had joined.
 * Otherwise the restore is refused, and the client gets a fresh connection: the handshake middleware
 * reads the cookie again, and each session must be joined again (NOT_FOUND for a removed member).
 * Since a granted restore equals "never dropped", the middleware is skipped for it
 * (`skipMiddlewares`).
 *
 * With a serializing adapter (scale-out), `socket.data`'s Maps would not survive; such a restore is
 * refused too and the client simply joins again.
 */
export const connectionStateRecovery = { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true };

type Adapter = ReturnType<IOServer['of']>['adapter'];
type Stored = Awaited<ReturnType<Adapter['restoreSession']>>;

export function gateRecovery(io: IOServer, context: AppContext, ended: (data: SocketData) => boolean): void {
	const adapter = io.of('/').adapter;
	const restore = adapter.restoreSession.bind(adapter);
	const gated = async (pid: string, offset: string): Promise<Stored | null> => {
		const stored = await restore(pid, offset);
		if (!stored) return null;
		try {
			if (await mayRecover(context, stored.data as SocketData | undefined, ended)) return stored;
		} catch (error) {
			context.log.error({ err: error }, 'checking a socket that came back failed; it starts afresh');
		}
		return null;
	};
	// Typed as always finding a session; Socket.IO's own adapter and its caller also mean null ("none").
	adapter.restoreSession = gated as Adapter['restoreSession'];
}

async function mayRecover(context: AppContext, data: SocketData | undefined, ended: (data: SocketData) => boolean): Promise<boolean> {
	if (!data?.user || !(data.sessions instanceof Map) || !(data.presence instanceof Map)) return false;
	if (ended(data) || !(await logins.isLive(context.db, data.sessionId, data.user.id))) return false;
	for (const [sessionId, role] of data.sessions) {
		const groupId = await sessions.groupOf(context.db, sessionId);
		const principal = groupId ? await roleInGroup(context.db, data.user.id, groupId) : null;
		if (principal?.role !== role) return false;
	}
	// The comment streams of documents joined with `document:join` come back too: same rule.
	const commentDocuments = (data as SocketData & { commentDocuments?: unknown }).commentDocuments;
	if (commentDocuments !== undefined && !(commentDocuments instanceof Map)) return false;
	for (const [documentId, role] of (commentDocuments as Map<string, string> | undefined) ?? []) {
		const groupId = await documents.get(context.db, documentId).then((doc) => doc.groupId, () => null);
		const principal = groupId ? await roleInGroup(context.db, data.user.id, groupId) : null;
		if (principal?.role !== role) return false;
	}
	return true;
}
