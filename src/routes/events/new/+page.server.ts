import { redirect } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';
import * as events from '$lib/server/events';
import { blankToNull, formAction, formValues } from '$lib/server/forms';
import { userOrLogin } from '$lib/server/pages';
import { eventBody } from '$lib/protocol/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	userOrLogin(event);
	return {};
};

export const actions: Actions = {
	default: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['title', 'startsOn', 'endsOn', 'venue'], ['languages']);
		const input = { ...values, startsOn: blankToNull(values.startsOn), endsOn: blankToNull(values.endsOn), venue: blankToNull(values.venue) };
		return formAction(input, eventBody, async (data) => {
			const created = await events.create(appContext().db, user.id, data);
			redirect(303, `/events/${created.id}`);
		});
	}
};
