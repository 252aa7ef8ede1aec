import { json } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import { api, readBody, requireUser } from '$lib/server/http';
import { localeCookieName } from '$lib/server/locale';
import { localeCookieOptions } from '$lib/server/auth/cookies';
import * as users from '$lib/server/users';
import { localeBody } from '$lib/protocol/api';

export const PUT = api(async (event) => {
	const user = requireUser(event);
	const { locale } = await readBody(event.request, localeBody);
	await users.setLocale(appContext().db, user.id, locale);
	event.cookies.set(localeCookieName, locale, localeCookieOptions(event.url.protocol === 'https:'));
	return json({ user: { ...user, locale } });
});
