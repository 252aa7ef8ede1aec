import { appContext } from '$lib/server/context';
import * as events from '$lib/server/events';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
	/** The dashboard: events I organize or attend, with my groups; null on the public landing page. */
	events: locals.user ? await events.listFor(appContext().db, locals.user.id) : null
});
