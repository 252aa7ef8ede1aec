import * as encoding from 'lib0/encoding';
import type { WebsocketProvider } from 'y-websocket';
import { messagePlenary, plenaryPing } from '$lib/protocol/collab';

/** A quiet socket is asked whether it is alive after this long… */
const quietMs = 2500;
/** …and given up when nothing came back this long after the question. */
const answerMs = 4000;
/** A connection attempt that neither opens nor fails this long is started again. */
const connectingMs = 10_000;

/**
 * Keeps a provider's idea of the network honest. y-websocket only notices a dead socket after 30 s
 * of silence; the line must say "Offline" at once. The browser's own `offline`/`online` events drop
 * and restore the socket immediately, and a socket quiet for a while is pinged (message 100/4, the
 * server answers 100/5): no answer, and it is dropped and opened again. Returns the stop function.
 */
export function watchLink(provider: WebsocketProvider, onChange: (online: boolean) => void): () => void {
	let pingedAt: number | null = null;
	let connectingSince: number | null = null;
	const restart = () => {
		provider.disconnect();
		provider.connect();
	};
	const offline = () => {
		onChange(false);
		// Closed now rather than after y-websocket's 30 s; its reconnection attempts go on meanwhile.
		if (provider.ws) {
			provider.disconnect();
			provider.shouldConnect = true;
			provider.connect();
		}
	};
	const online = () => {
		onChange(true);
		if (!provider.wsconnected) restart();
	};
	const tick = () => {
		const now = Date.now();
		const ws = provider.ws;
		if (!ws || !provider.wsconnected) {
			pingedAt = null;
			connectingSince = provider.wsconnecting ? (connectingSince ?? now) : null;
			if (connectingSince !== null && now - connectingSince >= connectingMs && navigator.onLine) {
				connectingSince = null;
				restart();
			}
			return;
		}
		connectingSince = null;
		const last = provider.wsLastMessageReceived;
		if (pingedAt !== null && last < pingedAt) {
			if (now - pingedAt >= answerMs) {
				pingedAt = null;
				restart();
			}
			return;
		}
		pingedAt = null;
		if (now - last >= quietMs && ws.readyState === ws.OPEN) {
			ws.send(ping);
			pingedAt = now;
		}
	};
	const timer = setInterval(tick, 1000);
	window.addEventListener('offline', offline);
	window.addEventListener('online', online);
	return () => {
		clearInterval(timer);
		window.removeEventListener('offline', offline);
		window.removeEventListener('online', online);
	};
}

const ping = (() => {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messagePlenary);
	encoding.writeVarUint(encoder, plenaryPing);
	return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
})();
