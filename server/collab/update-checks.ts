import * as Y from 'yjs';

/**
 * Would applying `update` change `doc`? True when it carries structs the doc lacks or deletes
 * something the doc has not deleted. Used for read-only connections, whose stock client answers our
 * sync step 1 with a step 2 holding its whole delete set (ueberdosis/hocuspocus#1151): that one
 * must pass quietly, anything that adds content must not.
 */
export function changesDocument(doc: Y.Doc, update: Uint8Array): boolean {
	const known = Y.decodeStateVector(Y.encodeStateVector(doc));
	// Not encodeStateVectorFromUpdate: it leaves out every client whose structs do not start at clock 0,
	// so text typed after what the server has (a reconnect's step 2) looked like no change and was
	// dropped without a word instead of refused.
	for (const [client, clock] of Y.parseUpdateMeta(update).to) {
		if (clock > (known.get(client) ?? 0)) return true;
	}
	const { ds } = Y.decodeUpdate(update);
	if (ds.clients.size === 0) return false;
	const deleted = Y.createDeleteSetFromStructStore(doc.store);
	for (const [client, ranges] of ds.clients) {
		const have = deleted.clients.get(client) ?? [];
		for (const range of ranges) if (!covered(have, range.clock, range.clock + range.len)) return true;
	}
	return false;
}

/** Is [from, to) inside the union of the sorted, merged ranges? */
function covered(ranges: { clock: number; len: number }[], from: number, to: number): boolean {
	let position = from;
	for (const range of ranges) {
		if (range.clock > position) return false;
		if (range.clock + range.len > position) position = range.clock + range.len;
		if (position >= to) return true;
	}
	return position >= to;
}

/**
 * Plenary's documents have one root, the XmlFragment "default" that TipTap edits (BI-12). An update
 * that creates content under any other root name is refused; content attached to existing items
 * can only reach the roots that already exist.
 */
export function writesOutsideSchema(update: Uint8Array): boolean {
	for (const struct of Y.decodeUpdate(update).structs) {
		if (struct instanceof Y.Item && typeof struct.parent === 'string' && struct.parent !== 'default') return true;
	}
	return false;
}
