import { authorizeDocument } from '$lib/server/auth/authorize';
import * as comments from '$lib/server/comments';
import { appContext } from '$lib/server/context';
import * as documents from '$lib/server/documents';
import { formAction, formValues } from '$lib/server/forms';
import * as groups from '$lib/server/groups';
import { orErrorPage, userOrLogin, uuidParam } from '$lib/server/pages';
import { colorOf } from '$lib/protocol/colors';
import { documentRenameBody } from '$lib/protocol/api';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = userOrLogin(event);
	const documentId = uuidParam(event.params.documentId);
	const { db } = appContext();
	return orErrorPage(async () => {
		const principal = await authorizeDocument(db, user.id, documentId, 'observer');
		const document = documents.view(await documents.get(db, documentId));
		const group = await groups.get(db, principal.groupId);
		const access = documents.accessFor(await documents.get(db, documentId), principal.role);
		return {
			document,
			group: { id: group.id, name: group.name, eventId: group.eventId, eventTitle: group.eventTitle },
			role: principal.role,
			access,
			me: { id: user.id, name: user.name, color: colorOf(user.id) },
			people: await comments.mentionablePeople(db, principal.groupId, user.id)
		};
	});
};

/** Actions re-check the role: a load's authorization does not cover them. */
export const actions: Actions = {
	rename: async (event) => {
		const user = userOrLogin(event);
		const documentId = uuidParam(event.params.documentId);
		const values = formValues(await event.request.formData(), ['title']);
		return formAction(values, documentRenameBody, async ({ title }) => {
			await authorizeDocument(appContext().db, user.id, documentId, 'member');
			await documents.rename(appContext().db, documentId, title);
			return { renamed: true };
		});
	},
	lock: async (event) => {
		const user = userOrLogin(event);
		const documentId = uuidParam(event.params.documentId);
		const values = formValues(await event.request.formData(), ['locked']);
		return formAction(values, z.strictObject({ locked: z.enum(['true', 'false']) }), async ({ locked }) => {
			const { db, signals } = appContext();
			await authorizeDocument(db, user.id, documentId, 'moderator');
			await documents.setLocked(db, documentId, user.id, locked === 'true');
			signals.emit('documentLockChanged', { documentId });
			return { locked: locked === 'true' };
		});
	}
};
