import { json } from '@sveltejs/kit';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as documents from '$lib/server/documents';
import { api, idParam, readBody, requireUser } from '$lib/server/http';
import { documentBody } from '$lib/protocol/api';

export const GET = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'observer');
	return json({ documents: (await documents.listOfGroup(db, principal.groupId)).map(documents.view) });
});

export const POST = api(async (event) => {
	const user = requireUser(event);
	const { db } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'member');
	const input = await readBody(event.request, documentBody);
	return json({ document: documents.view(await documents.create(db, principal.groupId, user.id, input)) }, { status: 201 });
});
