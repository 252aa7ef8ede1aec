import { json } from '@sveltejs/kit';
import { authorizeDocument } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as documents from '$lib/server/documents';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { documentRenameBody } from '$lib/protocol/api';

export const GET = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeDocument(db, user.id, idParam(event, 'documentId'), 'observer');
	return json({ document: documents.view(await documents.get(db, principal.documentId)) });
});

/** Rename: members and up. */
export const PATCH = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeDocument(db, user.id, idParam(event, 'documentId'), 'member');
	const { title } = await readBody(event.request, documentRenameBody);
	await documents.rename(db, principal.documentId, title);
	return json({ document: documents.view(await documents.get(db, principal.documentId)) });
});
