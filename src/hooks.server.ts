import type { Handle, HandleServerError } from '@sveltejs/kit';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { appContext } from '$lib/server/context';
import * as sessions from '$lib/server/auth/sessions';
import { clearedSessionCookieOptions, localeCookieOptions, sessionCookieName, sessionCookieOptions } from '$lib/server/auth/cookies';
import { chooseLocale, localeCookieName } from '$lib/server/locale';
import { errorResponse } from '$lib/server/http';
import { AppError } from '$lib/server/errors';
import { viewerOf } from '$lib/server/offline';
import { viewerHeader } from '$lib/protocol/offline';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const handle: Handle = async (input) => withSecurityHeaders(await respond(input));

const respond: Handle = async ({ event, resolve }) => {
	const { db, config } = appContext();
	const isApi = event.url.pathname.startsWith('/api/');

	// Security seam: SvelteKit's CSRF check covers form content types only; the JSON API gets the
	// same rule here (BI-35). Requests without Origin (scripts, curl) carry no browser cookie risk.
	if (isApi && unsafeMethods.has(event.request.method)) {
		const origin = event.request.headers.get('origin');
		const expected = config.origin ?? event.url.origin;
		if (origin !== null && origin !== expected) {
			return errorResponse(new AppError('CROSS_ORIGIN', 'Cross-site requests are forbidden'));
		}
	}

	const token = event.cookies.get(sessionCookieName);
	const found = token ? await sessions.validate(db, token) : null;
	event.locals.user = found?.user ?? null;
	event.locals.session = found?.session ?? null;
	if (token && !found) {
		event.cookies.delete(sessionCookieName, clearedSessionCookieOptions(event.url.protocol === 'https:'));
	} else if (found && token) {
		event.cookies.set(sessionCookieName, token, sessionCookieOptions(event.url.protocol === 'https:', found.session.expiresAt));
	}

	const locale = chooseLocale(found?.user.locale, event.cookies.get(localeCookieName), event.request.headers.get('accept-language'));
	event.locals.locale = locale;
	if (event.cookies.get(localeCookieName) !== locale) {
		// The browser bundle reads the language from this cookie; it must agree with the server's choice.
		event.cookies.set(localeCookieName, locale, localeCookieOptions(event.url.protocol === 'https:'));
	}
	const headers = new Headers(event.request.headers);
	const others = (headers.get('cookie') ?? '').split(';').filter((c) => c.trim() && !c.trim().startsWith(localeCookieName + '='));
	headers.set('cookie', [...others, `${localeCookieName}=${locale}`].join(';'));

	const response = await paraglideMiddleware(new Request(event.request, { headers }), ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%plenary.lang%', locale)
		});
	});
	// The service worker keeps offline copies of pages per login session (src/service-worker.ts).
	if (!isApi) markViewer(response, viewerOf(event.locals.session?.id ?? null));
	// SvelteKit answers a method a JSON endpoint lacks with plain text; the API speaks JSON only.
	if (isApi && response.status === 405 && !response.headers.get('content-type')?.includes('json')) {
		const answer = errorResponse(new AppError('METHOD_NOT_ALLOWED', `${event.request.method} is not supported here`));
		const allow = response.headers.get('allow');
		if (allow) answer.headers.set('allow', allow);
		return answer;
	}
	return response;
};

/**
 * Security headers for every answer of the app (issue 12); the Content-Security-Policy itself comes
 * from `kit.csp` in svelte.config.js. A response with immutable headers (passed through from fetch)
 * is left as it is.
 */
const securityHeaders: Record<string, string> = {
	'x-content-type-options': 'nosniff',
	'x-frame-options': 'DENY',
	'referrer-policy': 'strict-origin-when-cross-origin',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()'
};

function withSecurityHeaders(response: Response): Response {
	try {
		for (const [name, value] of Object.entries(securityHeaders)) response.headers.set(name, value);
	} catch {
		// immutable headers: see above
	}
	return response;
}

function markViewer(response: Response, viewer: string): void {
	try {
		response.headers.set(viewerHeader, viewer);
	} catch {
		// A response with immutable headers (one passed through from fetch) is no page the worker keeps.
	}
}

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message: 'Not found', code: 'NOT_FOUND' };
	appContext().log.error({ err: error, path: event.url.pathname, status }, 'unhandled error');
	return { message: status >= 500 ? 'Something went wrong on the server' : message, code: 'INTERNAL' };
};
