import { json } from '@sveltejs/kit';
import { api, requireUser } from '$lib/server/http';

export const GET = api(async (event) => json({ user: requireUser(event) }));
