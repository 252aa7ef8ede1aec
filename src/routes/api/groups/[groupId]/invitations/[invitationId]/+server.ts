import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, requireUser } from '$lib/server/http';

export const DELETE = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	await groups.revokeInvitation(db, principal.groupId, idParam(event, 'invitationId'));
	return new Response(null, { status: 204 });
});
