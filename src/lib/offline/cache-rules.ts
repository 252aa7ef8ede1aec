import { offlineCopyAttribute } from '$lib/protocol/offline';

/**
 * Which requests the service worker answers, and how. Pure, so the rules are tested without a
 * browser; src/service-worker.ts does the caching.
 *
 * - `asset`: the built app (JS, CSS) and static files: the same bytes for everyone, named by the
 *   build, served from the cache first.
 * - `page`: a document's page or its page data: network first, the offline copy only when the
 *   network fails (and only for the session it was stored for).
 * - `network`: everything else, untouched: the API, /collab, Socket.IO, other pages, any write.
 */
export type Handling = 'asset' | 'page' | 'network';

const documentPage = /^\/documents\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\/__data\.json)?$/;

export function handlingOf(request: { method: string; url: string }, origin: string, assets: ReadonlySet<string>): Handling {
	if (request.method !== 'GET') return 'network';
	const url = new URL(request.url);
	if (url.origin !== origin) return 'network';
	if (assets.has(url.pathname)) return 'asset';
	if (documentPage.test(url.pathname)) return 'page';
	return 'network';
}

/** The path of a document page whose copy the page may ask to keep (its own), or null. */
export function keepablePath(path: unknown): string | null {
	return typeof path === 'string' && documentPage.test(path) && !path.endsWith('/__data.json') ? path : null;
}

/**
 * A request that logs someone in or out, creates an account or changes a password (which starts a
 * new login session): whoever is logged in after it may be someone else, so every offline copy
 * goes before it is sent. (Any page answered for another session drops them too: this only makes
 * it happen before the answer.)
 */
export function changesLogin(request: { method: string; url: string }, origin: string): boolean {
	if (request.method === 'GET') return false;
	const url = new URL(request.url);
	if (url.origin !== origin) return false;
	return /^\/(login|logout|register|account)(\/|$)/.test(url.pathname) || /^\/api\/(auth|me\/password)(\/|$)/.test(url.pathname);
}

/** Whether an answer may be kept: a whole page (200, not a redirect), rendered for a logged-in session. */
export function keepable(response: { status: number; type: string; redirected: boolean }, viewer: string | null, none: string): boolean {
	return response.status === 200 && response.type === 'basic' && !response.redirected && !!viewer && viewer !== none;
}

/** The stored page as served offline: `<html>` says when the copy was stored, for the page to tell the reader. */
export function markOfflineCopy(html: string, storedAt: string): string {
	return html.replace(/<html(\s|>)/i, (_match, next: string) => `<html ${offlineCopyAttribute}="${storedAt.replace(/[^0-9TZ:.+-]/g, '')}"${next}`);
}
