import { authorizeEvent } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as events from '$lib/server/events';
import { api, idParam, requireUser } from '$lib/server/http';

/**
 * The caller leaves the whole event: every group of it, and the organizer role (204). The only
 * organizer gets LAST_ORGANIZER. Whoever had added them may not add them again directly.
 */
export const DELETE = api(async (event) => {
	const user = requireUser(event);
	const { db, signals } = appContext();
	const eventId = idParam(event, 'eventId');
	await authorizeEvent(db, user.id, eventId, 'attendee');
	for (const groupId of await events.leave(db, eventId, user.id)) signals.emit('membershipChanged', { groupId, userId: user.id });
	return new Response(null, { status: 204 });
});
