import { redirect } from '@sveltejs/kit';
import * as accounts from '$lib/server/auth/accounts';
import { logoutEverywhere } from '$lib/server/auth/logout';
import { appContext } from '$lib/server/context';
import { formAction, formValues } from '$lib/server/forms';
import { startSession } from '$lib/server/http';
import { userOrLogin } from '$lib/server/pages';
import { passwordChangeBody } from '$lib/protocol/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const user = userOrLogin(event);
	return { account: { name: user.name, email: user.email } };
};

export const actions: Actions = {
	changePassword: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['currentPassword', 'newPassword']);
		return formAction(values, passwordChangeBody, async (input) => {
			const { token, expiresAt, revokedBefore } = await accounts.changePassword(appContext(), user.id, input);
			appContext().signals.emit('sessionsRevoked', { userId: user.id, sessionIds: 'all', at: revokedBefore });
			startSession(event, token, expiresAt);
			return { passwordChanged: true };
		});
	},
	logoutEverywhere: async (event) => {
		userOrLogin(event);
		await logoutEverywhere(event);
		redirect(303, '/login');
	}
};
