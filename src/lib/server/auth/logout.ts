import type { RequestEvent } from '@sveltejs/kit';
import { appContext } from '../context';
import { clearedSessionCookieOptions, sessionCookieName } from './cookies';
import * as sessions from './sessions';

/** Ends the caller's session (if any), clears the cookie and closes the sockets it opened (AZ-51). */
export async function logout(event: RequestEvent): Promise<void> {
	const { db, signals } = appContext();
	const session = event.locals.session;
	if (session) {
		await sessions.invalidate(db, session.id);
		signals.emit('sessionsRevoked', { userId: session.userId, sessionIds: [session.id], at: Date.now() });
	}
	event.cookies.delete(sessionCookieName, clearedSessionCookieOptions(event.url.protocol === 'https:'));
	event.locals.user = null;
	event.locals.session = null;
}

/** Ends every session of the caller's account, on all devices, and closes all their sockets (AZ-52). */
export async function logoutEverywhere(event: RequestEvent): Promise<void> {
	const { db, signals } = appContext();
	const user = event.locals.user;
	if (user) {
		const at = Date.now();
		await sessions.invalidateAllOf(db, user.id);
		signals.emit('sessionsRevoked', { userId: user.id, sessionIds: 'all', at });
	}
	event.cookies.delete(sessionCookieName, clearedSessionCookieOptions(event.url.protocol === 'https:'));
	event.locals.user = null;
	event.locals.session = null;
}
