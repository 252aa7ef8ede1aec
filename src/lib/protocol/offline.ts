/**
 * What the server tells the service worker (src/service-worker.ts) about a page, and what the
 * worker tells the page, for offline copies of documents.
 */

/**
 * Response header on every page and page-data answer: which login session it was rendered for
 * (a hash of the session's id, never the cookie), or `noViewer`. The worker keeps offline copies
 * only for the session it last saw, and drops them all when another one (or none) shows up.
 */
export const viewerHeader = 'x-plenary-viewer';
export const noViewer = 'none';

/** Set by the worker on `<html>` of a page answered from its offline copy: when that copy was stored (ISO time). */
export const offlineCopyAttribute = 'data-offline-copy';

/** A page asks the worker to keep an offline copy of the page it shows (answered `true` once stored). */
export type KeepOfflineMessage = { type: 'keep-offline'; path: string };
