import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, uniqueEmail, type ApiResponse } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';
import { addMember, eventWithGroup, membershipState } from '../../../helpers/world';

/**
 * Adding people by e-mail (issue 12 item 4): a roster of up to 500 addresses in one request, one
 * answer per address, and an allowance per adder that bounds how fast anyone can test which
 * addresses have accounts (the probe: 50 addresses in 0.7 s, without end).
 */

function expectRefused(response: ApiResponse, status: number, code: string, field?: string) {
	expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(status);
	expect(response.body.error).toMatchObject({ code, message: expect.any(String) });
	if (field) expect(response.body.error.fields, `fields.${field}`).toHaveProperty([field]);
}

const addresses = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => uniqueEmail(`${prefix}${i}-`));

describe.each(backends())('adding many people at once on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('answers 200 with one result per address in the order given: added, invited, already a member, declined (AZ-66)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const [newcomer, moderator, leaver] = await Promise.all([newUser(server.url, 'Ерлан Сұлтанов'), newUser(server.url, 'Chair'), newUser(server.url, 'Leaver')]);
		await addMember(organizer, group.id, moderator, 'moderator', 'Kyrgyzstan');
		await addMember(organizer, group.id, leaver, 'member');
		expect((await leaver.delete(`/api/groups/${group.id}/members/me`)).status).toBe(204);
		const unknown = uniqueEmail('nobody');
		const response = await organizer.post(`/api/groups/${group.id}/members`, {
			emails: [newcomer.user.email, unknown, moderator.user.email, leaver.user.email],
			role: 'participant',
			delegation: 'Қазақстан — Бас прокуратура'
		});
		expect(response.status, JSON.stringify(response.body)).toBe(200);
		expect(response.body.results).toEqual([
			{
				email: newcomer.user.email,
				status: 'added',
				membership: expect.objectContaining({ userId: newcomer.user.id, name: 'Ерлан Сұлтанов', role: 'participant', delegation: 'Қазақстан — Бас прокуратура' })
			},
			{ email: unknown, status: 'invited', invitation: expect.objectContaining({ email: unknown, role: 'participant', url: expect.stringMatching(/\/invite\/[a-z2-7]{32}$/) }) },
			{ email: moderator.user.email, status: 'already_member', membership: expect.objectContaining({ userId: moderator.user.id, role: 'moderator' }) },
			{ email: leaver.user.email, status: 'declined' }
		]);
		expect(response.body.results[1].invitation).not.toHaveProperty('token');
		const { members, invitations } = await membershipState(organizer, group.id);
		// A pasted roster never demotes anyone: the moderator keeps role and delegation.
		expect(members.find((m) => m.userId === moderator.user.id)).toMatchObject({ role: 'moderator', delegation: 'Kyrgyzstan' });
		expect(members.map((m) => m.userId).sort()).toEqual([newcomer.user.id, moderator.user.id].sort());
		expect(invitations.map((i) => i.email)).toEqual([unknown]);
		expect((await newcomer.get(`/api/groups/${group.id}`)).body.role).toBe('participant');
	});

	it('answers each address once, compared lower-cased (AZ-66)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const person = await newUser(server.url);
		const response = await organizer.post(`/api/groups/${group.id}/members`, {
			emails: [person.user.email, person.user.email.toUpperCase(), ` ${person.user.email} `],
			role: 'member'
		});
		expect(response.status).toBe(200);
		expect(response.body.results).toEqual([expect.objectContaining({ email: person.user.email, status: 'added' })]);
	});

	it('a roster of 500 fits the default allowance in one request, a second one too, and address 1,001 within the hour is refused 429 with Retry-After, adding nobody (AZ-66)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		for (const batch of ['a', 'b']) {
			const roster = await organizer.post(`/api/groups/${group.id}/members`, { emails: addresses(500, batch), role: 'participant' });
			expect(roster.status, JSON.stringify(roster.body).slice(0, 300)).toBe(200);
			expect(roster.body.results).toHaveLength(500);
			expect(roster.body.results.every((r: any) => r.status === 'invited')).toBe(true);
		}
		const before = await membershipState(organizer, group.id);
		expect(before.invitations).toHaveLength(1000);
		const person = await newUser(server.url);
		const one = await organizer.post(`/api/groups/${group.id}/members`, { email: person.user.email, role: 'member' });
		expectRefused(one, 429, 'RATE_LIMITED');
		const wait = Number(one.headers.get('retry-after'));
		expect(wait).toBeGreaterThan(55 * 60);
		expect(wait).toBeLessThanOrEqual(60 * 60);
		expectRefused(await organizer.post(`/api/groups/${group.id}/members`, { emails: [person.user.email], role: 'member' }), 429, 'RATE_LIMITED');
		expect(await membershipState(organizer, group.id)).toEqual(before);
		expect((await person.get('/api/me/notices')).body.notices).toEqual([]);
	}, 120_000);

	describe('bad input changes nothing (AZ-66, BI-36)', () => {
		it.each([
			['501 addresses', () => ({ emails: addresses(501, 'x'), role: 'member' }), 400, 'TOO_LONG', 'emails'],
			['601 addresses', () => ({ emails: addresses(601, 'x'), role: 'member' }), 400, 'TOO_LONG', 'emails'],
			['no addresses', () => ({ emails: [], role: 'member' }), 400, 'VALIDATION', 'emails'],
			['one bad address among good ones', () => ({ emails: [uniqueEmail(), 'not-an-email', uniqueEmail()], role: 'member' }), 400, 'VALIDATION', 'emails.1'],
			['an address of 300 characters', () => ({ emails: [`${'a'.repeat(290)}@example.org`], role: 'member' }), 400, 'TOO_LONG', 'emails.0'],
			['a number among the addresses', () => ({ emails: [uniqueEmail(), 42], role: 'member' }), 400, 'VALIDATION', 'emails.1'],
			['addresses as one string', () => ({ emails: `${uniqueEmail()}, ${uniqueEmail()}`, role: 'member' }), 400, 'VALIDATION', 'emails'],
			['addresses as an object', () => ({ emails: { 0: uniqueEmail() }, role: 'member' }), 400, 'VALIDATION', 'emails'],
			['null addresses', () => ({ emails: null, role: 'member' }), 400, 'VALIDATION', 'emails'],
			['both email and emails', () => ({ email: uniqueEmail(), emails: [uniqueEmail()], role: 'member' }), 400, 'VALIDATION', 'email'],
			['an unknown role', () => ({ emails: [uniqueEmail()], role: 'owner' }), 400, 'VALIDATION', 'role'],
			['no role', () => ({ emails: [uniqueEmail()] }), 400, 'VALIDATION', 'role'],
			['a delegation with a control character', () => ({ emails: [uniqueEmail()], role: 'member', delegation: 'Kazakhstan\u0007' }), 400, 'VALIDATION', 'delegation'],
			['an unknown field', () => ({ emails: [uniqueEmail()], role: 'member', notify: false }), 400, 'VALIDATION', 'notify']
		])('%s → %i %s naming the field; nobody is added or invited', async (_what, body, status, code, field) => {
			const { organizer, group } = await eventWithGroup(server.url);
			const known = await newUser(server.url);
			const sent = body() as Record<string, unknown>;
			// A known account leads every short list: it must not be added when the rest is refused.
			const shifted = Array.isArray(sent.emails) && sent.emails.length > 0 && sent.emails.length < 10;
			if (shifted) sent.emails = [known.user.email, ...(sent.emails as unknown[])];
			const named = shifted && field.startsWith('emails.') ? `emails.${Number(field.slice(7)) + 1}` : field;
			const before = await membershipState(organizer, group.id);
			expectRefused(await organizer.post(`/api/groups/${group.id}/members`, sent), status, code, named);
			expect(await membershipState(organizer, group.id)).toEqual(before);
			expect((await known.get(`/api/groups/${group.id}`)).status).toBe(404);
		});
	});
});

describe.each(backends())('the allowance per adder on %s (MEMBER_ADDITIONS_PER_ADDER=5)', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend, { env: { MEMBER_ADDITIONS_PER_ADDER: '5', MEMBER_ADDITION_WINDOW_MINUTES: '10' } });
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('counts every address, known or not, single or in a list; a request that does not fit is refused whole with Retry-After (AZ-66)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		const people = await Promise.all([1, 2, 3, 4].map((i) => newUser(server.url, `Delegate ${i}`)));
		expect((await organizer.post(`/api/groups/${group.id}/members`, { email: people[0]!.user.email, role: 'member' })).status).toBe(201);
		expect((await organizer.post(`/api/groups/${group.id}/members`, { email: uniqueEmail('unknown'), role: 'member' })).status).toBe(201);
		// The same person again still counts: re-adding is how a probe would repeat itself.
		expect((await organizer.post(`/api/groups/${group.id}/members`, { email: people[0]!.user.email, role: 'observer' })).status).toBe(200);
		const before = await membershipState(organizer, group.id);
		const tooMany = await organizer.post(`/api/groups/${group.id}/members`, { emails: people.slice(1).map((p) => p.user.email), role: 'member' });
		expectRefused(tooMany, 429, 'RATE_LIMITED');
		const wait = Number(tooMany.headers.get('retry-after'));
		expect(wait).toBeGreaterThan(9 * 60);
		expect(wait).toBeLessThanOrEqual(10 * 60);
		expect(await membershipState(organizer, group.id)).toEqual(before);
		// The refused list took nothing: the two left still fit.
		const fits = await organizer.post(`/api/groups/${group.id}/members`, { emails: people.slice(1, 3).map((p) => p.user.email), role: 'member' });
		expect(fits.status).toBe(200);
		expect(fits.body.results.map((r: any) => r.status)).toEqual(['added', 'added']);
		expectRefused(await organizer.post(`/api/groups/${group.id}/members`, { email: people[3]!.user.email, role: 'member' }), 429, 'RATE_LIMITED');
		expect((await people[3]!.get(`/api/groups/${group.id}`)).status).toBe(404);
	});

	it('is kept per adder: another organizer, or a moderator, has an allowance of their own (AZ-66)', async () => {
		const first = await eventWithGroup(server.url);
		const second = await eventWithGroup(server.url);
		const moderator = await newUser(server.url, 'Chair');
		await addMember(first.organizer, first.group.id, moderator, 'moderator');
		expect((await first.organizer.post(`/api/groups/${first.group.id}/members`, { emails: addresses(4, 'f'), role: 'observer' })).status).toBe(200);
		expectRefused(await first.organizer.post(`/api/groups/${first.group.id}/members`, { email: uniqueEmail(), role: 'observer' }), 429, 'RATE_LIMITED');
		expect((await second.organizer.post(`/api/groups/${second.group.id}/members`, { emails: addresses(5, 's'), role: 'observer' })).status).toBe(200);
		expect((await moderator.post(`/api/groups/${first.group.id}/members`, { emails: addresses(5, 'm'), role: 'observer' })).status).toBe(200);
	});

	it('a list longer than the whole allowance is refused 400 (no wait would make it fit), taking nothing (AZ-66)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		expectRefused(await organizer.post(`/api/groups/${group.id}/members`, { emails: addresses(6, 'big'), role: 'observer' }), 400, 'VALIDATION', 'emails');
		expect((await membershipState(organizer, group.id)).invitations).toEqual([]);
		expect((await organizer.post(`/api/groups/${group.id}/members`, { emails: addresses(5, 'ok'), role: 'observer' })).status).toBe(200);
	});

	it('refused input takes nothing from the allowance (AZ-66)', async () => {
		const { organizer, group } = await eventWithGroup(server.url);
		for (let i = 0; i < 8; i++) {
			expect((await organizer.post(`/api/groups/${group.id}/members`, { emails: [uniqueEmail(), 'broken'], role: 'member' })).status).toBe(400);
		}
		expect((await organizer.post(`/api/groups/${group.id}/members`, { emails: addresses(5, 'after'), role: 'member' })).status).toBe(200);
	});
});
