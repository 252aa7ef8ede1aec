import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { messagePlenary, plenaryHello } from '../../src/lib/protocol/collab';
import type { ApiClient } from './client';

/** A `WebSocket` class for y-websocket in Node that sends the client's cookie and our Origin. */
function socketClassFor(client: ApiClient, origin: string) {
	return class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { cookie: client.cookieHeader(), origin } });
		}
	};
}

export type TestEditor = {
	provider: WebsocketProvider;
	doc: Y.Doc;
	/** The whole text of the document, paragraph by paragraph. */
	text(): string;
	/** Appends to this editor's own paragraph (created on first use). */
	type(text: string): void;
	destroy(): void;
};

/** A stock y-websocket provider as a member's editor would run it (Node instead of a browser). */
export function openEditor(baseUrl: string, client: ApiClient, documentId: string, doc = new Y.Doc()): TestEditor {
	const provider = new WebsocketProvider(baseUrl.replace(/^http/, 'ws') + '/collab', documentId, doc, {
		WebSocketPolyfill: socketClassFor(client, baseUrl) as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 500
	});
	const fragment = doc.getXmlFragment('default');
	let own: Y.XmlText | null = null;
	return {
		provider,
		doc,
		text: () => fragment.toArray().map((node) => (node instanceof Y.XmlElement ? node.toArray().map((t) => t.toString()).join('') : '')).join('\n'),
		type: (text) => {
			doc.transact(() => {
				if (!own) {
					const paragraph = new Y.XmlElement('paragraph');
					own = new Y.XmlText();
					paragraph.insert(0, [own]);
					fragment.push([paragraph]);
				}
				own.insert(own.length, text);
			});
		},
		destroy: () => {
			provider.destroy();
			doc.destroy();
		}
	};
}

export type RawCollab = {
	ws: WebSocket;
	received: Uint8Array[];
	opened: Promise<void>;
	closed: Promise<{ code: number; reason: string }>;
	send(bytes: Uint8Array | string): void;
};

/** A raw socket on /collab that can send any bytes (for bad-input and permission tests). */
export function openRaw(baseUrl: string, client: ApiClient | null, path: string, headers: Record<string, string> = {}): RawCollab {
	const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + path, {
		headers: { origin: baseUrl, ...(client ? { cookie: client.cookieHeader() } : {}), ...headers }
	});
	const received: Uint8Array[] = [];
	ws.on('message', (data) => received.push(new Uint8Array(data as Buffer)));
	ws.on('error', () => {});
	return {
		ws,
		received,
		opened: new Promise((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
		}),
		closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
		send: (bytes) => ws.send(bytes)
	};
}

export function syncUpdateMessage(update: Uint8Array, kind: 1 | 2 = 2): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0);
	encoding.writeVarUint(encoder, kind);
	encoding.writeVarUint8Array(encoder, update);
	return encoding.toUint8Array(encoder);
}

export function helloMessage(): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messagePlenary);
	encoding.writeVarUint(encoder, plenaryHello);
	return encoding.toUint8Array(encoder);
}

/** Message type and, for type 100, its subtype and payload. */
export function describeMessage(bytes: Uint8Array): { type: number; subtype?: number; payload?: Uint8Array | string } {
	const decoder = decoding.createDecoder(bytes);
	const type = decoding.readVarUint(decoder);
	if (type === 2) return { type, subtype: decoding.readVarUint(decoder), payload: decoding.readVarString(decoder) };
	if (type !== messagePlenary) return { type };
	const subtype = decoding.readVarUint(decoder);
	return { type, subtype, payload: subtype === 1 ? decoding.readVarUint8Array(decoder) : decoding.readVarString(decoder) };
}

/** A paragraph update made by a throwaway doc (to inject as a crafted update). */
export function paragraphUpdate(text: string): Uint8Array {
	const doc = new Y.Doc();
	const paragraph = new Y.XmlElement('paragraph');
	paragraph.insert(0, [new Y.XmlText(text)]);
	doc.getXmlFragment('default').push([paragraph]);
	return Y.encodeStateAsUpdate(doc);
}

/** Appends a paragraph to `doc`; returns the update that made it. */
export function appendParagraph(doc: Y.Doc, text: string): Uint8Array {
	const before = Y.encodeStateVector(doc);
	const paragraph = new Y.XmlElement('paragraph');
	paragraph.insert(0, [new Y.XmlText(text)]);
	doc.getXmlFragment('default').push([paragraph]);
	return Y.encodeStateAsUpdate(doc, before);
}

/** A copy of `victim`'s state that writes under the victim's Yjs client id (attribution forgery, BI-13). */
export function impersonating(victim: Y.Doc): Y.Doc {
	const forger = new Y.Doc();
	Y.applyUpdate(forger, Y.encodeStateAsUpdate(victim));
	forger.clientID = victim.clientID; // after applying: Yjs moves to a new id when it sees its own in remote structs
	return forger;
}
