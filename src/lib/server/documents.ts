import { fragment, type Db } from './db/db';
import { notFound } from './errors';
import type { DocumentKind } from '../protocol/api';
import type { AccessState } from '../protocol/collab';
import { atLeast, type Role } from '../protocol/roles';

export type Document = {
	id: string;
	groupId: string;
	title: string;
	kind: DocumentKind;
	lockedAt: Date | null;
	lockedBy: string | null;
	lockedByName: string | null;
	createdAt: Date;
	updatedAt: Date;
};


/** The columns of a `Document`, for queries naming documents `d` and the locking user `lu`. */
const documentFields = fragment`d.id, d.group_id as "groupId", d.title, d.kind, d.locked_at as "lockedAt",
	d.locked_by as "lockedBy", lu.name as "lockedByName", d.created_at as "createdAt", d.updated_at as "updatedAt"`;

/** What the API and pages show of a document. */
export function view(doc: Document) {
	return {
		id: doc.id,
		groupId: doc.groupId,
		title: doc.title,
		kind: doc.kind,
		locked: doc.lockedAt !== null,
		lockedAt: doc.lockedAt,
		lockedBy: doc.lockedBy ? { id: doc.lockedBy, name: doc.lockedByName } : null,
		createdAt: doc.createdAt,
		updatedAt: doc.updatedAt
	};
}

export async function create(db: Db, groupId: string, creatorId: string, input: { title: string; kind: DocumentKind }): Promise<Document> {
	const [row] = await db.sql<{ id: string }>`
		insert into documents (group_id, title, kind, created_by)
		values (${groupId}, ${input.title}, ${input.kind}, ${creatorId})
		returning id`;
	return get(db, row!.id);
}

/** A document by id; NOT_FOUND when it does not exist. Callers authorize through its group first. */
export async function get(db: Db, documentId: string): Promise<Document> {
	const [doc]: [Document?] = (await db.sql<Document>`
		select ${documentFields}
		from documents d left join users lu on lu.id = d.locked_by
		where d.id = ${documentId}`) as [Document?];
	if (!doc) throw notFound('Document not found');
	return doc;
}

/** The group a document belongs to, or null: the first step of every document authorization. */
export async function groupOf(db: Db, documentId: string): Promise<string | null> {
	const [row] = await db.sql<{ groupId: string }>`select group_id as "groupId" from documents where id = ${documentId}`;
	return row?.groupId ?? null;
}

export async function listOfGroup(db: Db, groupId: string): Promise<Document[]> {
	return db.sql<Document>`
		select ${documentFields}
		from documents d left join users lu on lu.id = d.locked_by
		where d.group_id = ${groupId}
		order by d.created_at`;
}

export async function rename(db: Db, documentId: string, title: string): Promise<void> {
	await db.sql`update documents set title = ${title}, updated_at = now() where id = ${documentId}`;
}

export async function setLocked(db: Db, documentId: string, userId: string, locked: boolean): Promise<Document> {
	if (locked) {
		await db.sql`
			update documents set locked_at = coalesce(locked_at, now()), locked_by = coalesce(locked_by, ${userId})
			where id = ${documentId}`;
	} else {
		await db.sql`update documents set locked_at = null, locked_by = null where id = ${documentId}`;
	}
	return get(db, documentId);
}

/** Stored Yjs content: the snapshot (if any) and the log after it, in order. */
export async function loadContent(db: Db, documentId: string): Promise<{ updates: Uint8Array[]; lastSeq: number; logLength: number }> {
	// One statement, so one view of the data: a compaction committing between two separate reads
	// would hide the rows it folded in from the log read while the old snapshot was already read.
	const rows = await db.sql<{ kind: number; bytes: Uint8Array; seq: string | number }>`
		with snapshot as (select state, last_seq from document_snapshots where document_id = ${documentId})
		select 0 as kind, state as bytes, last_seq as seq from snapshot
		union all
		select 1 as kind, update as bytes, seq from document_updates
		where document_id = ${documentId} and seq > coalesce((select last_seq from snapshot), 0)
		order by kind, seq`;
	const snapshot = rows.find((row) => Number(row.kind) === 0);
	const log = rows.filter((row) => Number(row.kind) === 1);
	const updates = rows.map((row) => new Uint8Array(row.bytes));
	const lastSeq = log.length ? Number(log[log.length - 1]!.seq) : snapshot ? Number(snapshot.seq) : 0;
	return { updates, lastSeq, logLength: log.length };
}

/** A Yjs client id and its author; `userId` null is the server itself. */
export type ClientOwner = { clientId: number; userId: string | null };

/**
 * Appends one (merged) update to the log; resolves with its sequence number once committed. The
 * client ids it introduces are bound to their authors in the same transaction, so an id is never
 * stored without its owner (which would leave it free for anyone to write under).
 */
export async function appendUpdate(db: Db, documentId: string, update: Uint8Array, owners: ClientOwner[] = []): Promise<number> {
	if (!owners.length) {
		const [row] = await db.sql<{ seq: string | number }>`
			insert into document_updates (document_id, update) values (${documentId}, ${update}) returning seq`;
		return Number(row!.seq);
	}
	return db.begin(async (sql) => {
		const [row] = await sql<{ seq: string | number }>`
			insert into document_updates (document_id, update) values (${documentId}, ${update}) returning seq`;
		for (const owner of owners) {
			await sql`
				insert into document_clients (document_id, client_id, user_id) values (${documentId}, ${owner.clientId}, ${owner.userId})
				on conflict (document_id, client_id) do nothing`;
		}
		return Number(row!.seq);
	});
}

/** Every bound client id of a document (BI-13). */
export async function loadOwners(db: Db, documentId: string): Promise<Map<number, string | null>> {
	const rows = await db.sql<{ client_id: string | number; user_id: string | null }>`
		select client_id, user_id from document_clients where document_id = ${documentId}`;
	return new Map(rows.map((row) => [Number(row.client_id), row.user_id]));
}

/**
 * Replaces the snapshot with `state` (which must contain every update up to `upToSeq`) and drops
 * those log rows, in one transaction: a crash leaves either the old pair or the new one. A snapshot
 * never goes back: one covering more of the log than `upToSeq` is kept.
 */
export async function compact(db: Db, documentId: string, state: Uint8Array, upToSeq: number): Promise<void> {
	await db.begin(async (sql) => {
		await sql`
			insert into document_snapshots (document_id, state, last_seq, updated_at)
			values (${documentId}, ${state}, ${upToSeq}, now())
			on conflict (document_id) do update set state = excluded.state, last_seq = excluded.last_seq, updated_at = now()
			where document_snapshots.last_seq <= excluded.last_seq`;
		await sql`delete from document_updates where document_id = ${documentId} and seq <= ${upToSeq}`;
	});
}

/** Who may change a document's text: nobody while it is locked, members and up otherwise. */
export function accessFor(doc: Pick<Document, 'lockedAt' | 'lockedByName'>, role: Role): AccessState {
	if (doc.lockedAt) return { canWrite: false, reason: 'locked', lockedByName: doc.lockedByName, role };
	if (!atLeast(role, 'member')) return { canWrite: false, reason: 'role', lockedByName: null, role };
	return { canWrite: true, reason: null, lockedByName: null, role };
}
