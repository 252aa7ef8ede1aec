import { json } from '@sveltejs/kit';
import { authorizeDocument } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as documents from '$lib/server/documents';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { documentLockBody } from '$lib/protocol/api';

/** Lock or unlock the text (moderators and up); open editors turn read-only at once. */
export const PUT = api(async (event) => {
	const user = requireUser(event);
	const { db, signals } = appContext();
	const principal = await authorizeDocument(db, user.id, idParam(event, 'documentId'), 'moderator');
	const { locked } = await readBody(event.request, documentLockBody);
	const document = await documents.setLocked(db, principal.documentId, user.id, locked);
	signals.emit('documentLockChanged', { documentId: principal.documentId });
	return json({ document: documents.view(document) });
});
