import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';
import { addGroup, addMember, eventWithGroup } from '../../../helpers/world';

describe.each(backends())('events and groups on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('creating an event answers 201 with every field, and the creator is its organizer', async () => {
		const organizer = await newUser(server.url, 'Organizer');
		const created = await organizer.post('/api/events', {
			title: 'Региональный семинар судей — Астана 2026',
			startsOn: '2026-05-12',
			endsOn: '2026-05-14',
			venue: 'Астана, Жоғарғы Сот ғимараты',
			languages: ['kk', 'ru', 'en']
		});
		expect(created.status).toBe(201);
		expect(created.body.event).toEqual({
			id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			title: 'Региональный семинар судей — Астана 2026',
			startsOn: '2026-05-12',
			endsOn: '2026-05-14',
			venue: 'Астана, Жоғарғы Сот ғимараты',
			languages: ['kk', 'ru', 'en'],
			createdAt: expect.any(String)
		});
		const read = await organizer.get(`/api/events/${created.body.event.id}`);
		expect(read.status).toBe(200);
		expect(read.body).toMatchObject({ event: created.body.event, organizer: true, groups: [] });
	});

	it('an event with only a title gets empty optional fields', async () => {
		const organizer = await newUser(server.url);
		const created = await organizer.post('/api/events', { title: 'Minimal' });
		expect(created.status).toBe(201);
		expect(created.body.event).toMatchObject({ title: 'Minimal', startsOn: null, endsOn: null, venue: null, languages: [] });
	});

	it('a one-day event (endsOn equal to startsOn) is accepted', async () => {
		const organizer = await newUser(server.url);
		const created = await organizer.post('/api/events', { title: 'One day', startsOn: '2026-02-28', endsOn: '2026-02-28' });
		expect(created.status).toBe(201);
	});

	it('GET /api/events lists the events a user organizes or attends, with the groups they can open, and no others', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url, 'Listed event');
		const second = await addGroup(organizer, event.id, 'Working group 2');
		const attendee = await newUser(server.url, 'Attendee');
		await addMember(organizer, group.id, attendee, 'participant');
		const outsider = await newUser(server.url, 'Outsider');

		const organizerList = (await organizer.get('/api/events')).body.events;
		expect(organizerList).toHaveLength(1);
		expect(organizerList[0]).toMatchObject({ id: event.id, organizer: true });
		expect(organizerList[0].groups.map((g: any) => [g.id, g.role])).toEqual([
			[group.id, 'organizer'],
			[second.id, 'organizer']
		]);

		const attendeeList = (await attendee.get('/api/events')).body.events;
		expect(attendeeList).toHaveLength(1);
		expect(attendeeList[0]).toMatchObject({ id: event.id, organizer: false });
		expect(attendeeList[0].groups).toEqual([{ id: group.id, name: 'Working group 1', role: 'participant', memberCount: 1 }]);

		expect((await outsider.get('/api/events')).body.events).toEqual([]);
	});

	it('GET /api/events without a session answers 401', async () => {
		expect((await new ApiClient(server.url).get('/api/events')).status).toBe(401);
	});

	it('creating a group answers 201 and the event shows it with its member count', async () => {
		const { organizer, event } = await eventWithGroup(server.url);
		const created = await organizer.post(`/api/events/${event.id}/groups`, { name: 'Жұмыс тобы №2 — Сот төрелігі' });
		expect(created.status).toBe(201);
		expect(created.body.group).toMatchObject({ eventId: event.id, name: 'Жұмыс тобы №2 — Сот төрелігі' });
		const read = await organizer.get(`/api/events/${event.id}`);
		expect(read.body.groups.map((g: any) => g.name)).toEqual(['Working group 1', 'Жұмыс тобы №2 — Сот төрелігі']);
		expect(read.body.groups.every((g: any) => g.memberCount === 0)).toBe(true);
	});

	it('GET /api/groups/:id shows the group with its event title and the caller’s role', async () => {
		const { organizer, event, group } = await eventWithGroup(server.url, 'Семинар');
		const read = await organizer.get(`/api/groups/${group.id}`);
		expect(read.status).toBe(200);
		expect(read.body).toMatchObject({
			group: { id: group.id, eventId: event.id, eventTitle: 'Семинар', name: 'Working group 1' },
			role: 'organizer',
			members: [],
			invitations: []
		});
	});

	it('an uppercase spelling of a known event id names the same event', async () => {
		const { organizer, event } = await eventWithGroup(server.url);
		const read = await organizer.get(`/api/events/${event.id.toUpperCase()}`);
		expect(read.status).toBe(200);
		expect(read.body.event.id).toBe(event.id);
	});

	it('creating many events at once from one organizer creates each exactly once', async () => {
		const organizer = await newUser(server.url);
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => organizer.post('/api/events', { title: `Parallel ${i}` })));
		expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
		const listed = (await organizer.get('/api/events')).body.events.map((e: any) => e.title).sort();
		expect(listed).toEqual(Array.from({ length: 20 }, (_, i) => `Parallel ${i}`).sort());
	});
});
