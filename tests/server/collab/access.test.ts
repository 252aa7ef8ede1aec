import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMessage, helloMessage, openEditor, openRaw, paragraphUpdate, syncUpdateMessage } from '../../helpers/collab';
import { ApiClient, newUser } from '../../helpers/client';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';

describe.each(backends())('who may open and change a document over /collab, on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;
	let documentId: string;

	beforeAll(async () => {
		server = await startServer(backend);
		roster = await seedGroup(server.url);
		documentId = await createDocument(roster.member, roster.groupId);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('an anonymous connection is closed 4401 before it learns anything', async () => {
		const raw = openRaw(server.url, null, `/collab/${documentId}`);
		expect(await raw.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED' });
		expect(raw.received).toEqual([]);
	});

	it('a stranger, an unknown uuid and a malformed path get the same close 4404 (AZ-30, AZ-35)', async () => {
		for (const path of [`/collab/${documentId}`, `/collab/${crypto.randomUUID()}`, '/collab/..%2f..%2fetc', `/collab/${'a'.repeat(10_000)}`]) {
			const raw = openRaw(server.url, roster.stranger, path);
			expect(await raw.closed).toEqual({ code: 4404, reason: 'NOT_FOUND' });
			expect(raw.received).toEqual([]);
		}
	});

	it('an upgrade from another origin is refused with 403 before any WebSocket exists (AZ-40)', async () => {
		const raw = openRaw(server.url, roster.member, `/collab/${documentId}`, { origin: 'https://evil.example' });
		await expect(raw.opened).rejects.toThrow('HTTP 403');
	});

	it("a participant's crafted update is refused, never relayed, and not stored (AZ-02)", async () => {
		const editor = openEditor(server.url, roster.member, documentId);
		await eventually(() => expect(editor.provider.synced).toBe(true));
		editor.type('Recommendation text by a member.');
		const raw = openRaw(server.url, roster.participant, `/collab/${documentId}`);
		await raw.opened;
		raw.send(helloMessage());
		raw.send(syncUpdateMessage(paragraphUpdate('Injected by a participant'), 2));
		raw.send(syncUpdateMessage(paragraphUpdate('Injected as sync step 2'), 1));
		await eventually(() => {
			const refusals = raw.received.map(describeMessage).filter((m) => m.type === 2);
			expect(refusals.map((m) => m.payload)).toEqual(['READ_ONLY', 'READ_ONLY']);
		});
		const watcher = openEditor(server.url, roster.observer, documentId);
		await eventually(() => expect(watcher.text()).toBe('Recommendation text by a member.'));
		expect(editor.text()).not.toContain('Injected');
		expect(raw.ws.readyState).toBe(raw.ws.OPEN);
		raw.ws.close();
		watcher.destroy();
		editor.destroy();
	});

	it('an observer whose stock client answers with an unchanged sync step 2 stays connected and receives live edits (AZ-21)', async () => {
		const warm = new Y.Doc();
		const first = openEditor(server.url, roster.observer, documentId, warm);
		await eventually(() => expect(first.provider.synced).toBe(true));
		first.provider.destroy();
		// Reconnect with the warm copy, as a browser with IndexedDB would.
		const observer = openEditor(server.url, roster.observer, documentId, warm);
		await eventually(() => expect(observer.provider.synced).toBe(true));
		const member = openEditor(server.url, roster.member2, documentId);
		await eventually(() => expect(member.provider.synced).toBe(true));
		member.type(' Live from member two.');
		await eventually(() => expect(observer.text()).toContain('Live from member two.'));
		expect(observer.provider.wsconnected).toBe(true);
		member.destroy();
		observer.destroy();
	});

	it('a member demoted to observer is refused on the next update, and promoted again may write (AZ-22)', async () => {
		const doc = await createDocument(roster.member, roster.groupId, 'Minutes', 'minutes');
		const raw = openRaw(server.url, roster.member2, `/collab/${doc}`);
		await raw.opened;
		raw.send(helloMessage());
		raw.send(syncUpdateMessage(paragraphUpdate('before demotion'), 2));
		const demote = await roster.organizer.patch(`/api/groups/${roster.groupId}/members/${roster.member2.user.id}`, { role: 'observer' });
		expect(demote.status).toBe(200);
		await eventually(() => {
			const access = raw.received.map(describeMessage).filter((m) => m.type === 100 && m.subtype === 2);
			expect(JSON.parse(access.at(-1)!.payload as string)).toMatchObject({ canWrite: false, reason: 'role' });
		});
		raw.send(syncUpdateMessage(paragraphUpdate('after demotion'), 2));
		await eventually(() => expect(raw.received.map(describeMessage).some((m) => m.type === 2 && m.payload === 'READ_ONLY')).toBe(true));
		await roster.organizer.patch(`/api/groups/${roster.groupId}/members/${roster.member2.user.id}`, { role: 'member' });
		await eventually(() => {
			const access = raw.received.map(describeMessage).filter((m) => m.type === 100 && m.subtype === 2);
			expect(JSON.parse(access.at(-1)!.payload as string)).toMatchObject({ canWrite: true });
		});
		const reader = openEditor(server.url, roster.observer, doc);
		await eventually(() => expect(reader.text()).toBe('before demotion'));
		reader.destroy();
		raw.ws.close();
	});

	it("an observer's local edits stay refused after the observer is promoted; a fresh copy may write (AZ-23)", async () => {
		const doc = await createDocument(roster.member, roster.groupId, 'Draft AZ-23', 'recommendations');
		const promoted = await newUser(server.url, 'Observer Then Member');
		expect((await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: promoted.user.email, role: 'observer' })).status).toBe(201);
		const stale = openEditor(server.url, promoted, doc);
		await eventually(() => expect(stale.provider.synced).toBe(true));
		// Awareness (our client id) reaches the server before the edit, as in a browser.
		await eventually(() => expect(stale.provider.awareness.getStates().size).toBeGreaterThan(0));
		const refusals: string[] = [];
		stale.provider.messageHandlers[2] = (_encoder, decoder) => {
			decoding.readVarUint(decoder); // permission denied
			refusals.push(decoding.readVarString(decoder));
		};
		await new Promise((resolve) => setTimeout(resolve, 200));
		stale.type('Typed while only an observer.');
		await eventually(() => expect(refusals).toContain('READ_ONLY'));

		const membership = await roster.organizer.patch(`/api/groups/${roster.groupId}/members/${promoted.user.id}`, { role: 'member' });
		expect(membership.status).toBe(200);
		// The same copy reconnects as a member: its sync step 2 re-sends the stale edit, which stays refused.
		stale.provider.disconnect();
		stale.provider.connect();
		await eventually(() => expect(refusals.filter((code) => code === 'READ_ONLY').length).toBeGreaterThanOrEqual(2));
		const fresh = openEditor(server.url, promoted, doc);
		await eventually(() => expect(fresh.provider.synced).toBe(true));
		fresh.type('Typed as a member.');
		const reader = openEditor(server.url, roster.observer, doc);
		await eventually(() => expect(reader.text()).toBe('Typed as a member.'));
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(reader.text()).not.toContain('observer');
		for (const editor of [stale, fresh, reader]) editor.destroy();
	});

	it('a member removed from the group is disconnected with 4404 (AZ-24)', async () => {
		const outsider = await import('../../helpers/client').then(({ newUser }) => newUser(server.url, 'Temporary member'));
		await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: outsider.user.email, role: 'member' });
		const raw = openRaw(server.url, outsider, `/collab/${documentId}`);
		await raw.opened;
		expect((await roster.organizer.delete(`/api/groups/${roster.groupId}/members/${outsider.user.id}`)).status).toBe(204);
		expect(await raw.closed).toEqual({ code: 4404, reason: 'NOT_FOUND' });
	});

	it('a member who leaves the group, or the whole event, is disconnected with 4404 at once (AZ-24, AZ-67)', async () => {
		const { newUser } = await import('../../helpers/client');
		for (const path of [`/api/groups/${roster.groupId}/members/me`, `/api/events/${roster.eventId}/members/me`]) {
			const leaver = await newUser(server.url, 'Leaving member');
			expect((await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: leaver.user.email, role: 'member' })).status).toBe(201);
			const raw = openRaw(server.url, leaver, `/collab/${documentId}`);
			await raw.opened;
			expect((await leaver.delete(path)).status).toBe(204);
			expect(await raw.closed).toEqual({ code: 4404, reason: 'NOT_FOUND' });
		}
	});

	it('a locked document refuses everyone, the moderator included, until unlocked (AZ-03)', async () => {
		const doc = await createDocument(roster.member, roster.groupId, 'Locked text', 'notes');
		const raw = openRaw(server.url, roster.moderator, `/collab/${doc}`);
		await raw.opened;
		raw.send(helloMessage());
		const participantLock = await roster.participant.put(`/api/documents/${doc}/lock`, { locked: true });
		expect(participantLock.status).toBe(403);
		const lock = await roster.moderator.put(`/api/documents/${doc}/lock`, { locked: true });
		expect(lock.status).toBe(200);
		expect(lock.body.document).toMatchObject({ locked: true, lockedBy: { name: 'Aigerim Bekova' } });
		await eventually(() => {
			const access = raw.received.map(describeMessage).filter((m) => m.type === 100 && m.subtype === 2);
			expect(JSON.parse(access.at(-1)!.payload as string)).toEqual({ canWrite: false, reason: 'locked', lockedByName: 'Aigerim Bekova', role: 'moderator' });
		});
		raw.send(syncUpdateMessage(paragraphUpdate('while locked'), 2));
		await eventually(() => expect(raw.received.map(describeMessage).some((m) => m.type === 2 && m.payload === 'LOCKED')).toBe(true));
		await roster.moderator.put(`/api/documents/${doc}/lock`, { locked: false });
		await eventually(() => {
			const access = raw.received.map(describeMessage).filter((m) => m.type === 100 && m.subtype === 2);
			expect(JSON.parse(access.at(-1)!.payload as string)).toMatchObject({ canWrite: true });
		});
		raw.send(syncUpdateMessage(paragraphUpdate('after unlock'), 2));
		const reader = openEditor(server.url, roster.observer, doc);
		await eventually(() => expect(reader.text()).toBe('after unlock'));
		reader.destroy();
		raw.ws.close();
	});

	it('walking through random document ids is answered 404, then 429 after 100 in a minute, on the API and on /collab (AZ-31)', async () => {
		const prober = await newUser(server.url, 'Prober');
		const statuses: number[] = [];
		for (let i = 0; i < 110; i++) statuses.push((await prober.get(`/api/documents/${crypto.randomUUID()}`)).status);
		expect(statuses.slice(0, 100).every((status) => status === 404)).toBe(true);
		expect(statuses.slice(100).every((status) => status === 429)).toBe(true);
		const raw = openRaw(server.url, prober, `/collab/${crypto.randomUUID()}`);
		expect(await raw.closed).toEqual({ code: 4429, reason: 'RATE_LIMITED' });
		// Someone else is not affected.
		expect((await roster.member.get(`/api/documents/${documentId}`)).status).toBe(200);
	});

	it('a logged-out session loses its collab connection (AZ-51)', async () => {
		const session = new ApiClient(server.url);
		expect((await session.post('/api/auth/login', { email: roster.member.user.email, password: 'correct horse battery' })).status).toBe(200);
		const raw = openRaw(server.url, session, `/collab/${documentId}`);
		await raw.opened;
		expect((await session.post('/api/auth/logout')).status).toBe(204);
		expect((await raw.closed).code).toBe(4401);
	});
});
