import { json } from '@sveltejs/kit';
import * as accounts from '$lib/server/auth/accounts';
import { appContext } from '$lib/server/context';
import { api, clientAddress, readBody, startSession } from '$lib/server/http';
import { registerBody } from '$lib/protocol/api';

export const POST = api(async (event) => {
	const input = await readBody(event.request, registerBody);
	const { user, token, expiresAt } = await accounts.register(appContext(), { ...input, locale: event.locals.locale }, clientAddress(event));
	startSession(event, token, expiresAt);
	return json({ user }, { status: 201 });
});
