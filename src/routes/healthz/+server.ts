import { json } from '@sveltejs/kit';
import { appContext } from '$lib/server/context';

/** Liveness and readiness in one: 200 while the database answers, 503 otherwise. */
export async function GET() {
	try {
		await appContext().db.sql`select 1`;
		return json({ status: 'ok' });
	} catch {
		return json({ status: 'unavailable', error: { code: 'INTERNAL', message: 'database unreachable' } }, { status: 503 });
	}
}
