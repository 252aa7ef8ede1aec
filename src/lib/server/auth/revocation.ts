import type { AppSignals } from '../context';

/**
 * Does a revocation (logout, log out everywhere, password change) end this connection's session?
 * "All sessions" means those created before the revocation, so the session made right after a
 * password change keeps its connections.
 */
export function revokes(
	revocation: AppSignals['sessionsRevoked'][0],
	connection: { userId: string; sessionId: string; sessionCreatedAt: number }
): boolean {
	if (revocation.userId !== connection.userId) return false;
	if (revocation.sessionIds === 'all') return connection.sessionCreatedAt < revocation.at;
	return revocation.sessionIds.includes(connection.sessionId);
}

/**
 * Revocations of the last minute. A logout can land between a connection's session check and its
 * registration; checking this list as it registers closes such a connection too.
 */
export class RecentRevocations {
	private entries: { revocation: AppSignals['sessionsRevoked'][0]; seenAt: number }[] = [];

	remember(revocation: AppSignals['sessionsRevoked'][0]): void {
		const now = Date.now();
		this.entries = this.entries.filter((entry) => entry.seenAt > now - 60_000);
		this.entries.push({ revocation, seenAt: now });
	}

	ends(connection: { userId: string; sessionId: string; sessionCreatedAt: number }): boolean {
		return this.entries.some((entry) => revokes(entry.revocation, connection));
	}
}
