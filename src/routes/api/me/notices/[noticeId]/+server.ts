import * as consent from '$lib/server/consent';
import { appContext } from '$lib/server/context';
import { api, idParam, requireUser } from '$lib/server/http';

/** Dismisses one of the caller's notices (204); anyone else's is NOT_FOUND. */
export const DELETE = api(async (event) => {
	const user = requireUser(event);
	await consent.dismiss(appContext().db, user.id, idParam(event, 'noticeId'));
	return new Response(null, { status: 204 });
});
