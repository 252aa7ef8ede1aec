import { describe, expect, it } from 'vitest';
import { changesLogin, handlingOf, keepable, keepablePath, markOfflineCopy } from '../../../src/lib/offline/cache-rules';

const origin = 'https://plenary.example.org';
const documentId = '0b6f3c1e-8a2d-4c55-9f0e-3d2b1a4c5e6f';
const assets = new Set(['/_app/immutable/entry/start.abc123.js', '/favicon.svg']);
const get = (path: string, at = origin) => ({ method: 'GET', url: `${at}${path}` });

describe('what the service worker answers, and how', () => {
	it('the built app and static files from the cache first; a document’s page and its data network first', () => {
		expect(handlingOf(get('/_app/immutable/entry/start.abc123.js'), origin, assets)).toBe('asset');
		expect(handlingOf(get('/favicon.svg'), origin, assets)).toBe('asset');
		expect(handlingOf(get(`/documents/${documentId}`), origin, assets)).toBe('page');
		expect(handlingOf(get(`/documents/${documentId}/__data.json?x-sveltekit-invalidated=01`), origin, assets)).toBe('page');
	});

	it('never the API, /collab, Socket.IO, other pages, another site or any write', () => {
		for (const path of [
			`/api/documents/${documentId}`,
			`/collab/${documentId}`,
			'/socket.io/?EIO=4&transport=websocket',
			'/healthz',
			'/',
			`/groups/${documentId}`,
			`/sessions/${documentId}`,
			`/documents/${documentId}/export`,
			'/documents/not-an-id',
			'/_app/immutable/entry/start.other.js'
		]) {
			expect(handlingOf(get(path), origin, assets), path).toBe('network');
		}
		expect(handlingOf(get(`/documents/${documentId}`, 'https://elsewhere.example'), origin, assets)).toBe('network');
		expect(handlingOf({ method: 'POST', url: `${origin}/documents/${documentId}?/rename` }, origin, assets)).toBe('network');
	});

	it('a page may ask to keep only a document page’s own path', () => {
		expect(keepablePath(`/documents/${documentId}`)).toBe(`/documents/${documentId}`);
		expect(keepablePath(`/documents/${documentId}/__data.json`)).toBeNull();
		expect(keepablePath('/api/me')).toBeNull();
		expect(keepablePath(`https://elsewhere.example/documents/${documentId}`)).toBeNull();
		expect(keepablePath(42)).toBeNull();
	});

	it('logging in or out, registering and changing a password drop every copy first', () => {
		for (const path of ['/login', '/login?/default', '/logout', '/register', '/account?/password', '/api/auth/login', '/api/auth/logout-everywhere', '/api/me/password']) {
			expect(changesLogin({ method: 'POST', url: `${origin}${path}` }, origin), path).toBe(true);
		}
		expect(changesLogin(get('/logout'), origin)).toBe(false);
		expect(changesLogin({ method: 'POST', url: `${origin}/documents/${documentId}?/rename` }, origin)).toBe(false);
		expect(changesLogin({ method: 'POST', url: `${origin}/api/me/locale` }, origin)).toBe(false);
		expect(changesLogin({ method: 'POST', url: 'https://elsewhere.example/logout' }, origin)).toBe(false);
	});

	it('keeps only whole pages answered for a logged-in session: no error, no redirect, nobody’s', () => {
		const ok = { status: 200, type: 'basic', redirected: false };
		expect(keepable(ok, 'a1b2', 'none')).toBe(true);
		expect(keepable(ok, 'none', 'none')).toBe(false);
		expect(keepable(ok, null, 'none')).toBe(false);
		for (const status of [201, 204, 304, 403, 404, 500, 503]) expect(keepable({ ...ok, status }, 'a1b2', 'none')).toBe(false);
		expect(keepable({ ...ok, redirected: true }, 'a1b2', 'none')).toBe(false);
		expect(keepable({ status: 0, type: 'opaqueredirect', redirected: false }, 'a1b2', 'none')).toBe(false);
	});

	it('marks the page served offline with when its copy was stored, and nothing a stored header could inject', () => {
		expect(markOfflineCopy('<!doctype html>\n<html lang="kk">\n<head>', '2026-12-04T18:15:00.000Z')).toBe(
			'<!doctype html>\n<html data-offline-copy="2026-12-04T18:15:00.000Z" lang="kk">\n<head>'
		);
		expect(markOfflineCopy('<html><body>', '2026"><script>')).toBe('<html data-offline-copy="2026"><body>');
	});
});
