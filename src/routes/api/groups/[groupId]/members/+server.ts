import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { invitationUrl } from '$lib/server/invitations';
import { memberBody } from '$lib/protocol/api';

export const POST = api(async (event) => {
	const user = requireUser(event);
	const { db, signals } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	const input = await readBody(event.request, memberBody);
	const result = await groups.addMember(db, principal, input);
	if (result.kind === 'invited') {
		const { token, ...invitation } = result.invitation;
		return json({ membership: null, invitation: { ...invitation, url: invitationUrl(event, token) } }, { status: 201 });
	}
	signals.emit('membershipChanged', { groupId: principal.groupId, userId: result.membership.userId });
	return json({ membership: result.membership }, { status: result.kind === 'added' ? 201 : 200 });
});
