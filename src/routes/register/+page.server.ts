import { redirect } from '@sveltejs/kit';
import * as accounts from '$lib/server/auth/accounts';
import { appContext } from '$lib/server/context';
import { formAction, formValues } from '$lib/server/forms';
import { clientAddress, startSession } from '$lib/server/http';
import { safeNext } from '$lib/server/pages';
import { registerBody } from '$lib/protocol/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next'), url.origin));
	return { next: safeNext(url.searchParams.get('next'), url.origin) };
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		return formAction(formValues(form, ['name', 'email', 'password']), registerBody, async (input) => {
			const { token, expiresAt } = await accounts.register(appContext(), { ...input, locale: event.locals.locale }, clientAddress(event));
			startSession(event, token, expiresAt);
			redirect(303, safeNext(event.url.searchParams.get('next'), event.url.origin));
		});
	}
};
