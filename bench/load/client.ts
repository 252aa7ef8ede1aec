import WebSocket from 'ws';
import * as Y from 'yjs';
import { emptyUpdate, emptyStateVector, openingMessages, parseIncoming, syncMessage, type Endpoint } from './protocol';
import type { LatencySink } from './sink';
import { decodeToken, encodeToken, scanStrings } from './tokens';

/** How a connection ended when the benchmark did not end it. */
export type Trouble = { code: number; reason: string } | { error: string };

/**
 * One lightweight client: a real WebSocket doing the stock handshake (auth or hello, sync step 1,
 * answering the server's step 1), then only reading frames. It never builds a Y.Doc of the
 * document: it finds the typists' tokens in each update (tokens.ts) and records their latency.
 * A typist additionally owns a paragraph, made with a real Y.Doc, and appends a token to it on
 * every keystroke; it does not integrate other clients' updates (it does not need to).
 */
export class LoadClient {
	readonly ws: WebSocket;
	readonly synced: Promise<void>;
	received = 0;
	frames = 0;
	bytes = 0;
	savedFrames = 0;
	sent = 0;
	trouble: Trouble | null = null;
	private closing = false;
	private readonly lastClock = new Map<number, number>();
	private readonly typing: { doc: Y.Doc; text: Y.XmlText } | null;
	private frameTime = 0;

	constructor(
		readonly endpoint: Endpoint,
		readonly doc: number,
		role: 'typist' | 'receiver',
		private readonly sink: LatencySink,
		private readonly now: () => number
	) {
		this.typing = role === 'typist' ? { doc: new Y.Doc(), text: new Y.XmlText() } : null;
		this.ws = new WebSocket(endpoint.url, { headers: endpoint.headers, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
		let resolveSynced!: () => void;
		let rejectSynced!: (error: Error) => void;
		this.synced = new Promise((resolve, reject) => {
			resolveSynced = resolve;
			rejectSynced = reject;
		});
		let authenticated = endpoint.protocol !== 'hocuspocus';
		let gotStep2 = false;
		this.ws.on('open', () => {
			for (const message of openingMessages(endpoint)) this.ws.send(message);
			this.ws.send(syncMessage(endpoint, 'step1', emptyStateVector));
		});
		this.ws.on('message', (data: Buffer) => {
			this.frameTime = this.now();
			this.frames++;
			this.bytes += data.byteLength;
			const message = parseIncoming(endpoint.protocol, data);
			switch (message.kind) {
				case 'update':
					if (this.sink.open) scanStrings(message.payload, this.visit);
					break;
				case 'step1':
					this.ws.send(syncMessage(endpoint, 'step2', emptyUpdate));
					break;
				case 'step2':
					gotStep2 = true;
					break;
				case 'authenticated':
					authenticated = true;
					break;
				case 'saved':
					this.savedFrames++;
					break;
				case 'denied':
					this.trouble ??= { error: `permission denied: ${message.reason}` };
					break;
				case 'closed-by-server':
					this.trouble ??= { error: `closed by server: ${message.reason}` };
					break;
			}
			if (gotStep2 && authenticated) resolveSynced();
		});
		this.ws.on('error', (error) => {
			this.trouble ??= { error: error.message };
			rejectSynced(error);
		});
		this.ws.on('unexpected-response', (_request, response) => {
			this.trouble ??= { error: `HTTP ${response.statusCode}` };
			rejectSynced(new Error(`HTTP ${response.statusCode}`));
			this.ws.terminate();
		});
		this.ws.on('close', (code, reason) => {
			if (!this.closing) this.trouble ??= { code, reason: reason.toString() };
			rejectSynced(new Error(`closed ${code} ${reason.toString()}`));
		});
		if (this.typing) {
			this.typing.doc.on('update', (update: Uint8Array) => {
				if (this.ws.readyState === WebSocket.OPEN) this.ws.send(syncMessage(endpoint, 'update', update));
			});
		}
	}

	/** The typist's Yjs client id (its own tokens come back from some servers and are skipped). */
	get clientId(): number {
		return this.typing?.doc.clientID ?? -1;
	}

	/** Creates the typist's paragraph (before measuring starts). */
	startParagraph(): void {
		if (!this.typing) return;
		const { doc, text } = this.typing;
		doc.transact(() => {
			const paragraph = new Y.XmlElement('paragraph');
			paragraph.insert(0, [text]);
			doc.getXmlFragment('default').push([paragraph]);
		});
	}

	/** One keystroke: six characters carrying the send time. Returns that time as receivers decode it. */
	type(): number {
		const token = encodeToken(this.now());
		this.typing!.text.insert(this.typing!.text.length, token);
		this.sent++;
		return decodeToken(token, 0)!;
	}

	private visit = (client: number, clock: number, text: string): void => {
		if (client === this.clientId) return;
		const last = this.lastClock.get(client) ?? -1;
		for (let offset = text.indexOf('~'); offset !== -1; offset = text.indexOf('~', offset + 1)) {
			const id = clock + offset;
			if (id <= last) continue;
			const sentAt = decodeToken(text, offset);
			if (sentAt === null) continue;
			this.lastClock.set(client, id);
			if (!this.sink.counts(sentAt)) continue;
			this.received++;
			this.sink.record(this.frameTime - sentAt);
		}
	};

	close(): Promise<void> {
		this.closing = true;
		this.typing?.doc.destroy();
		if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.ws.terminate();
				resolve();
			}, 5000);
			this.ws.once('close', () => {
				clearTimeout(timer);
				resolve();
			});
			if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
			else this.ws.close();
		});
	}
}
