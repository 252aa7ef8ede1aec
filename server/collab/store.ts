import type { Db } from '../../src/lib/server/db/db';
import * as documents from '../../src/lib/server/documents';

/**
 * Where a document's Yjs content lives. `load` returns the snapshot and the log after it;
 * `append` resolves once the update is committed (then, and only then, it counts as saved);
 * `compact` replaces snapshot + log up to `upToSeq` with `state` atomically.
 */
export interface DocumentStore {
	load(documentId: string): Promise<{ updates: Uint8Array[]; lastSeq: number; logLength: number }>;
	append(documentId: string, update: Uint8Array): Promise<number>;
	compact(documentId: string, state: Uint8Array, upToSeq: number): Promise<void>;
}

export function databaseStore(db: Db): DocumentStore {
	return {
		load: (id) => documents.loadContent(db, id),
		append: (id, update) => documents.appendUpdate(db, id, update),
		compact: (id, state, upToSeq) => documents.compact(db, id, state, upToSeq)
	};
}

/** For unit tests: the same contract in memory. */
export function memoryStore(): DocumentStore & { rows: Map<string, { snapshot: Uint8Array | null; log: { seq: number; update: Uint8Array }[] }> } {
	const rows = new Map<string, { snapshot: Uint8Array | null; lastSeq: number; log: { seq: number; update: Uint8Array }[] }>();
	let seq = 0;
	const of = (id: string) => rows.get(id) ?? rows.set(id, { snapshot: null, lastSeq: 0, log: [] }).get(id)!;
	return {
		rows,
		load: async (id) => {
			const row = of(id);
			return {
				updates: [...(row.snapshot ? [row.snapshot] : []), ...row.log.map((entry) => entry.update)],
				lastSeq: row.log.at(-1)?.seq ?? row.lastSeq,
				logLength: row.log.length
			};
		},
		append: async (id, update) => {
			of(id).log.push({ seq: ++seq, update });
			return seq;
		},
		compact: async (id, state, upToSeq) => {
			const row = of(id);
			row.snapshot = state;
			row.lastSeq = upToSeq;
			row.log = row.log.filter((entry) => entry.seq > upToSeq);
		}
	};
}
