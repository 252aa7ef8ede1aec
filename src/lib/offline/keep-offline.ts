import type { KeepOfflineMessage } from '$lib/protocol/offline';

/**
 * Asks the service worker to keep an offline copy of the page at `path` (the one shown: a page
 * opened before the worker was installed, or reached by a client-side navigation, has no stored
 * HTML yet). Resolves true once stored; false when it was not kept. Never resolves without a worker.
 */
export async function keepOffline(path: string): Promise<boolean> {
	if (!('serviceWorker' in navigator)) return false;
	const { active } = await navigator.serviceWorker.ready;
	if (!active) return false;
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = (event) => resolve(event.data === true);
		const message: KeepOfflineMessage = { type: 'keep-offline', path };
		active.postMessage(message, [channel.port2]);
	});
}
