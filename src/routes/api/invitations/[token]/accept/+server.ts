import { json } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, requireUser } from '$lib/server/http';
import { AppError } from '$lib/server/errors';

export const POST = api(async (event) => {
	const user = requireUser(event);
	const token = event.params.token ?? '';
	if (!/^[a-z2-7]{32}$/.test(token)) throw new AppError('NOT_FOUND', 'This invitation link is not valid');
	const groupId = await groups.acceptInvitation(appContext().db, token, user);
	appContext().signals.emit('membershipChanged', { groupId, userId: user.id });
	return json({ groupId });
});
