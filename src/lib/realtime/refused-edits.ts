import type { CollabErrorCode } from '$lib/protocol/collab';

/**
 * Text the server refused, kept in this browser (localStorage) until it is delivered or the person
 * discards it, so that a reload or a closed tab never loses it. One record per document.
 */
export type RefusedEdits = {
	code: CollabErrorCode;
	/** What the person typed, as plain text to read and copy. */
	text: string;
	/** The refused structs as a Yjs update against the server's state (base64), to send again. */
	update: string;
	/** Set once the edits were written again under a new client id: they are in the document up to `end`. */
	sentAs: { client: number; end: number } | null;
	/** When it was refused (ms since the epoch). */
	at: number;
};

const key = (documentId: string) => `plenary-refused-${documentId}`;

export function readRefused(documentId: string): RefusedEdits | null {
	try {
		const raw = localStorage.getItem(key(documentId));
		return raw ? (JSON.parse(raw) as RefusedEdits) : null;
	} catch {
		return null; // storage disabled or a record from elsewhere: nothing to show
	}
}

/** Throws when the browser refuses to store it (quota): the caller keeps the text on screen. */
export function writeRefused(documentId: string, record: RefusedEdits): void {
	localStorage.setItem(key(documentId), JSON.stringify(record));
}

export function forgetRefused(documentId: string): void {
	try {
		localStorage.removeItem(key(documentId));
	} catch {
		// storage disabled: nothing was kept
	}
}

export function toBase64(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
	return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
