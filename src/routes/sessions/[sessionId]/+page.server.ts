import { roleInGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as documents from '$lib/server/documents';
import { notFound } from '$lib/server/errors';
import * as groups from '$lib/server/groups';
import { orErrorPage, userOrLogin, uuidParam } from '$lib/server/pages';
import * as sessions from '$lib/server/sessions';
import { colorOf } from '$lib/protocol/colors';
import type { AccessState } from '$lib/protocol/collab';
import { atLeast } from '$lib/protocol/roles';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = userOrLogin(event);
	const sessionId = uuidParam(event.params.sessionId);
	const { db } = appContext();
	return orErrorPage(async () => {
		const groupId = await sessions.groupOf(db, sessionId);
		const principal = groupId ? await roleInGroup(db, user.id, groupId) : null;
		if (!groupId || !principal) throw notFound('Session not found');
		const state = await sessions.state(db.sql, sessionId);
		const group = await groups.get(db, groupId);
		const docs = await Promise.all(state.documentIds.map((id) => documents.get(db, id)));
		return {
			state,
			role: principal.role,
			me: { id: user.id, name: user.name, color: colorOf(user.id) },
			group: { id: group.id, name: group.name, eventId: group.eventId, eventTitle: group.eventTitle },
			documents: docs.map((doc) => ({
				...documents.view(doc),
				access: (doc.lockedAt
					? { canWrite: false, reason: 'locked', lockedByName: doc.lockedByName }
					: atLeast(principal.role, 'member')
						? { canWrite: true, reason: null, lockedByName: null }
						: { canWrite: false, reason: 'role', lockedByName: null }) satisfies AccessState
			}))
		};
	});
};
