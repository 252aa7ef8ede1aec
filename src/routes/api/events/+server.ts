import { json } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import { forbidden } from '$lib/server/errors';
import * as events from '$lib/server/events';
import { api, readBody, requireUser } from '$lib/server/http';
import { eventBody } from '$lib/protocol/api';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json({ events: await events.listFor(appContext().db, user.id) });
});

export const POST = api(async (event) => {
	const user = requireUser(event);
	const { config, db } = appContext();
	// Creating an event is what lets an account add people by e-mail (issue 12): a deployment may keep it to a list.
	if (!events.mayCreate(config.eventCreators, user.email)) throw forbidden('This server lets only the people it lists create events');
	const input = await readBody(event.request, eventBody);
	return json({ event: await events.create(db, user.id, input) }, { status: 201 });
});
