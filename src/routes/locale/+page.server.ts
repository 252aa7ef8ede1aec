import { redirect } from '@sveltejs/kit';
import { localeCookieOptions } from '$lib/server/auth/cookies';
import { appContext } from '$lib/server/context';
import { isLocale, localeCookieName } from '$lib/server/locale';
import { safeNext } from '$lib/server/pages';
import * as users from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	/** Remembers the UI language: in a cookie for this browser, and on the account when logged in. */
	default: async (event) => {
		const form = await event.request.formData();
		const locale = form.get('locale');
		if (isLocale(locale)) {
			event.cookies.set(localeCookieName, locale, localeCookieOptions(event.url.protocol === 'https:'));
			if (event.locals.user) await users.setLocale(appContext().db, event.locals.user.id, locale);
		}
		const next = form.get('next');
		redirect(303, safeNext(typeof next === 'string' ? next : null, event.url.origin));
	}
};
