import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paragraphsOf } from '../../helpers/bystander';
import type { ApiClient } from '../../helpers/client';
import { helloMessage, openEditor, openRaw, paragraphUpdate, syncUpdateMessage, type RawCollab } from '../../helpers/collab';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { eventually } from '../../helpers/retry';
import { smallEdits } from '../../helpers/rooms';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';
import { openPglite } from '../../../src/lib/server/db/pglite';
import { openPostgres } from '../../../src/lib/server/db/postgres';

/** A member's raw connection, authorized (the server's sync step 1 arrived) and opted in to "saved". */
async function openWriter(baseUrl: string, client: ApiClient, documentId: string): Promise<RawCollab> {
	const raw = openRaw(baseUrl, client, `/collab/${documentId}`);
	await raw.opened;
	raw.send(helloMessage());
	await eventually(() => expect(raw.received.length).toBeGreaterThan(0), { intervalMs: 5 });
	return raw;
}

/** The one client of a single-client update and the clock it reaches. */
function reach(update: Uint8Array): [number, number] {
	return [...Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))][0]!;
}

/** Resolves once a "saved" message covers `clock` of `clientId`. */
async function savedUpTo(raw: RawCollab, clientId: number, clock: number): Promise<void> {
	await eventually(
		() => {
			const covered = raw.received.some((bytes) => {
				if (bytes[0] !== 100 || bytes[1] !== 1) return false;
				const decoder = decoding.createDecoder(bytes.subarray(2));
				return (Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(clientId) ?? 0) >= clock;
			});
			expect(covered).toBe(true);
		},
		{ timeoutMs: 10_000, intervalMs: 5 }
	);
}

/** The whole document as an observer's sync step 1 gets it back. */
async function contentOf(baseUrl: string, client: ApiClient, documentId: string): Promise<Y.Doc> {
	const raw = openRaw(baseUrl, client, `/collab/${documentId}`);
	await raw.opened;
	const step1 = encoding.createEncoder();
	encoding.writeVarUint(step1, 0);
	encoding.writeVarUint(step1, 0);
	encoding.writeVarUint8Array(step1, new Uint8Array([0]));
	raw.send(encoding.toUint8Array(step1));
	const step2 = await eventually(() => {
		const message = raw.received.find((bytes) => bytes[0] === 0 && bytes[1] === 1);
		expect(message).toBeDefined();
		return message!;
	});
	raw.ws.close();
	const doc = new Y.Doc();
	Y.applyUpdate(doc, decoding.readVarUint8Array(decoding.createDecoder(step2.subarray(2))));
	return doc;
}

/** Size of the stored snapshot and rows left in the log, read from the database once the server has stopped. */
async function storedSizes(server: RunningServer, documentId: string): Promise<{ snapshotBytes: number; logRows: number }> {
	const db = server.env.DATABASE_URL ? await openPostgres(server.env.DATABASE_URL) : await openPglite(server.env.DATA_DIR!);
	try {
		const [row] = await db.sql<{ snapshotBytes: number | null; logRows: number }>`
			select (select octet_length(state) from document_snapshots where document_id = ${documentId}) as "snapshotBytes",
				(select count(*)::int from document_updates where document_id = ${documentId}) as "logRows"`;
		return { snapshotBytes: Number(row!.snapshotBytes ?? 0), logRows: Number(row!.logRows) };
	} finally {
		await db.close();
	}
}

describe.each(backends())('documents are loaded, stored and unloaded over their life, on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;

	beforeAll(async () => {
		server = await startServer(backend, { env: { COLLAB_UNLOAD_DELAY_MS: '0' } });
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('300 documents opened, edited and closed one after another are all stored (LD-04)', async () => {
		const ids: string[] = [];
		for (let n = 0; n < 300; n++) ids.push(await createDocument(roster.organizer, roster.groupId, `Session note ${n}`, 'notes'));
		for (const [n, documentId] of ids.entries()) {
			const raw = await openWriter(server.url, roster.member, documentId);
			const update = paragraphUpdate(`Note ${n}`);
			raw.send(syncUpdateMessage(update, 2));
			await savedUpTo(raw, ...reach(update));
			raw.ws.close();
			await raw.closed;
		}
		expect((await fetch(server.url + '/healthz')).status).toBe(200);
		server = await restartServer(server, 'SIGTERM');
		for (let start = 0; start < ids.length; start += 25) {
			const docs = await Promise.all(ids.slice(start, start + 25).map((documentId) => contentOf(server.url, roster.observer, documentId)));
			docs.forEach((doc, i) => expect(paragraphsOf(doc)).toEqual([`Note ${start + i}`]));
		}
	}, 180_000);

	it('one document closed and reopened at once, 60 times, keeps and stores every edit (LD-04)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Reopened', 'notes');
		const typed: string[] = [];
		for (let n = 0; n < 60; n++) {
			const raw = await openWriter(server.url, n % 2 ? roster.member : roster.member2, documentId);
			const update = paragraphUpdate(`Visit ${n}`);
			raw.send(syncUpdateMessage(update, 2));
			typed.push(`Visit ${n}`);
			await savedUpTo(raw, ...reach(update));
			raw.ws.close();
		}
		const doc = await contentOf(server.url, roster.observer, documentId);
		expect(paragraphsOf(doc).sort()).toEqual([...typed].sort());
	}, 120_000);

	it('a document built from 20,000 small edits is compacted into a snapshot smaller than the edits and loads whole (LD-07)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Long recommendations', 'recommendations');
		const { doc, updates } = smallEdits(20_000);
		// The clock each edit brings the client to (a deletion adds no struct and keeps the clock).
		const clocks: number[] = [];
		for (const update of updates) clocks.push(Math.max(clocks.at(-1) ?? 0, Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)).get(doc.clientID) ?? 0));
		// 90 edits per connection stays within the burst of 100 messages; each batch is acknowledged before the next.
		for (let start = 0; start < updates.length; start += 90) {
			const raw = await openWriter(server.url, roster.member, documentId);
			for (const update of updates.slice(start, start + 90)) raw.send(syncUpdateMessage(update, 2));
			await savedUpTo(raw, doc.clientID, clocks[Math.min(start + 90, updates.length) - 1]!);
			raw.ws.close();
			await raw.closed;
		}
		const sum = updates.reduce((total, update) => total + update.byteLength, 0);

		expect(await server.kill('SIGTERM')).toBe(0);
		const stored = await storedSizes(server, documentId);
		expect(stored.logRows).toBe(0);
		expect(stored.snapshotBytes).toBeGreaterThan(0);
		expect(stored.snapshotBytes).toBeLessThan(sum);

		server = await restartServer(server, 'SIGTERM');
		const reader = openEditor(server.url, roster.observer, documentId);
		await eventually(() => expect(reader.provider.synced).toBe(true), { timeoutMs: 15_000 });
		expect(paragraphsOf(reader.doc)).toEqual(paragraphsOf(doc));
		reader.destroy();
	}, 180_000);
});
