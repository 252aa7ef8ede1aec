import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
	/** The logged-in person (no e-mail in every page's payload), or null. */
	user: locals.user ? { id: locals.user.id, name: locals.user.name } : null,
	locale: locals.locale
});
