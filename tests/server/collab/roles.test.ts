import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUntouchedSince, openBystander } from '../../helpers/bystander';
import { newUser } from '../../helpers/client';
import { describeMessage, helloMessage, openEditor, openRaw, paragraphUpdate, syncUpdateMessage } from '../../helpers/collab';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { restartServer, startServer, type RunningServer } from '../../helpers/server';

type Presence = { user?: { id: string; name: string; role: string } };

/** Rows of a document's update log and snapshot, read straight from PostgreSQL (null on PGlite, which the server holds locked). */
async function storedRows(server: RunningServer, documentId: string): Promise<{ updates: number; snapshots: number } | null> {
	if (!server.env.DATABASE_URL) return null;
	const sql = postgres(server.env.DATABASE_URL, { max: 1, onnotice: () => {} });
	try {
		const [row] = await sql<{ updates: number; snapshots: number }[]>`
			select (select count(*)::int from document_updates where document_id = ${documentId}) as updates,
				(select count(*)::int from document_snapshots where document_id = ${documentId}) as snapshots`;
		return row!;
	} finally {
		await sql.end();
	}
}

describe.each(backends())('what each role may do on /collab, on %s', (backend) => {
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

	it("every role opens the document, receives its content and everyone's presence under the account's own name (AZ-01, AZ-04)", async () => {
		const documentId = await createDocument(roster.organizer, roster.groupId, 'Agenda', 'notes');
		const writer = openEditor(server.url, roster.organizer, documentId);
		await eventually(() => expect(writer.provider.synced).toBe(true));
		writer.type('Item 1: adoption of the agenda — күн тәртібін бекіту.');
		const people = { moderator: roster.moderator, member: roster.member, participant: roster.participant, observer: roster.observer };
		const editors = Object.values(people).map((person) => openEditor(server.url, person, documentId));
		const everyone = [writer, ...editors];
		for (const editor of everyone) editor.provider.awareness.setLocalStateField('cursor', { anchor: 0 });
		const expected = [
			{ name: 'Elena Petrova', role: 'organizer' },
			{ name: 'Aigerim Bekova', role: 'moderator' },
			{ name: 'Dilnoza Karimova', role: 'member' },
			{ name: 'Ерлан Сұлтанов', role: 'participant' },
			{ name: 'Sophie Laurent', role: 'observer' }
		];
		await eventually(
			() => {
				everyone.forEach((editor, i) => {
					expect(editor.provider.synced).toBe(true);
					expect(editor.text()).toBe('Item 1: adoption of the agenda — күн тәртібін бекіту.');
					// Its own entry is local; everyone else's came through the server.
					const others = [...editor.provider.awareness.getStates()].filter(([clientId]) => clientId !== editor.doc.clientID);
					const seen = others.map(([, state]) => ({ name: (state as Presence).user?.name, role: (state as Presence).user?.role }));
					expect(seen).toHaveLength(expected.length - 1);
					expect(seen).toEqual(expect.arrayContaining(expected.filter((_, j) => j !== i)));
				});
			},
			{ timeoutMs: 15_000 }
		);
		for (const editor of everyone) editor.destroy();
	});

	for (const role of ['observer', 'participant'] as const) {
		it(`${role === 'observer' ? 'an' : 'a'} ${role} whose very first message, sent at open before the server's sync step 1, is a content-bearing sync step 2 changes nothing (AZ-20)`, async () => {
			const documentId = await createDocument(roster.member, roster.groupId, `First message of a ${role}`, 'notes');
			const writer = openRaw(server.url, roster.member, `/collab/${documentId}`);
			await writer.opened;
			writer.send(syncUpdateMessage(paragraphUpdate('Agreed text.'), 2));
			const bystander = await openBystander(server.url, roster.member2, documentId);
			await eventually(() => expect(bystander.paragraphs()).toEqual(['Agreed text.']));
			writer.ws.close();
			await eventually(async () => expect((await storedRows(server, documentId))?.updates ?? 1).toBe(1));
			const mark = bystander.mark();

			const raw = openRaw(server.url, roster[role], `/collab/${documentId}`);
			let receivedBeforeSending = -1;
			raw.ws.once('open', () => {
				receivedBeforeSending = raw.received.length;
				raw.send(syncUpdateMessage(paragraphUpdate(`Written by the ${role} at t=0`), 1));
			});
			await eventually(() => expect(raw.received.map(describeMessage).filter((m) => m.type === 2)).toEqual([{ type: 2, subtype: 0, payload: 'READ_ONLY' }]));
			expect(receivedBeforeSending).toBe(0);
			expect(raw.ws.readyState).toBe(raw.ws.OPEN);
			await expectUntouchedSince(bystander, mark, ['Agreed text.'], { baseUrl: server.url, member: roster.member, documentId });
			raw.ws.close();
			bystander.close();
			// Only the agreed text and the marker were ever written to the log.
			await eventually(async () => expect((await storedRows(server, documentId))?.updates ?? 2).toBe(2));

			server = await restartServer(server, 'SIGTERM');
			const reader = openEditor(server.url, roster.observer, documentId);
			await eventually(() => expect(reader.provider.synced).toBe(true), { timeoutMs: 15_000 });
			expect(reader.text()).not.toContain(role);
			expect(reader.text()).toContain('Agreed text.');
			reader.destroy();
		});
	}

	it('a member removed or demoted while their connection is still being authorized ends up closed or read-only (AZ-22, AZ-24)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Changed during the handshake', 'notes');
		for (let n = 0; n < 20; n++) {
			const person = await newUser(server.url, `Delegate ${n}`);
			expect((await roster.organizer.post(`/api/groups/${roster.groupId}/members`, { email: person.user.email, role: 'member' })).status).toBe(201);
			const raw = openRaw(server.url, person, `/collab/${documentId}`);
			let closed: { code: number; reason: string } | null = null;
			void raw.closed.then((close) => (closed = close));
			// The change lands while the server is still reading the session and the role.
			const change = await new Promise<number>((resolve) =>
				raw.ws.once('upgrade', () => {
					const request =
						n % 2 === 0
							? roster.organizer.delete(`/api/groups/${roster.groupId}/members/${person.user.id}`)
							: roster.organizer.patch(`/api/groups/${roster.groupId}/members/${person.user.id}`, { role: 'observer' });
					void request.then((response) => resolve(response.status));
				})
			);
			expect(change).toBe(n % 2 === 0 ? 204 : 200);
			if (n % 2 === 0) {
				await eventually(() => expect(closed).toEqual({ code: 4404, reason: 'NOT_FOUND' }), { timeoutMs: 10_000 });
				continue;
			}
			raw.send(helloMessage());
			await eventually(() => {
				const access = raw.received.map(describeMessage).filter((m) => m.type === 100 && m.subtype === 2);
				expect(JSON.parse(access.at(-1)!.payload as string)).toMatchObject({ canWrite: false, reason: 'role' });
			});
			raw.ws.close();
		}
	});

	it('a role claimed in the query string is ignored: an observer stays read-only, a member stays a writer (AZ-26)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Query string', 'notes');
		const bystander = await openBystander(server.url, roster.member2, documentId);
		const mark = bystander.mark();
		const claims = '?role=organizer&canWrite=true&readOnly=false&access=%7B%22canWrite%22%3Atrue%7D';
		const observer = openRaw(server.url, roster.observer, `/collab/${documentId}${claims}`);
		await observer.opened;
		observer.send(helloMessage());
		observer.send(syncUpdateMessage(paragraphUpdate('observer claiming to be an organizer'), 2));
		await eventually(() => {
			const messages = observer.received.map(describeMessage);
			const access = messages.find((m) => m.type === 100 && m.subtype === 2);
			expect(JSON.parse(access!.payload as string)).toEqual({ canWrite: false, reason: 'role', lockedByName: null, role: 'observer' });
			expect(messages.filter((m) => m.type === 2).map((m) => m.payload)).toEqual(['READ_ONLY']);
		});
		await expectUntouchedSince(bystander, mark, [], { baseUrl: server.url, member: roster.member, documentId });

		const member = openRaw(server.url, roster.member, `/collab/${documentId}?role=observer&readOnly=true&canWrite=false`);
		await member.opened;
		member.send(helloMessage());
		member.send(syncUpdateMessage(paragraphUpdate('member claiming to be read-only'), 2));
		await eventually(() => expect(bystander.paragraphs()).toContain('member claiming to be read-only'));
		const access = member.received.map(describeMessage).find((m) => m.type === 100 && m.subtype === 2);
		expect(JSON.parse(access!.payload as string)).toMatchObject({ canWrite: true });

		observer.ws.close();
		member.ws.close();
		bystander.close();
	});
});
