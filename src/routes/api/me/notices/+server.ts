import { json } from '@sveltejs/kit';
import * as consent from '$lib/server/consent';
import { appContext } from '$lib/server/context';
import { api, requireUser } from '$lib/server/http';

/** The caller's notices (someone added them to a group), newest first. */
export const GET = api(async (event) => {
	const user = requireUser(event);
	return json({ notices: await consent.notices(appContext().db, user.id) });
});
