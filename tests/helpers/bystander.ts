import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { expect } from 'vitest';
import type { ApiClient } from './client';
import { openRaw, paragraphUpdate, syncUpdateMessage, type RawCollab } from './collab';
import { eventually } from './retry';

/**
 * Someone else in the room while a test misbehaves: a raw read-only connection that keeps its own
 * copy of the document and of the awareness, and a log of every message the server sent it.
 */
export type Bystander = {
	raw: RawCollab;
	doc: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	/** Message types (0 sync, 1 awareness, 2 auth, 100 Plenary) in arrival order. */
	types: number[];
	paragraphs(): string[];
	/** The position in `types` now; pass it to `expectUntouchedSince`. */
	mark(): number;
	close(): void;
};

/** Opens a bystander and resolves once it holds the whole document (the server's sync step 2). */
export async function openBystander(baseUrl: string, client: ApiClient, documentId: string): Promise<Bystander> {
	const raw = openRaw(baseUrl, client, `/collab/${documentId}`);
	const doc = new Y.Doc();
	const awareness = new awarenessProtocol.Awareness(doc);
	awareness.setLocalState(null);
	const types: number[] = [];
	let synced = false;
	raw.ws.on('message', (data) => {
		const decoder = decoding.createDecoder(new Uint8Array(data as Buffer));
		const type = decoding.readVarUint(decoder);
		types.push(type);
		if (type === 0) {
			const kind = decoding.readVarUint(decoder);
			if (kind === 0) return; // the server's sync step 1: a read-only bystander has nothing to add
			Y.applyUpdate(doc, decoding.readVarUint8Array(decoder), 'server');
			if (kind === 1) synced = true;
		} else if (type === 1) {
			awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), 'server');
		}
	});
	await raw.opened;
	const step1 = encoding.createEncoder();
	encoding.writeVarUint(step1, 0);
	encoding.writeVarUint(step1, 0);
	encoding.writeVarUint8Array(step1, Y.encodeStateVector(doc));
	raw.send(encoding.toUint8Array(step1));
	await eventually(() => expect(synced).toBe(true), { timeoutMs: 15_000 });
	return {
		raw,
		doc,
		awareness,
		types,
		paragraphs: () => paragraphsOf(doc),
		mark: () => types.length,
		close: () => {
			awareness.destroy();
			raw.ws.close();
		}
	};
}

/** The text of each paragraph of the `default` fragment, in order. */
export function paragraphsOf(doc: Y.Doc): string[] {
	return doc
		.getXmlFragment('default')
		.toArray()
		.map((node) => (node instanceof Y.XmlElement ? node.toArray().map((text) => text.toString()).join('') : ''));
}

let markers = 0;

type Via = { baseUrl: string; member: ApiClient; documentId: string };

/**
 * A member adds a marker paragraph; resolves with its text once the bystander has it. The server
 * relays in order, so anything caused by input it handled earlier has reached the bystander by then.
 */
export async function sendMarker(bystander: Bystander, via: Via): Promise<string> {
	const marker = `marker ${++markers} after the offence`;
	const raw = openRaw(via.baseUrl, via.member, `/collab/${via.documentId}`);
	await raw.opened;
	raw.send(syncUpdateMessage(paragraphUpdate(marker), 2));
	await eventually(() => expect(bystander.paragraphs()).toContain(marker), { timeoutMs: 15_000 });
	raw.ws.close();
	return marker;
}

/**
 * The "nothing changed for others" invariant (reliability.md 4.0). Call it once the server has
 * answered the offending input (closed or refused it): after a marker (see `sendMarker`), the
 * marker must be the only document message since `mark`, no awareness message may have arrived
 * (unless `awareness` allows it), and the document must be `before` plus the marker.
 */
export async function expectUntouchedSince(bystander: Bystander, mark: number, before: string[], via: Via, { awareness = false } = {}): Promise<void> {
	const marker = await sendMarker(bystander, via);
	const since = bystander.types.slice(mark);
	expect(since.filter((type) => type === 0)).toHaveLength(1);
	if (!awareness) expect(since.filter((type) => type === 1)).toEqual([]);
	expect(bystander.paragraphs().filter((text) => text !== marker)).toEqual(before);
}
