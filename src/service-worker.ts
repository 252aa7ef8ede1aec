/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { changesLogin, handlingOf, keepable, keepablePath, markOfflineCopy } from '$lib/offline/cache-rules';
import { noViewer, viewerHeader, type KeepOfflineMessage } from '$lib/protocol/offline';

/**
 * Offline copies of the documents a person opened, so that one can be reopened (and edited, its
 * text coming from IndexedDB) with no network, and its edits sent when the network returns.
 *
 * - The built app is cached at install: it is what every page runs, named by this build.
 * - A document's page (HTML and page data) is fetched from the network first; an answer for a
 *   logged-in session is stored, and served only when the network fails, and only while that same
 *   session is the one last seen (pages are per person: role, names, the people to mention).
 * - Nothing else is touched: the API, /collab, Socket.IO, writes and other pages go to the network.
 * - A new build takes over at once and deletes the caches of older builds (their pages name
 *   scripts that no longer exist).
 */
const worker = self as unknown as ServiceWorkerGlobalScope;
const appCache = `plenary-app-${version}`;
const pageCache = `plenary-pages-${version}`;
/** Where the worker keeps which session it last saw (the worker itself may be stopped at any time). */
const viewerKey = '/__plenary/viewer';
const storedAtHeader = 'x-plenary-stored-at';
const assets = new Set([...build, ...files]);

worker.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(appCache)
			.then((cache) => cache.addAll([...assets]))
			.then(() => worker.skipWaiting())
	);
});

worker.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((names) => Promise.all(names.filter((name) => name !== appCache && name !== pageCache).map((name) => caches.delete(name))))
			.then(() => worker.clients.claim())
	);
});

worker.addEventListener('fetch', (event) => {
	const { request } = event;
	if (changesLogin(request, worker.location.origin)) {
		// Before the request goes out: nobody's copy may outlive a change of who is logged in.
		const forgotten = serialized(() => forgetPages(null)).catch(() => {});
		event.respondWith(forgotten.then(() => fetch(request)));
		return;
	}
	const handling = handlingOf(request, worker.location.origin, assets);
	if (handling === 'asset') event.respondWith(fromCacheFirst(request));
	else if (handling === 'page') event.respondWith(fromNetworkFirst(event));
});

worker.addEventListener('message', (event) => {
	const message = event.data as Partial<KeepOfflineMessage> | null;
	const path = message?.type === 'keep-offline' ? keepablePath(message.path) : null;
	if (!path) return;
	const reply = event.ports[0];
	event.waitUntil(
		keepCopyOf(path).then(
			(kept) => reply?.postMessage(kept),
			() => reply?.postMessage(false)
		)
	);
});

async function fromCacheFirst(request: Request): Promise<Response> {
	const cached = await caches.match(request, { cacheName: appCache });
	return cached ?? fetch(request);
}

async function fromNetworkFirst(event: FetchEvent): Promise<Response> {
	const { request } = event;
	let response: Response;
	try {
		response = await fetch(request);
	} catch (error) {
		const copy = await offlineCopy(request);
		if (copy) return copy;
		throw error;
	}
	const copy = response.clone();
	event.waitUntil(serialized(() => remember(request.url, copy)).catch(() => {}));
	return response;
}

/** Keeps a copy of a page a person has open (asked by the page: it may have come before the worker). */
async function keepCopyOf(path: string): Promise<boolean> {
	const url = new URL(path, worker.location.origin).href;
	if (await storedRecently(url)) return true; // it came through this worker a moment ago
	const response = await fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
	return serialized(() => remember(url, response));
}

/** Stores `response` for `url` if it may be kept; any answer for another session drops every copy first. */
async function remember(url: string, response: Response): Promise<boolean> {
	const viewer = response.headers.get(viewerHeader);
	if (viewer === null) return false; // not one of our pages (a redirect, a proxy's error page)
	const session = viewer === noViewer ? null : viewer;
	if (session !== (await lastViewer())) await forgetPages(session);
	if (!keepable(response, viewer, noViewer)) return false;
	const headers = new Headers(response.headers);
	headers.set(storedAtHeader, new Date().toISOString());
	// The body is stored decoded, and the HTML served offline is longer than the original.
	headers.delete('content-encoding');
	headers.delete('content-length');
	const body = await response.arrayBuffer();
	await (await caches.open(pageCache)).put(url, new Response(body, { status: 200, statusText: response.statusText, headers }));
	return true;
}

async function storedRecently(url: string): Promise<boolean> {
	const copy = await caches.match(url, { cacheName: pageCache });
	const storedAt = Date.parse(copy?.headers.get(storedAtHeader) ?? '');
	const viewer = await lastViewer();
	return !!copy && !!viewer && copy.headers.get(viewerHeader) === viewer && Math.abs(Date.now() - storedAt) < 30_000;
}

/** The stored copy of a page, if it was stored for the session last seen; HTML marked as a copy. */
async function offlineCopy(request: Request): Promise<Response | null> {
	const cache = await caches.open(pageCache);
	const copy = await cache.match(request.url);
	const viewer = await lastViewer();
	if (!copy || !viewer || copy.headers.get(viewerHeader) !== viewer) return null;
	if (!copy.headers.get('content-type')?.includes('text/html')) return copy;
	const html = markOfflineCopy(await copy.text(), copy.headers.get(storedAtHeader) ?? '');
	return new Response(html, { status: 200, headers: copy.headers });
}

async function lastViewer(): Promise<string | null> {
	const stored = await caches.match(viewerKey, { cacheName: pageCache });
	return stored ? (await stored.text()) || null : null;
}

/** Drops every stored page; from now on only pages of `viewer` (null: nobody's) are served offline. */
async function forgetPages(viewer: string | null): Promise<void> {
	await caches.delete(pageCache);
	await (await caches.open(pageCache)).put(viewerKey, new Response(viewer ?? ''));
}

// Storing and forgetting run one at a time: a page stored for the old session must not land
// after the copies were dropped for the new one.
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(task: () => Promise<T>): Promise<T> {
	const run = queue.then(task, task);
	queue = run.catch(() => {});
	return run;
}
