import * as accounts from '$lib/server/auth/accounts';
import { appContext } from '$lib/server/context';
import { api, readBody, requireUser, startSession } from '$lib/server/http';
import { passwordChangeBody } from '$lib/protocol/api';

export const PUT = api(async (event) => {
	const user = requireUser(event);
	const input = await readBody(event.request, passwordChangeBody);
	const { token, expiresAt, revokedBefore } = await accounts.changePassword(appContext(), user.id, input);
	appContext().signals.emit('sessionsRevoked', { userId: user.id, sessionIds: 'all', at: revokedBefore });
	startSession(event, token, expiresAt);
	return new Response(null, { status: 204 });
});
