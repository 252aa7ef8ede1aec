import { authorizeEvent, authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as events from '$lib/server/events';
import { formAction, formValues } from '$lib/server/forms';
import * as groups from '$lib/server/groups';
import { orErrorPage, userOrLogin, uuidParam } from '$lib/server/pages';
import { invitationUrl } from '$lib/server/invitations';
import { groupBody, invitationRef } from '$lib/protocol/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = userOrLogin(event);
	const eventId = uuidParam(event.params.eventId);
	const { db } = appContext();
	return orErrorPage(async () => {
		const { organizer } = await authorizeEvent(db, user.id, eventId, 'attendee');
		const info = await events.get(db, eventId);
		if (!organizer) {
			const mine = (await events.listFor(db, user.id)).find((e) => e.id === eventId)?.groups ?? [];
			return { event: info, organizer, groups: mine, people: [], invitations: [], organizers: [] };
		}
		const invitations = await groups.pendingInvitationsOfEvent(db, eventId);
		return {
			event: info,
			organizer,
			groups: (await groups.listOfEvent(db, eventId)).map((g) => ({ ...g, role: 'organizer' as const })),
			people: await events.people(db, eventId),
			organizers: await events.organizers(db, eventId),
			invitations: invitations.map(({ token, ...invitation }) => ({ ...invitation, url: invitationUrl(event, token) }))
		};
	});
};

export const actions: Actions = {
	createGroup: async (event) => {
		const user = userOrLogin(event);
		const eventId = uuidParam(event.params.eventId);
		const values = formValues(await event.request.formData(), ['name']);
		return formAction(values, groupBody, async ({ name }) => {
			await authorizeEvent(appContext().db, user.id, eventId, 'organizer');
			await groups.create(appContext().db, eventId, name);
			return { created: name };
		});
	},
	revokeInvitation: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['groupId', 'invitationId']);
		return formAction(values, invitationRef, async ({ groupId, invitationId }) => {
			await authorizeGroup(appContext().db, user.id, groupId, 'moderator');
			await groups.revokeInvitation(appContext().db, groupId, invitationId);
			return { revoked: true };
		});
	}
};
