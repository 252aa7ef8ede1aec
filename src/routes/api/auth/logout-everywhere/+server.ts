import { logoutEverywhere } from '$lib/server/auth/logout';
import { api, requireUser } from '$lib/server/http';

export const POST = api(async (event) => {
	requireUser(event);
	await logoutEverywhere(event);
	return new Response(null, { status: 204 });
});
