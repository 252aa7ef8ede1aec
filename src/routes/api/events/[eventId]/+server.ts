import { json } from '@sveltejs/kit';
import { authorizeEvent } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as events from '$lib/server/events';
import * as groups from '$lib/server/groups';
import { api, idParam, requireUser } from '$lib/server/http';

export const GET = api(async (event) => {
	const user = requireUser(event);
	const eventId = idParam(event, 'eventId');
	const { db } = appContext();
	const { organizer } = await authorizeEvent(db, user.id, eventId, 'attendee');
	const all = await groups.listOfEvent(db, eventId);
	const mine = organizer ? all : (await events.listFor(db, user.id)).find((e) => e.id === eventId)?.groups ?? [];
	const visible = new Set(mine.map((g) => g.id));
	return json({ event: await events.get(db, eventId), organizer, groups: all.filter((g) => visible.has(g.id)) });
});
