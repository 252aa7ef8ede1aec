import type { RequestEvent } from '@sveltejs/kit';
import { roleInGroup } from './auth/authorize';
import * as comments from './comments';
import { appContext } from './context';
import * as documents from './documents';
import { notFound } from './errors';
import * as groups from './groups';
import { orErrorPage, userOrLogin, uuidParam } from './pages';
import * as sessions from './sessions';
import { colorOf } from '../protocol/colors';

/** What the session room and its projector page show; NOT_FOUND for anyone outside the group. */
export async function loadSessionPage(event: RequestEvent<{ sessionId: string }>) {
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
			people: await comments.mentionablePeople(db, groupId, user.id),
			documents: docs.map((doc) => ({
				...documents.view(doc),
				access: documents.accessFor(doc, principal.role)
			}))
		};
	});
}
