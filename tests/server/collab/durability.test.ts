import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMessage, helloMessage, openEditor, openRaw, paragraphUpdate, syncUpdateMessage, type TestEditor } from '../../helpers/collab';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';

// Each typist writes unique tokens with Kazakh and Russian letters into its own paragraph.
const token = (who: number, n: number) => `⟦${who}·${n}·әғқңөұүһі·щЁ⟧`;

async function typeTokens(editor: TestEditor, who: number, count: number, everyMs: number): Promise<string[]> {
	const typed: string[] = [];
	for (let n = 0; n < count; n++) {
		const t = token(who, n);
		editor.type(t);
		typed.push(t);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
	return typed;
}

async function synced(...editors: TestEditor[]): Promise<void> {
	await eventually(() => expect(editors.every((e) => e.provider.synced)).toBe(true), { timeoutMs: 15_000 });
}

describe.each(backends())('nothing typed is lost, on %s', (backend) => {
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

	it('five clients typing at once converge, and what the server stored after a restart is the same text', async () => {
		const documentId = await createDocument(roster.member, roster.groupId);
		const people = [roster.member, roster.member2, roster.moderator, roster.organizer, roster.member];
		const editors = people.map((person) => openEditor(server.url, person, documentId));
		await synced(...editors);
		const typed = (await Promise.all(editors.map((editor, who) => typeTokens(editor, who, 40, 5)))).flat();
		await eventually(() => {
			const texts = editors.map((e) => e.text());
			expect(new Set(texts).size).toBe(1);
			for (const t of typed) expect(texts[0]).toContain(t);
		}, { timeoutMs: 15_000 });
		const converged = editors[0]!.text();
		editors.forEach((e) => e.destroy());

		server = await restartServer(server, 'SIGTERM');
		const fresh = openEditor(server.url, roster.observer, documentId);
		await synced(fresh);
		expect(fresh.text()).toBe(converged);
		for (const t of typed) expect(fresh.text().split(t).length - 1).toBe(1);
		fresh.destroy();
	});

	it('SIGKILL while five clients type: they reconnect by themselves and every character typed is stored exactly once (FT-01)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Minutes', 'minutes');
		const people = [roster.member, roster.member2, roster.moderator, roster.organizer, roster.member2];
		const editors = people.map((person) => openEditor(server.url, person, documentId));
		await synced(...editors);
		const typing = Promise.all(editors.map((editor, who) => typeTokens(editor, who, 60, 20)));
		await new Promise((resolve) => setTimeout(resolve, 400));
		server = await restartServer(server, 'SIGKILL');
		const typed = (await typing).flat();
		await eventually(() => {
			expect(editors.every((e) => e.provider.wsconnected && e.provider.synced)).toBe(true);
			const texts = editors.map((e) => e.text());
			expect(new Set(texts).size).toBe(1);
		}, { timeoutMs: 20_000 });
		// Stored: a client that never saw the edits loads them from the database after another restart.
		await new Promise((resolve) => setTimeout(resolve, 200));
		editors.forEach((e) => e.destroy());
		server = await restartServer(server, 'SIGTERM');
		const fresh = openEditor(server.url, roster.observer, documentId);
		await synced(fresh);
		for (const t of typed) expect(fresh.text().split(t).length - 1, t).toBe(1);
		fresh.destroy();
	});

	it('a client that edits while offline merges on reconnect, and nobody else loses text', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Notes', 'notes');
		const online = openEditor(server.url, roster.member, documentId);
		const travelling = openEditor(server.url, roster.member2, documentId);
		await synced(online, travelling);
		travelling.provider.disconnect();
		travelling.type('Written on the train: Қазақстан Республикасы.');
		online.type('Written in the room meanwhile.');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(online.text()).not.toContain('train');
		travelling.provider.connect();
		await eventually(() => {
			expect(online.text()).toContain('Written on the train: Қазақстан Республикасы.');
			expect(travelling.text()).toContain('Written in the room meanwhile.');
			expect(online.text()).toBe(travelling.text());
		});
		online.destroy();
		travelling.destroy();
	});

	it('"saved" comes only after commit, and whatever was acknowledged survives a SIGKILL right after (FT-01b)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Acked', 'notes');
		const raw = openRaw(server.url, roster.member, `/collab/${documentId}`);
		await raw.opened;
		raw.send(helloMessage());
		const doc = new Y.Doc();
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText('Adopted unanimously — бірауыздан қабылданды.')]);
		doc.getXmlFragment('default').push([paragraph]);
		raw.send(syncUpdateMessage(Y.encodeStateAsUpdate(doc), 2));
		const saved = await eventually(() => {
			const message = raw.received.map(describeMessage).find((m) => m.type === 100 && m.subtype === 1);
			expect(message).toBeDefined();
			return Y.decodeStateVector(message!.payload as Uint8Array);
		});
		expect(saved.get(doc.clientID)).toBe(Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID));
		server = await restartServer(server, 'SIGKILL');
		const fresh = openEditor(server.url, roster.observer, documentId);
		await synced(fresh);
		expect(fresh.text()).toBe('Adopted unanimously — бірауыздан қабылданды.');
		fresh.destroy();
	});

	it('1,000 random and truncated messages close only the offending connections; the server stays up and others keep syncing', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Fuzz', 'notes');
		const editor = openEditor(server.url, roster.member2, documentId);
		const reader = openEditor(server.url, roster.observer, documentId);
		await synced(editor, reader);
		const valid = syncUpdateMessage(paragraphUpdate('valid paragraph'), 2);
		let seed = 42;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		let sent = 0;
		while (sent < 1000) {
			const raw = openRaw(server.url, roster.member, `/collab/${documentId}`);
			await raw.opened;
			for (let i = 0; i < 100 && sent < 1000; i++, sent++) {
				const kind = random();
				let bytes: Uint8Array;
				if (kind < 0.4) bytes = valid.slice(0, Math.floor(random() * valid.length));
				else if (kind < 0.8) bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256));
				else bytes = Uint8Array.from([0, 2, ...Array.from({ length: 40 }, () => Math.floor(random() * 256))]);
				if (raw.ws.readyState === raw.ws.OPEN) raw.send(bytes);
			}
			raw.ws.close();
		}
		expect((await fetch(server.url + '/healthz')).status).toBe(200);
		editor.type('still syncing after the storm');
		await eventually(() => expect(reader.text()).toContain('still syncing after the storm'));
		editor.destroy();
		reader.destroy();
	});

	it("awareness shows the account's own name, whatever a client claims, and cannot remove someone else (BI-15, BI-16)", async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Presence', 'notes');
		const honest = openEditor(server.url, roster.member, documentId);
		const spoofer = openEditor(server.url, roster.participant, documentId);
		const watcher = openEditor(server.url, roster.observer, documentId);
		await synced(honest, spoofer, watcher);
		honest.provider.awareness.setLocalStateField('cursor', null);
		spoofer.provider.awareness.setLocalStateField('user', { name: 'Chair', role: 'moderator' });
		await eventually(() => {
			const names = [...watcher.provider.awareness.getStates().values()].map((s) => (s as { user?: { name: string } }).user?.name);
			expect(names).toContain('Ерлан Сұлтанов');
			expect(names).toContain('Dilnoza Karimova');
			expect(names).not.toContain('Chair');
		});
		honest.destroy();
		spoofer.destroy();
		watcher.destroy();
	});
});
