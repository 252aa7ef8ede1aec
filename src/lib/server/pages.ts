import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { AppError } from './errors';

/**
 * For pages and form actions (layouts do not guard actions): the logged-in user, or a redirect to
 * the login page that comes back here afterwards.
 */
export function userOrLogin(event: RequestEvent) {
	if (event.locals.user) return event.locals.user;
	const next = event.url.pathname + event.url.search;
	redirect(303, `/login?next=${encodeURIComponent(next)}`);
}

/** Runs a page load's lookups; NOT_FOUND/FORBIDDEN become SvelteKit's 404/403 error pages. */
export async function orErrorPage<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (caught) {
		if (caught instanceof AppError && (caught.status === 404 || caught.status === 403)) {
			error(caught.status, { message: caught.message, code: caught.code });
		}
		throw caught;
	}
}

/**
 * A place on this site to go back to after login, registration or a language change; anything
 * else goes home. Security seam (open redirect): browsers drop tabs and newlines from a URL and read
 * a backslash as a slash, so `/<TAB>/evil.example` is `//evil.example` to them. Only parsing `next`
 * the way a browser does, against our own origin, tells where it leads; what we answer is the
 * parser's own serialisation, which holds none of those characters.
 */
export function safeNext(value: string | null, origin: string): string {
	if (!value) return '/';
	let target: URL;
	try {
		target = new URL(value, origin);
	} catch {
		return '/';
	}
	if (target.origin !== origin) return '/';
	// "/.//evil.example" resolves to the path "//evil.example", which a browser reads as another host.
	if (target.pathname.startsWith('//')) return '/';
	return target.pathname + target.search + target.hash;
}

/** A path parameter that must be a uuid; anything else is a 404 page. */
export function uuidParam(value: string | undefined): string {
	const id = value?.toLowerCase() ?? '';
	if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
		error(404, { message: 'Not found', code: 'NOT_FOUND' });
	}
	return id;
}
