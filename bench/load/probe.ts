import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Endpoint } from './protocol';
import type { LatencySink } from './sink';
import { decodeToken, scanStrings } from './tokens';

/**
 * One stock provider among the lightweight clients: y-websocket's WebsocketProvider for Plenary and
 * the reference server, @hocuspocus/provider for Hocuspocus, each with a full Y.Doc that integrates
 * every update. Its latency (taken after Yjs has applied the update) cross-checks what the raw
 * clients measure; it is too heavy to run hundreds of in one generator process.
 */
export class ProviderProbe {
	readonly doc = new Y.Doc();
	readonly synced: Promise<void>;
	readonly latencies: LatencySink;
	received = 0;
	private readonly destroyProvider: () => void;
	private readonly lastClock = new Map<number, number>();

	constructor(endpoint: Endpoint, sink: LatencySink, now: () => number) {
		this.latencies = sink;
		const headers = endpoint.headers;
		// A WebSocket class that sends our headers (cookie, Origin) and never offers compression.
		class Socket extends WebSocket {
			constructor(url: string, protocols?: string | string[]) {
				super(url, protocols, { headers, perMessageDeflate: false });
			}
		}
		if (endpoint.protocol === 'hocuspocus') {
			const socket = new HocuspocusProviderWebsocket({ url: endpoint.url, WebSocketPolyfill: Socket });
			const provider = new HocuspocusProvider({ websocketProvider: socket, name: endpoint.documentName, document: this.doc });
			provider.attach();
			this.synced = new Promise((resolve) => provider.on('synced', () => resolve()));
			this.destroyProvider = () => {
				provider.destroy();
				socket.destroy();
			};
		} else {
			const cut = endpoint.url.lastIndexOf('/');
			const provider = new WebsocketProvider(endpoint.url.slice(0, cut), endpoint.url.slice(cut + 1), this.doc, {
				WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
				disableBc: true
			});
			this.synced = new Promise((resolve) => provider.once('sync', () => resolve()));
			this.destroyProvider = () => provider.destroy();
		}
		this.doc.on('update', (update: Uint8Array) => {
			if (!sink.open) return;
			const at = now();
			scanStrings(update, (client, clock, text) => {
				const last = this.lastClock.get(client) ?? -1;
				for (let offset = text.indexOf('~'); offset !== -1; offset = text.indexOf('~', offset + 1)) {
					const sentAt = decodeToken(text, offset);
					if (sentAt === null || clock + offset <= last) continue;
					this.lastClock.set(client, clock + offset);
					if (!sink.counts(sentAt)) continue;
					this.received++;
					sink.record(at - sentAt);
				}
			});
		});
	}

	close(): void {
		this.destroyProvider();
		this.doc.destroy();
	}
}
