import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * Surgery on Yjs updates (V1) for the browser's side of "the server refused my update": moving
 * refused text under a new client id, cutting an update too large for one message into pieces,
 * and reading the refused text back for the person to copy.
 */

/** A state vector as a map, encoded the way Yjs reads it. */
export function encodeVector(vector: Map<number, number>): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, vector.size);
	for (const [client, clock] of vector) {
		encoding.writeVarUint(encoder, client);
		encoding.writeVarUint(encoder, clock);
	}
	return encoding.toUint8Array(encoder);
}

/** Does `known` cover every struct of `local`? */
export function covers(known: Map<number, number>, local: Map<number, number>): boolean {
	for (const [client, clock] of local) if ((known.get(client) ?? 0) < clock) return false;
	return true;
}

type Struct = Y.Item | Y.GC;

/**
 * The same edits as `update`, written by `client` from clock `start` on: every struct of the update
 * gets a new id (in an order where each comes after what it is placed against), and its neighbours,
 * parent and deletions follow. Used to send again text the server refused under its old ids (it keeps
 * refusing those, AZ-23) once its author may write again. Structs the update only refers to keep their ids.
 */
export function reauthor(update: Uint8Array, client: number, start: number): { update: Uint8Array; end: number } {
	const { structs, ds } = Y.decodeUpdate(update);
	const moved = structs.filter((s): s is Struct => !(s instanceof Y.Skip));
	const byClient = new Map<number, Struct[]>();
	for (const struct of moved) {
		const list = byClient.get(struct.id.client) ?? [];
		list.push(struct);
		byClient.set(struct.id.client, list);
	}
	const find = (id: Y.ID | null): Struct | null => {
		const list = id ? byClient.get(id.client) : undefined;
		if (!id || !list) return null;
		let [low, high] = [0, list.length - 1];
		while (low <= high) {
			const middle = (low + high) >> 1;
			const struct = list[middle]!;
			if (id.clock < struct.id.clock) high = middle - 1;
			else if (id.clock >= struct.id.clock + struct.length) low = middle + 1;
			else return struct;
		}
		return null;
	};
	const dependencies = (struct: Struct): Struct[] => {
		if (!(struct instanceof Y.Item)) return [];
		const parent = struct.parent instanceof Y.ID ? struct.parent : null;
		return [struct.origin, struct.rightOrigin, parent].map(find).filter((d): d is Struct => d !== null && d !== struct);
	};
	// Depth-first, without recursion: a long run of typing is a long chain of left neighbours.
	const order: Struct[] = [];
	const seen = new Set<Struct>();
	for (const root of moved) {
		if (seen.has(root)) continue;
		seen.add(root);
		const stack: { struct: Struct; next: Struct[] }[] = [{ struct: root, next: dependencies(root) }];
		while (stack.length) {
			const top = stack[stack.length - 1]!;
			const dependency = top.next.pop();
			if (!dependency) {
				order.push(top.struct);
				stack.pop();
			} else if (!seen.has(dependency)) {
				seen.add(dependency);
				stack.push({ struct: dependency, next: dependencies(dependency) });
			}
		}
	}
	const newClock = new Map<Struct, number>();
	let clock = start;
	for (const struct of order) {
		newClock.set(struct, clock);
		clock += struct.length;
	}
	const remap = (id: Y.ID | null): Y.ID | null => {
		const struct = find(id);
		return struct && id ? Y.createID(client, newClock.get(struct)! + id.clock - struct.id.clock) : id;
	};
	const rewritten = order.map((struct) => {
		const id = Y.createID(client, newClock.get(struct)!);
		if (struct instanceof Y.GC) return new Y.GC(id, struct.length);
		const parent = struct.parent instanceof Y.ID ? remap(struct.parent) : struct.parent;
		return new Y.Item(id, null, remap(struct.origin), null, remap(struct.rightOrigin), parent as never, struct.parentSub, struct.content);
	});
	// Deletions: ranges inside moved structs follow them, the rest (others' text deleted) stays.
	const deletions = new Map<number, { clock: number; len: number }[]>();
	const deleted = (owner: number, from: number, len: number) => {
		const list = deletions.get(owner) ?? [];
		list.push({ clock: from, len });
		deletions.set(owner, list);
	};
	for (const [owner, ranges] of ds.clients) {
		for (const range of ranges) {
			let position = range.clock;
			const end = range.clock + range.len;
			while (position < end) {
				const struct = find(Y.createID(owner, position));
				if (struct) {
					const until = Math.min(end, struct.id.clock + struct.length);
					deleted(client, newClock.get(struct)! + position - struct.id.clock, until - position);
					position = until;
				} else {
					const next = (byClient.get(owner) ?? []).find((s) => s.id.clock > position)?.id.clock ?? end;
					const until = Math.min(end, next);
					deleted(owner, position, until - position);
					position = until;
				}
			}
		}
	}
	const encoder = new Y.UpdateEncoderV1();
	writeStructs(encoder, client, rewritten);
	writeDeletions(encoder, deletions);
	return { update: encoder.toUint8Array(), end: clock };
}

function writeStructs(encoder: Y.UpdateEncoderV1, client: number, structs: Struct[]): void {
	if (!structs.length) return encoding.writeVarUint(encoder.restEncoder, 0);
	encoding.writeVarUint(encoder.restEncoder, 1);
	encoding.writeVarUint(encoder.restEncoder, structs.length);
	encoder.writeClient(client);
	encoding.writeVarUint(encoder.restEncoder, structs[0]!.id.clock);
	for (const struct of structs) struct.write(encoder, 0);
}

function writeDeletions(encoder: Y.UpdateEncoderV1, deletions: Map<number, { clock: number; len: number }[]>): void {
	encoding.writeVarUint(encoder.restEncoder, deletions.size);
	for (const [client, ranges] of [...deletions].sort((a, b) => b[0] - a[0])) {
		encoder.resetDsCurVal();
		encoding.writeVarUint(encoder.restEncoder, client);
		ranges.sort((a, b) => a.clock - b.clock);
		encoding.writeVarUint(encoder.restEncoder, ranges.length);
		for (const range of ranges) {
			encoder.writeDsClock(range.clock);
			encoder.writeDsLen(range.len);
		}
	}
}

/** Characters of a text struct in one piece: small enough that a piece stays well under the limit. */
const stringSlice = 100_000;

/**
 * `update` cut into updates of at most about `maxBytes` each, which Yjs applies in any order (a
 * piece whose neighbours have not arrived waits, on the server too, until they do): per client, runs
 * of consecutive structs, long text cut into slices, deletions last. Null when one struct alone is
 * too large and cannot be cut (an embedded object).
 */
export function splitUpdate(update: Uint8Array, maxBytes: number): Uint8Array[] | null {
	const { structs, ds } = Y.decodeUpdate(update);
	const pieces: Uint8Array[] = [];
	let run: Struct[] = [];
	let runBytes = 0;
	const flush = () => {
		if (!run.length) return;
		const encoder = new Y.UpdateEncoderV1();
		writeStructs(encoder, run[0]!.id.client, run);
		encoding.writeVarUint(encoder.restEncoder, 0);
		pieces.push(encoder.toUint8Array());
		run = [];
		runBytes = 0;
	};
	for (const struct of structs) {
		if (struct instanceof Y.Skip) {
			flush();
			continue;
		}
		const last = run[run.length - 1];
		if (last && (last.id.client !== struct.id.client || last.id.clock + last.length !== struct.id.clock)) flush();
		for (const part of slices(struct as Struct)) {
			const bytes = sizeOf(part);
			if (bytes > maxBytes) return null;
			if (runBytes + bytes > maxBytes) flush();
			run.push(part);
			runBytes += bytes;
		}
	}
	flush();
	const encoder = new Y.UpdateEncoderV1();
	encoding.writeVarUint(encoder.restEncoder, 0);
	writeDeletions(encoder, new Map([...ds.clients].map(([client, ranges]) => [client, ranges.map((r) => ({ clock: r.clock, len: r.len }))])));
	pieces.push(encoder.toUint8Array());
	return pieces;
}

/** A long text struct as several, the way Yjs itself splits an item (each later part's left neighbour is the part before). */
function slices(struct: Struct): Struct[] {
	if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentString) || struct.length <= stringSlice) return [struct];
	const text = struct.content.str;
	const parts: Struct[] = [];
	for (let from = 0; from < text.length; ) {
		let to = Math.min(text.length, from + stringSlice);
		// Never between the two halves of a surrogate pair.
		if (to < text.length && /[\uD800-\uDBFF]/.test(text[to - 1]!)) to--;
		const { client, clock } = struct.id;
		const origin = from === 0 ? struct.origin : Y.createID(client, clock + from - 1);
		const parent = from === 0 ? struct.parent : null;
		parts.push(new Y.Item(Y.createID(client, clock + from), null, origin, null, struct.rightOrigin, parent as never, struct.parentSub, new Y.ContentString(text.slice(from, to))));
		from = to;
	}
	return parts;
}

function sizeOf(struct: Struct): number {
	const encoder = new Y.UpdateEncoderV1();
	struct.write(encoder, 0);
	return encoder.toUint8Array().byteLength + 16;
}

/**
 * The text `doc` holds beyond `known` (what the server has), in document order: one line per
 * paragraph that has some. What the person sees and may copy when the server refused it.
 */
export function textBeyond(doc: Y.Doc, known: Map<number, number>): string {
	const lines: string[] = [];
	const visit = (type: unknown) => {
		if (type instanceof Y.XmlText) {
			let line = '';
			for (let item = type._start; item; item = item.right) {
				if (item.deleted || !(item.content instanceof Y.ContentString)) continue;
				const from = Math.max(0, (known.get(item.id.client) ?? 0) - item.id.clock);
				if (from < item.length) line += item.content.str.slice(from);
			}
			if (line.trim()) lines.push(line);
			return;
		}
		if (type instanceof Y.XmlElement || type instanceof Y.XmlFragment) for (const child of type.toArray()) visit(child);
	};
	visit(doc.getXmlFragment('default'));
	return lines.join('\n');
}
