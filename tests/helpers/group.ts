import { expect } from 'vitest';
import { newUser, type ApiClient } from './client';

export type Roster = {
	eventId: string;
	groupId: string;
	organizer: ApiClient & { user: { id: string; email: string; name: string } };
	moderator: ApiClient & { user: { id: string; email: string; name: string } };
	member: ApiClient & { user: { id: string; email: string; name: string } };
	member2: ApiClient & { user: { id: string; email: string; name: string } };
	participant: ApiClient & { user: { id: string; email: string; name: string } };
	observer: ApiClient & { user: { id: string; email: string; name: string } };
	stranger: ApiClient & { user: { id: string; email: string; name: string } };
};

/** An event with one working group holding one person of each role, plus a stranger. */
export async function seedGroup(baseUrl: string): Promise<Roster> {
	const organizer = await newUser(baseUrl, 'Elena Petrova');
	const event = await organizer.post('/api/events', { title: 'Regional seminar on judicial reform' });
	expect(event.status).toBe(201);
	const group = await organizer.post(`/api/events/${event.body.event.id}/groups`, { name: 'Working group 1' });
	expect(group.status).toBe(201);
	const groupId: string = group.body.group.id;
	const people = {
		moderator: await newUser(baseUrl, 'Aigerim Bekova'),
		member: await newUser(baseUrl, 'Dilnoza Karimova'),
		member2: await newUser(baseUrl, 'Бакыт Токтогулов'),
		participant: await newUser(baseUrl, 'Ерлан Сұлтанов'),
		observer: await newUser(baseUrl, 'Sophie Laurent')
	};
	const roles = { moderator: 'moderator', member: 'member', member2: 'member', participant: 'participant', observer: 'observer' } as const;
	for (const [key, role] of Object.entries(roles)) {
		const person = people[key as keyof typeof people];
		const added = await organizer.post(`/api/groups/${groupId}/members`, { email: person.user.email, role });
		expect(added.status).toBe(201);
	}
	return { eventId: event.body.event.id, groupId, organizer, ...people, stranger: await newUser(baseUrl, 'Stranger') };
}

export async function createDocument(client: ApiClient, groupId: string, title = 'Recommendations', kind = 'recommendations'): Promise<string> {
	const response = await client.post(`/api/groups/${groupId}/documents`, { title, kind });
	expect(response.status).toBe(201);
	return response.body.document.id;
}
