import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { invitationUrl } from '$lib/server/invitations';
import { linkInvitationBody } from '$lib/protocol/api';

/** A link invitation for anyone who has it (participant or observer); moderator and up. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	const input = await readBody(event.request, linkInvitationBody);
	const { token, ...invitation } = await groups.createLinkInvitation(db, principal, input);
	return json({ invitation: { ...invitation, url: invitationUrl(event, token) } }, { status: 201 });
});
