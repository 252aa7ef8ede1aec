import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { memberUpdateBody } from '$lib/protocol/api';

export const PATCH = api(async (event) => {
	const user = requireUser(event);
	const { db, signals } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	const userId = idParam(event, 'userId');
	const change = await readBody(event.request, memberUpdateBody);
	const membership = await groups.updateMember(db, principal.groupId, userId, change);
	signals.emit('membershipChanged', { groupId: principal.groupId, userId });
	return json({ membership });
});

export const DELETE = api(async (event) => {
	const user = requireUser(event);
	const { db, signals } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	const userId = idParam(event, 'userId');
	await groups.removeMember(db, principal.groupId, userId);
	signals.emit('membershipChanged', { groupId: principal.groupId, userId });
	return new Response(null, { status: 204 });
});
