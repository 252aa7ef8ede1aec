import * as Y from 'yjs';
import { expect } from 'vitest';
import { limits } from '../../src/lib/protocol/api';
import { newUser, type ApiClient } from './client';
import { openEditor, type TestEditor } from './collab';
import { ask, liveSocket } from './live';
import { eventually } from './retry';

type User = ApiClient & { user: { id: string; email: string; name: string } };

/** `length` letters without a space or a hyphen anywhere: nothing a browser may break a line at. */
export function unbroken(prefix: string, length: number): string {
	return (prefix + 'Ы'.repeat(length)).slice(0, length);
}

export type LongWorld = {
	organizer: User;
	moderator: User;
	member: User;
	participant: User;
	eventId: string;
	groupId: string;
	documentId: string;
	sessionId: string;
	recommendationId: string;
	/** The writer's editor (keeps the text's recommendation on the server); destroy when done. */
	editor: TestEditor;
	names: { event: string; group: string; document: string; session: string; person: string };
};

/**
 * A seminar whose every name is as long as the server allows and unbroken (200 characters for
 * titles, 80 for people): the event, a group, a document holding a paragraph and a recommendation,
 * and a live session with a long agenda and a vote running on that recommendation. What a newcomer
 * pasted in issue 11; every page must still fit the window.
 */
export async function seedLongNames(baseUrl: string): Promise<LongWorld> {
	const names = {
		event: unbroken('Event', limits.title),
		group: unbroken('Group', limits.title),
		document: unbroken('Document', limits.title),
		session: unbroken('Session', limits.title),
		person: unbroken('Person', limits.name)
	};
	const organizer = await newUser(baseUrl, unbroken('Organizer', limits.name));
	const event = await organizer.post('/api/events', { title: names.event, venue: unbroken('Venue', limits.title), startsOn: '2026-12-08', endsOn: '2026-12-09' });
	expect(event.status).toBe(201);
	const eventId: string = event.body.event.id;
	const group = await organizer.post(`/api/events/${eventId}/groups`, { name: names.group });
	expect(group.status).toBe(201);
	const groupId: string = group.body.group.id;
	const people: Record<'moderator' | 'member' | 'participant', User> = {
		moderator: await newUser(baseUrl, unbroken('Moderator', limits.name)),
		member: await newUser(baseUrl, names.person),
		participant: await newUser(baseUrl, unbroken('Participant', limits.name))
	};
	for (const [role, person] of Object.entries(people)) {
		const added = await organizer.post(`/api/groups/${groupId}/members`, { email: person.user.email, role, delegation: unbroken('Delegation', limits.title) });
		expect(added.status).toBe(201);
	}
	const created = await people.member.post(`/api/groups/${groupId}/documents`, { title: names.document, kind: 'recommendations' });
	expect(created.status).toBe(201);
	const documentId: string = created.body.document.id;

	const recommendationId = crypto.randomUUID();
	const editor = openEditor(baseUrl, people.member, documentId);
	const fragment = editor.doc.getXmlFragment('default');
	editor.doc.transact(() => {
		const heading = new Y.XmlElement('heading');
		heading.setAttribute('level', 2 as never);
		heading.insert(0, [new Y.XmlText('Preamble')]);
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText(`The first line of the text. ${unbroken('Word', 120)}`)]);
		const recommendation = new Y.XmlElement('recommendation');
		recommendation.setAttribute('id', recommendationId);
		recommendation.setAttribute('status', 'draft');
		const inside = new Y.XmlElement('paragraph');
		inside.insert(0, [new Y.XmlText('Judges are appointed for life.')]);
		recommendation.insert(0, [inside]);
		fragment.push([heading, paragraph, recommendation]);
	});
	const check = openEditor(baseUrl, people.participant, documentId);
	await eventually(() => expect(check.text()).toContain('Judges are appointed'), { timeoutMs: 15_000 });
	check.destroy();

	const agenda = Array.from({ length: 8 }, (_, i) => ({ title: unbroken(`Item${i + 1}`, limits.title), plannedMinutes: 30 }));
	const session = await people.moderator.post(`/api/groups/${groupId}/sessions`, { title: names.session, agenda, documentIds: [documentId] });
	expect(session.status).toBe(201);
	const sessionId: string = session.body.session.id;
	const chair = await liveSocket(baseUrl, people.moderator);
	try {
		expect(await ask(chair, 'session:start', { sessionId })).toMatchObject({ ok: true });
		const state = (await ask(chair, 'session:join', { sessionId })).state;
		expect(await ask(chair, 'agenda:current', { sessionId, itemId: state.agenda[0].id })).toMatchObject({ ok: true });
		expect(await ask(chair, 'vote:open', { sessionId, documentId, recommendationId })).toMatchObject({ ok: true });
	} finally {
		chair.close();
	}
	return { organizer, ...people, eventId, groupId, documentId, sessionId, recommendationId, editor, names };
}
