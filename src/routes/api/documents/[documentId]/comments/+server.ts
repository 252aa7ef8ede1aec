import { json } from '@sveltejs/kit';
import { authorizeDocument } from '$lib/server/auth/authorize';
import * as comments from '$lib/server/comments';
import { appContext } from '$lib/server/context';
import { api, idParam, requireUser } from '$lib/server/http';

/** The document's comments as the caller may see them (any role of its group), with their upvotes and unread count. */
export const GET = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeDocument(db, user.id, idParam(event, 'documentId'), 'observer');
	const stream = { kind: 'document' as const, documentId: principal.documentId, groupId: principal.groupId };
	return json(await comments.list(db, stream, { userId: user.id, role: principal.role }));
});
