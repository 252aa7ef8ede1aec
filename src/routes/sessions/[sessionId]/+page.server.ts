import { loadSessionPage } from '$lib/server/session-page';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => loadSessionPage(event);
