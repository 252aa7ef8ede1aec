import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/**
 * What a typist types: six characters per keystroke, "~" and the send time in five base-62 digits
 * (tenths of a millisecond since the run's epoch, good for 25 hours). Receivers find the tokens in
 * the Yjs update they get, so every receiving client measures its own latency without a shared table.
 */
export const tokenLength = 6;
const marker = '~';
const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const value = new Map([...digits].map((char, index) => [char.charCodeAt(0), index]));

export function encodeToken(ms: number): string {
	let units = Math.max(0, Math.round(ms * 10));
	let out = '';
	for (let i = 0; i < tokenLength - 1; i++) {
		out = digits[units % 62]! + out;
		units = Math.floor(units / 62);
	}
	return marker + out;
}

/** The send time of the token starting at `offset` of `text`, or null when it is cut or not a token. */
export function decodeToken(text: string, offset: number): number | null {
	if (text[offset] !== marker || offset + tokenLength > text.length) return null;
	let units = 0;
	for (let i = offset + 1; i < offset + tokenLength; i++) {
		const digit = value.get(text.charCodeAt(i));
		if (digit === undefined) return null;
		units = units * 62 + digit;
	}
	return units / 10;
}

/** Called for each string inserted by an update: its author, the clock of its first character, the text. */
export type StringVisitor = (client: number, clock: number, text: string) => void;

/**
 * Walks the structs of a Yjs (v1) update and reports every inserted string, without a Y.Doc and
 * without building Item objects: the receivers' hot path. Follows yjs/src/utils/encoding.js
 * (readClientsStructRefs) and structs/Item.js (readItemContent). The delete set is not read.
 */
export function scanStrings(update: Uint8Array, visit: StringVisitor): void {
	const decoder = decoding.createDecoder(update);
	const clients = decoding.readVarUint(decoder);
	for (let c = 0; c < clients; c++) {
		const structs = decoding.readVarUint(decoder);
		const client = decoding.readVarUint(decoder);
		let clock = decoding.readVarUint(decoder);
		for (let s = 0; s < structs; s++) {
			const info = decoding.readUint8(decoder);
			const ref = info & 0b11111;
			if (ref === 0 || ref === 10) {
				clock += decoding.readVarUint(decoder); // GC or Skip: a length only
				continue;
			}
			if (info & 0b10000000) skipId(decoder); // origin
			if (info & 0b01000000) skipId(decoder); // right origin
			if ((info & 0b11000000) === 0) {
				if (decoding.readVarUint(decoder) === 1) decoding.readVarString(decoder); // parent: a root's name
				else skipId(decoder); // parent: an item
				if (info & 0b00100000) decoding.readVarString(decoder); // parentSub (a map key)
			}
			clock += readContent(decoder, ref, client, clock, visit);
		}
	}
}

function skipId(decoder: decoding.Decoder): void {
	decoding.readVarUint(decoder);
	decoding.readVarUint(decoder);
}

/** Reads one item's content; returns its length in clock units. */
function readContent(decoder: decoding.Decoder, ref: number, client: number, clock: number, visit: StringVisitor): number {
	switch (ref) {
		case 1: // deleted
			return decoding.readVarUint(decoder);
		case 2: {
			// JSON: one string per element
			const length = decoding.readVarUint(decoder);
			for (let i = 0; i < length; i++) decoding.readVarString(decoder);
			return length;
		}
		case 3: // binary
			decoding.readVarUint8Array(decoder);
			return 1;
		case 4: {
			const text = decoding.readVarString(decoder);
			visit(client, clock, text);
			return text.length;
		}
		case 5: // embed (JSON string)
			decoding.readVarString(decoder);
			return 1;
		case 6: // format: key, JSON value
			decoding.readVarString(decoder);
			decoding.readVarString(decoder);
			return 1;
		case 7: {
			// a nested type; XmlElement (3) and XmlHook (5) carry a name
			const typeRef = decoding.readVarUint(decoder);
			if (typeRef === 3 || typeRef === 5) decoding.readVarString(decoder);
			return 1;
		}
		case 8: {
			const length = decoding.readVarUint(decoder);
			for (let i = 0; i < length; i++) decoding.readAny(decoder);
			return length;
		}
		case 9: // subdocument: guid, options
			decoding.readVarString(decoder);
			decoding.readAny(decoder);
			return 1;
		default:
			throw new Error(`unknown struct content ${ref}`);
	}
}

/** The reference answer for `scanStrings`, through Yjs itself; used by the self-check. */
export function scanStringsWithYjs(update: Uint8Array, visit: StringVisitor): void {
	for (const struct of Y.decodeUpdate(update).structs) {
		if (struct instanceof Y.Item && struct.content instanceof Y.ContentString) {
			visit(struct.id.client, struct.id.clock, struct.content.str);
		}
	}
}
