import { authorizeEvent, authorizeGroup } from '$lib/server/auth/authorize';
import * as consent from '$lib/server/consent';
import { appContext } from '$lib/server/context';
import { AppError } from '$lib/server/errors';
import * as events from '$lib/server/events';
import { formAction, formValues } from '$lib/server/forms';
import * as groups from '$lib/server/groups';
import { userOrLogin } from '$lib/server/pages';
import { eventRef, groupRef, noticeRef } from '$lib/protocol/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) return { events: null, notices: [], mayCreateEvents: false };
	const { config, db } = appContext();
	return {
		/** The dashboard: events I organize or attend, with my groups; null on the public landing page. */
		events: await events.listFor(db, locals.user.id),
		/** Who added me where, until I dismiss it or leave. */
		notices: await consent.notices(db, locals.user.id),
		mayCreateEvents: events.mayCreate(config.eventCreators, locals.user.email)
	};
};

export const actions: Actions = {
	dismissNotice: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['noticeId']);
		return formAction(values, noticeRef, async ({ noticeId }) => {
			await consent.dismiss(appContext().db, user.id, noticeId);
			return { dismissed: true };
		});
	},
	leaveGroup: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['groupId']);
		return formAction(values, groupRef, async ({ groupId }) => {
			const { db, signals } = appContext();
			const principal = await authorizeGroup(db, user.id, groupId, 'observer');
			const group = await groups.get(db, principal.groupId);
			if (!(await groups.leave(db, principal.groupId, user.id))) throw new AppError('CONFLICT', 'Organizers leave the event, not a group');
			signals.emit('membershipChanged', { groupId: principal.groupId, userId: user.id });
			return { left: group.name };
		});
	},
	leaveEvent: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['eventId']);
		return formAction(values, eventRef, async ({ eventId }) => {
			const { db, signals } = appContext();
			await authorizeEvent(db, user.id, eventId, 'attendee');
			const info = await events.get(db, eventId);
			for (const groupId of await events.leave(db, eventId, user.id)) signals.emit('membershipChanged', { groupId, userId: user.id });
			return { left: info.title };
		});
	}
};
