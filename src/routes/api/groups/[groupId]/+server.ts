import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, requireUser } from '$lib/server/http';
import { atLeast } from '$lib/protocol/roles';

export const GET = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'observer');
	const manages = atLeast(principal.role, 'moderator');
	const members = (await groups.members(db, principal.groupId)).map((m) => (manages ? m : { ...m, email: undefined }));
	return json({
		group: await groups.get(db, principal.groupId),
		role: principal.role,
		members,
		invitations: manages ? await groups.pendingInvitations(db, principal.groupId) : []
	});
});
