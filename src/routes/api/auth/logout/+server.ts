import { logout } from '$lib/server/auth/logout';
import { api } from '$lib/server/http';

export const POST = api(async (event) => {
	await logout(event);
	return new Response(null, { status: 204 });
});
