import type { RequestEvent } from '@sveltejs/kit';
import { appContext } from '../context';
import { sessionCookieName } from './cookies';
import * as sessions from './sessions';

/** Ends the caller's session (if any), clears the cookie and closes the sockets it opened (AZ-51). */
export async function logout(event: RequestEvent): Promise<void> {
	const { db, signals } = appContext();
	const session = event.locals.session;
	if (session) {
		await sessions.invalidate(db, session.id);
		signals.emit('sessionsRevoked', { userId: session.userId, sessionIds: [session.id] });
	}
	event.cookies.delete(sessionCookieName, { path: '/' });
	event.locals.user = null;
	event.locals.session = null;
}
