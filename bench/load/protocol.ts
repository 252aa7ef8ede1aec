import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The two wire formats under test. Both carry the y-protocols sync messages (0 step 1, 1 step 2,
 * 2 update); y-websocket (Plenary, @y/websocket-server) puts the document in the URL, Hocuspocus
 * prefixes every message with the document name and wants an auth message first
 * (@hocuspocus/server ClientConnection.handleQueueingMessage, @hocuspocus/common auth.ts).
 */
export type Protocol = 'y-websocket' | 'hocuspocus';

/** Where and how one client connects. */
export type Endpoint = {
	protocol: Protocol;
	url: string;
	headers: Record<string, string>;
	/** Hocuspocus: the document name of every message; y-websocket: informational. */
	documentName: string;
	/** Plenary's own client opts in to message 100 ("saved" acknowledgements); so do ours. */
	plenaryHello: boolean;
};

const messageSync = 0;
const messageAuth = 2;
const hocuspocusSyncStatus = 8;
const hocuspocusClose = 7;
const messagePlenary = 100;
const syncStep1 = 0;
const syncStep2 = 1;
const syncUpdate = 2;
/** Y.encodeStateVector(new Y.Doc()) and Y.encodeStateAsUpdate(new Y.Doc()). */
export const emptyStateVector = new Uint8Array([0]);
export const emptyUpdate = new Uint8Array([0, 0]);

export type Incoming =
	| { kind: 'step1'; payload: Uint8Array }
	| { kind: 'step2'; payload: Uint8Array }
	| { kind: 'update'; payload: Uint8Array }
	| { kind: 'authenticated' }
	| { kind: 'denied'; reason: string }
	| { kind: 'closed-by-server'; reason: string }
	| { kind: 'saved'; stateVector: Uint8Array }
	| { kind: 'other' };

function start(endpoint: Endpoint): encoding.Encoder {
	const encoder = encoding.createEncoder();
	if (endpoint.protocol === 'hocuspocus') encoding.writeVarString(encoder, endpoint.documentName);
	return encoder;
}

export function syncMessage(endpoint: Endpoint, kind: 'step1' | 'step2' | 'update', payload: Uint8Array): Uint8Array {
	const encoder = start(endpoint);
	encoding.writeVarUint(encoder, messageSync);
	encoding.writeVarUint(encoder, kind === 'step1' ? syncStep1 : kind === 'step2' ? syncStep2 : syncUpdate);
	encoding.writeVarUint8Array(encoder, payload);
	return encoding.toUint8Array(encoder);
}

/** What a stock client sends right after the socket opens, before its sync step 1. */
export function openingMessages(endpoint: Endpoint): Uint8Array[] {
	const out: Uint8Array[] = [];
	if (endpoint.protocol === 'hocuspocus') {
		// AuthMessageType.Token with an empty token: the benchmark server has no onAuthenticate hook.
		const encoder = start(endpoint);
		encoding.writeVarUint(encoder, messageAuth);
		encoding.writeVarUint(encoder, 0);
		encoding.writeVarString(encoder, '');
		out.push(encoding.toUint8Array(encoder));
	}
	if (endpoint.plenaryHello) {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messagePlenary);
		encoding.writeVarUint(encoder, 0);
		out.push(encoding.toUint8Array(encoder));
	}
	return out;
}

/** Classifies one frame from the server. Throws on bytes that are not a message of the protocol. */
export function parseIncoming(protocol: Protocol, frame: Uint8Array): Incoming {
	const decoder = decoding.createDecoder(frame);
	if (protocol === 'hocuspocus') decoding.readVarString(decoder);
	const type = decoding.readVarUint(decoder);
	if (type === messageSync || (protocol === 'hocuspocus' && type === 4)) {
		const sub = decoding.readVarUint(decoder);
		const payload = decoding.readVarUint8Array(decoder);
		if (sub === syncStep1) return { kind: 'step1', payload };
		return sub === syncStep2 ? { kind: 'step2', payload } : { kind: 'update', payload };
	}
	if (type === messageAuth) {
		const sub = decoding.readVarUint(decoder);
		if (protocol === 'hocuspocus' && sub === 2) return { kind: 'authenticated' };
		if (sub === 1 || protocol === 'y-websocket') return { kind: 'denied', reason: decoding.readVarString(decoder) };
		return { kind: 'other' };
	}
	if (protocol === 'hocuspocus' && type === hocuspocusClose) return { kind: 'closed-by-server', reason: decoding.readVarString(decoder) };
	if (protocol === 'hocuspocus' && type === hocuspocusSyncStatus) return { kind: 'other' };
	if (protocol === 'y-websocket' && type === messagePlenary) {
		// Subtype 1: the state vector of what is committed to the database.
		return decoding.readVarUint(decoder) === 1 ? { kind: 'saved', stateVector: decoding.readVarUint8Array(decoder) } : { kind: 'other' };
	}
	return { kind: 'other' };
}
