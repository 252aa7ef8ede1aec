import { redirect } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import { forbidden } from '$lib/server/errors';
import * as events from '$lib/server/events';
import { blankToNull, formAction, formValues } from '$lib/server/forms';
import { userOrLogin } from '$lib/server/pages';
import { eventBody } from '$lib/protocol/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const user = userOrLogin(event);
	return { mayCreate: events.mayCreate(appContext().config.eventCreators, user.email) };
};

export const actions: Actions = {
	default: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['title', 'startsOn', 'endsOn', 'venue'], ['languages']);
		const input = { ...values, startsOn: blankToNull(values.startsOn), endsOn: blankToNull(values.endsOn), venue: blankToNull(values.venue) };
		return formAction(input, eventBody, async (data) => {
			if (!events.mayCreate(appContext().config.eventCreators, user.email)) throw forbidden('This server lets only the people it lists create events');
			const created = await events.create(appContext().db, user.id, data);
			redirect(303, `/events/${created.id}`);
		});
	}
};
