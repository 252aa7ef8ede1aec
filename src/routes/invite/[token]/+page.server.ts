import { redirect } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import { notFound } from '$lib/server/errors';
import { formAction } from '$lib/server/forms';
import * as groups from '$lib/server/groups';
import { orErrorPage, userOrLogin } from '$lib/server/pages';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

const token = z.string().regex(/^[a-z2-7]{32}$/);

export const load: PageServerLoad = async ({ params, locals }) => {
	return orErrorPage(async () => {
		if (!token.safeParse(params.token).success) throw notFound('This invitation link is not valid');
		const invitation = await groups.invitationByToken(appContext().db, params.token);
		return {
			invitation: {
				groupName: invitation.groupName,
				eventTitle: invitation.eventTitle,
				role: invitation.role,
				forAnyone: invitation.email === null
			},
			loggedIn: !!locals.user,
			// Said before the person tries, without showing whose address it is.
			forOtherAddress: !!locals.user && invitation.email !== null && invitation.email !== locals.user.email
		};
	});
};

export const actions: Actions = {
	default: async (event) => {
		const user = userOrLogin(event);
		return formAction({ token: event.params.token }, z.strictObject({ token }), async (input) => {
			const groupId = await groups.acceptInvitation(appContext().db, input.token, user);
			appContext().signals.emit('membershipChanged', { groupId, userId: user.id });
			redirect(303, `/groups/${groupId}`);
		});
	}
};
