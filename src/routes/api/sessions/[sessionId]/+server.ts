import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import { notFound } from '$lib/server/errors';
import { api, idParam, requireUser } from '$lib/server/http';
import * as sessions from '$lib/server/sessions';

export const GET = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const sessionId = idParam(event, 'sessionId');
	const groupId = await sessions.groupOf(db, sessionId);
	if (!groupId) throw notFound('Session not found');
	await authorizeGroup(db, user.id, groupId, 'observer');
	return json({ session: await sessions.state(db.sql, sessionId) });
});
