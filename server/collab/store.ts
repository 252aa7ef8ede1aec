import type { Db } from '../../src/lib/server/db/db';
import * as documents from '../../src/lib/server/documents';
import type { ClientOwner } from '../../src/lib/server/documents';

export type StoredContent = {
	updates: Uint8Array[];
	lastSeq: number;
	logLength: number;
	/** Yjs client id → author (null: the server), BI-13. */
	owners: Map<number, string | null>;
};

/**
 * Where a document's Yjs content lives. `load` returns the snapshot and the log after it;
 * `append` resolves once the update (and the client ids it binds) is committed (then, and only
 * then, it counts as saved); `compact` replaces snapshot + log up to `upToSeq` with `state` atomically.
 */
export interface DocumentStore {
	load(documentId: string): Promise<StoredContent>;
	append(documentId: string, update: Uint8Array, owners?: ClientOwner[]): Promise<number>;
	compact(documentId: string, state: Uint8Array, upToSeq: number): Promise<void>;
}

export function databaseStore(db: Db): DocumentStore {
	return {
		load: async (id) => {
			const [content, owners] = await Promise.all([documents.loadContent(db, id), documents.loadOwners(db, id)]);
			return { ...content, owners };
		},
		append: (id, update, owners) => documents.appendUpdate(db, id, update, owners),
		compact: (id, state, upToSeq) => documents.compact(db, id, state, upToSeq)
	};
}

type MemoryRow = { snapshot: Uint8Array | null; lastSeq: number; log: { seq: number; update: Uint8Array }[]; owners: Map<number, string | null> };

/** For unit tests: the same contract in memory. */
export function memoryStore(): DocumentStore & { rows: Map<string, MemoryRow> } {
	const rows = new Map<string, MemoryRow>();
	let seq = 0;
	const of = (id: string) => rows.get(id) ?? rows.set(id, { snapshot: null, lastSeq: 0, log: [], owners: new Map() }).get(id)!;
	return {
		rows,
		load: async (id) => {
			const row = of(id);
			return {
				updates: [...(row.snapshot ? [row.snapshot] : []), ...row.log.map((entry) => entry.update)],
				lastSeq: row.log.at(-1)?.seq ?? row.lastSeq,
				logLength: row.log.length,
				owners: new Map(row.owners)
			};
		},
		append: async (id, update, owners = []) => {
			const row = of(id);
			row.log.push({ seq: ++seq, update });
			for (const owner of owners) if (!row.owners.has(owner.clientId)) row.owners.set(owner.clientId, owner.userId);
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
