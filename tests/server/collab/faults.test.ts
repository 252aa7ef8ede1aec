import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBystander, paragraphsOf, sendMarker } from '../../helpers/bystander';
import type { ApiClient } from '../../helpers/client';
import { helloMessage, openEditor, openRaw, paragraphUpdate, syncUpdateMessage, type RawCollab } from '../../helpers/collab';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';

/**
 * A raw client that types tokens into its own paragraph and keeps the server's "saved"
 * acknowledgements (message 100/1): a token is acknowledged once the saved state vector covers it.
 */
type Typist = {
	raw: RawCollab;
	doc: Y.Doc;
	typed: { token: string; clock: number }[];
	savedClock: number;
	type(token: string): void;
	acked(): string[];
};

async function openTypist(baseUrl: string, client: ApiClient, documentId: string): Promise<Typist> {
	const raw = openRaw(baseUrl, client, `/collab/${documentId}`);
	const doc = new Y.Doc();
	doc.on('update', (update: Uint8Array) => {
		if (raw.ws.readyState === raw.ws.OPEN) raw.send(syncUpdateMessage(update, 2));
	});
	let text: Y.XmlText | null = null;
	const typist: Typist = {
		raw,
		doc,
		typed: [],
		savedClock: 0,
		type: (token) => {
			doc.transact(() => {
				if (!text) {
					const paragraph = new Y.XmlElement('paragraph');
					text = new Y.XmlText();
					paragraph.insert(0, [text]);
					doc.getXmlFragment('default').push([paragraph]);
				}
				text.insert(text.length, token);
			});
			typist.typed.push({ token, clock: Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID)! });
		},
		acked: () => typist.typed.filter((entry) => entry.clock <= typist.savedClock).map((entry) => entry.token)
	};
	raw.ws.on('message', (data) => {
		const decoder = decoding.createDecoder(new Uint8Array(data as Buffer));
		if (decoding.readVarUint(decoder) !== 100 || decoding.readVarUint(decoder) !== 1) return;
		typist.savedClock = Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(doc.clientID) ?? 0;
	});
	await raw.opened;
	raw.send(helloMessage());
	return typist;
}

const occurrences = (text: string, token: string) => text.split(token).length - 1;

describe.each(backends())('faults on /collab end with every acknowledged edit stored once, on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('SIGTERM while six clients type in two documents: they are closed 1012, the process exits 0, and every acknowledged token is stored (FT-03)', async () => {
		const first = await createDocument(roster.member, roster.groupId, 'Plenary minutes', 'minutes');
		const second = await createDocument(roster.member, roster.groupId, 'Recommendations', 'recommendations');
		const seats: [ApiClient, string][] = [
			[roster.member, first],
			[roster.member2, first],
			[roster.moderator, first],
			[roster.organizer, second],
			[roster.member, second],
			[roster.member2, second]
		];
		const typists = await Promise.all(seats.map(([client, documentId]) => openTypist(server.url, client, documentId)));
		const closes = typists.map((typist) => typist.raw.closed);
		let typing = true;
		// 20 tokens/s each: below the 30 messages/s limit.
		const loops = typists.map(async (typist, who) => {
			for (let n = 0; typing && typist.raw.ws.readyState === typist.raw.ws.OPEN; n++) {
				typist.type(`⟦${who}·${n}·әғқ⟧`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		});
		await eventually(() => expect(typists.every((typist) => typist.acked().length >= 5)).toBe(true), { timeoutMs: 15_000 });

		expect(await server.kill('SIGTERM')).toBe(0);
		expect(await Promise.all(closes)).toEqual(Array(6).fill({ code: 1012, reason: 'SERVER_SHUTTING_DOWN' }));
		typing = false;
		await Promise.all(loops);

		server = await restartServer(server, 'SIGTERM');
		for (const documentId of [first, second]) {
			const reader = openEditor(server.url, roster.observer, documentId);
			await eventually(() => expect(reader.provider.synced).toBe(true), { timeoutMs: 15_000 });
			const stored = paragraphsOf(reader.doc);
			typists.forEach((typist, who) => {
				if (seats[who]![1] !== documentId) return;
				for (const token of typist.acked()) expect(occurrences(reader.text(), token), token).toBe(1);
				// What reached the server in time is stored in order, without gaps: a prefix of what was typed.
				const all = typist.typed.map((entry) => entry.token).join('');
				const own = stored.find((paragraph) => paragraph.startsWith(`⟦${who}·0·`));
				expect(own).toBeDefined();
				expect(all.startsWith(own!)).toBe(true);
			});
			reader.destroy();
		}
	});

	it('the same update delivered three times shows once to others and is stored as if sent once (FT-11)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Duplicates', 'notes');
		const bystander = await openBystander(server.url, roster.observer, documentId);
		const mark = bystander.mark();
		const update = paragraphUpdate('Adopted by consensus.');
		const sender = openRaw(server.url, roster.member, `/collab/${documentId}`);
		await sender.opened;
		sender.send(syncUpdateMessage(update, 2));
		sender.send(syncUpdateMessage(update, 2));
		sender.send(syncUpdateMessage(update, 1));
		const again = openRaw(server.url, roster.member2, `/collab/${documentId}`);
		await again.opened;
		again.send(syncUpdateMessage(update, 2));
		const marker = await sendMarker(bystander, { baseUrl: server.url, member: roster.member, documentId });
		// One relay for the update, one for the marker: the duplicates caused nothing.
		expect(bystander.types.slice(mark).filter((type) => type === 0)).toHaveLength(2);
		expect(bystander.paragraphs().sort()).toEqual(['Adopted by consensus.', marker].sort());
		sender.ws.close();
		again.ws.close();

		// A graceful restart compacts: the snapshot is built from what the room holds.
		server = await restartServer(server, 'SIGTERM');
		const reader = openEditor(server.url, roster.observer, documentId);
		await eventually(() => expect(reader.provider.synced).toBe(true), { timeoutMs: 15_000 });
		expect(paragraphsOf(reader.doc)).toEqual(bystander.paragraphs());
		expect(Y.encodeStateVector(reader.doc)).toEqual(Y.encodeStateVector(bystander.doc));
		expect(Y.encodeStateAsUpdate(reader.doc)).toEqual(Y.encodeStateAsUpdate(bystander.doc));
		reader.destroy();
		bystander.close();
	});

	/** Two updates of one client where the second extends the text the first creates. */
	function twoUpdates(): [Uint8Array, Uint8Array] {
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (update: Uint8Array) => updates.push(update));
		const text = new Y.XmlText();
		doc.transact(() => {
			const paragraph = new Y.XmlElement('paragraph');
			paragraph.insert(0, [text]);
			doc.getXmlFragment('default').push([paragraph]);
			text.insert(0, 'Article 1.');
		});
		text.insert(text.length, ' Everyone is equal before the law.');
		return [updates[0]!, updates[1]!];
	}

	it('update 2 delivered before update 1: once update 1 arrives every client converges (FT-12)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Out of order', 'notes');
		const editor = openEditor(server.url, roster.member2, documentId);
		const bystander = await openBystander(server.url, roster.observer, documentId);
		await eventually(() => expect(editor.provider.synced).toBe(true));
		const [one, two] = twoUpdates();
		const sender = openRaw(server.url, roster.member, `/collab/${documentId}`);
		await sender.opened;
		sender.send(syncUpdateMessage(two, 2));
		const marker = await sendMarker(bystander, { baseUrl: server.url, member: roster.member2, documentId });
		expect(bystander.paragraphs()).toEqual([marker]);
		sender.send(syncUpdateMessage(one, 2));
		await eventually(() => {
			expect(bystander.paragraphs()).toContain('Article 1. Everyone is equal before the law.');
			expect(editor.text().split('\n').sort()).toEqual(bystander.paragraphs().sort());
		});
		sender.ws.close();
		editor.destroy();
		bystander.close();
	});

	it('update 2, then a graceful restart, then update 1: the early update was not dropped and all converge (FT-12)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Out of order across a restart', 'notes');
		const [one, two] = twoUpdates();
		const early = openRaw(server.url, roster.member, `/collab/${documentId}`);
		await early.opened;
		early.send(syncUpdateMessage(two, 2));
		// Asking for awareness on the same connection: update 2 has been handled once the answer is here.
		early.send(Uint8Array.of(3));
		await eventually(() => expect(early.received.some((bytes) => bytes[0] === 1)).toBe(true));

		server = await restartServer(server, 'SIGTERM');
		await expectConverges(documentId, one);
	});

	it('update 2 is committed to the log on its own, so even a SIGKILL before update 1 loses nothing (FT-12)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Out of order across a crash', 'notes');
		const [one, two] = twoUpdates();
		const early = openRaw(server.url, roster.member, `/collab/${documentId}`);
		await early.opened;
		early.send(helloMessage());
		early.send(syncUpdateMessage(two, 2));
		// The server says "saved" after each committed batch; this one held only update 2.
		await eventually(() => expect(early.received.some((bytes) => bytes[0] === 100 && bytes[1] === 1)).toBe(true));

		server = await restartServer(server, 'SIGKILL');
		await expectConverges(documentId, one);
	});

	async function expectConverges(documentId: string, one: Uint8Array): Promise<void> {
		const late = openRaw(server.url, roster.member, `/collab/${documentId}`);
		await late.opened;
		late.send(syncUpdateMessage(one, 2));
		const reader = openEditor(server.url, roster.observer, documentId);
		await eventually(() => expect(reader.text()).toBe('Article 1. Everyone is equal before the law.'), { timeoutMs: 15_000 });
		late.ws.close();
		reader.destroy();
	}
});
