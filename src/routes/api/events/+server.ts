import { json } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import * as events from '$lib/server/events';
import { api, readBody, requireUser } from '$lib/server/http';
import { eventBody } from '$lib/protocol/api';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json({ events: await events.listFor(appContext().db, user.id) });
});

export const POST = api(async (event) => {
	const user = requireUser(event);
	const input = await readBody(event.request, eventBody);
	return json({ event: await events.create(appContext().db, user.id, input) }, { status: 201 });
});
