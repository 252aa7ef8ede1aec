import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import * as sessions from '$lib/server/sessions';
import { sessionCreateBody } from '$lib/protocol/live';

export const GET = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'observer');
	return json({ sessions: await sessions.listOfGroup(db, principal.groupId) });
});

/** Creates a session (moderators and up) with its agenda and the documents it discusses. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	const input = await readBody(event.request, sessionCreateBody);
	const state = await sessions.create(db, principal, input);
	return json({ session: sessions.summary(state) }, { status: 201 });
});
