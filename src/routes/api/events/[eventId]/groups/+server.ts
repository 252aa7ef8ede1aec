import { json } from '@sveltejs/kit';
import { authorizeEvent } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { groupBody } from '$lib/protocol/api';

export const POST = api(async (event) => {
	const user = requireUser(event);
	const eventId = idParam(event, 'eventId');
	const { db } = appContext();
	await authorizeEvent(db, user.id, eventId, 'organizer');
	const { name } = await readBody(event.request, groupBody);
	return json({ group: await groups.create(db, eventId, name) }, { status: 201 });
});
