import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import { AppError } from '$lib/server/errors';
import * as groups from '$lib/server/groups';
import { api, idParam, requireUser } from '$lib/server/http';

/**
 * The caller leaves the group, whatever their role (204). Whoever had added them may not add them
 * again directly. An organizer without a membership of their own takes part through the event:
 * CONFLICT, leave the event instead.
 */
export const DELETE = api(async (event) => {
	const user = requireUser(event);
	const { db, signals } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'observer');
	if (!(await groups.leave(db, principal.groupId, user.id))) {
		throw new AppError('CONFLICT', 'Organizers take part in every group of their event; leave the event instead');
	}
	signals.emit('membershipChanged', { groupId: principal.groupId, userId: user.id });
	return new Response(null, { status: 204 });
});
