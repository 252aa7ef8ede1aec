import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail, type ApiResponse } from '../../helpers/client';
import { startServer, type RunningServer } from '../../helpers/server';
import { backends } from '../../helpers/services';
import { addMember, eventWithGroup, membershipState, type User } from '../../helpers/world';

const password = 'correct horse battery';
const MiB = 1024 * 1024;

/** A refusal with the error contract: the status, a known code, a message, and the named fields. */
function expectRefused(response: ApiResponse, status: number, code: string, fields: string[] = []) {
	expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(status);
	expect(response.headers.get('content-type')).toMatch(/^application\/json/);
	expect(response.body.error).toMatchObject({ code, message: expect.any(String) });
	for (const field of fields) expect(response.body.error.fields, `fields.${field}`).toHaveProperty([field]);
}

const sessionSetCookies = (response: ApiResponse) => response.headers.getSetCookie().filter((c) => c.startsWith('plenary_session='));

describe.each(backends())('bad input to the JSON API on %s', (backend) => {
	let server: RunningServer;
	let organizer: User;
	let eventsBefore: unknown;
	beforeAll(async () => {
		server = await startServer(backend);
		organizer = await newUser(server.url, 'Organizer');
		expect((await organizer.post('/api/events', { title: 'The only event' })).status).toBe(201);
		eventsBefore = (await organizer.get('/api/events')).body;
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	/** The "nothing changed" check for refused event writes: the organizer's events read the same. */
	async function expectEventsUnchanged() {
		expect((await organizer.get('/api/events')).body).toEqual(eventsBefore);
	}

	describe('login and registration (BI-32, BI-33)', () => {
		it('a login without a password answers 400 VALIDATION naming password, and sets no session cookie (BI-32)', async () => {
			const user = await newUser(server.url);
			const client = new ApiClient(server.url);
			const response = await client.post('/api/auth/login', { email: user.user.email });
			expectRefused(response, 400, 'VALIDATION', ['password']);
			expect(sessionSetCookies(response)).toEqual([]);
			expect(client.sessionCookie).toBeUndefined();
		});

		it.each([
			['an array', []],
			['an object', { $ne: null }],
			['a number', 42],
			['null', null],
			['an array of e-mails', ['a@example.org', 'b@example.org']]
		])('a login whose email is %s answers 400 VALIDATION naming email, and sets no session cookie (BI-32)', async (_what, email) => {
			const client = new ApiClient(server.url);
			const response = await client.post('/api/auth/login', { email, password });
			expectRefused(response, 400, 'VALIDATION', ['email']);
			expect(sessionSetCookies(response)).toEqual([]);
		});

		it('a login with an empty object answers 400 naming both fields', async () => {
			const response = await new ApiClient(server.url).post('/api/auth/login', {});
			expectRefused(response, 400, 'VALIDATION', ['email', 'password']);
		});

		it('a 1 MB password at login answers 400 TOO_LONG quickly, without a session (BI-33)', async () => {
			const user = await newUser(server.url);
			const body = JSON.stringify({ email: user.user.email, password: 'p'.repeat(1_000_000) });
			const started = performance.now();
			const response = await new ApiClient(server.url).request('POST', '/api/auth/login', {
				body,
				headers: { 'content-type': 'application/json' }
			});
			const elapsed = performance.now() - started;
			expectRefused(response, 400, 'TOO_LONG', ['password']);
			expect(sessionSetCookies(response)).toEqual([]);
			// The bound is loose for slow CI machines; that no argon2 run happens is shown in
			// login-limits.test.ts (oversized bodies do not count as failures).
			expect(elapsed).toBeLessThan(500);
		});

		it('a 1 MB password at registration answers 400 TOO_LONG and creates no account (BI-33)', async () => {
			const email = uniqueEmail();
			const response = await new ApiClient(server.url).request('POST', '/api/auth/register', {
				body: JSON.stringify({ email, password: 'p'.repeat(1_000_000), name: 'Big' }),
				headers: { 'content-type': 'application/json' }
			});
			expectRefused(response, 400, 'TOO_LONG', ['password']);
			expect((await new ApiClient(server.url).post('/api/auth/register', { email, password, name: 'Big' })).status).toBe(201);
		});

		it('a password of 257 characters is refused at registration and 256 is accepted', async () => {
			const tooLong = await new ApiClient(server.url).post('/api/auth/register', { email: uniqueEmail(), password: 'p'.repeat(257), name: 'X' });
			expectRefused(tooLong, 400, 'TOO_LONG', ['password']);
			const longest = await new ApiClient(server.url).post('/api/auth/register', { email: uniqueEmail(), password: 'ә'.repeat(256), name: 'X' });
			expect(longest.status).toBe(201);
		});

		it.each([
			['without an @', 'not-an-email', 'VALIDATION'],
			['with nothing after the @', 'someone@', 'VALIDATION'],
			['with a space inside', 'some one@example.org', 'VALIDATION'],
			['of 255 characters', 'a'.repeat(243) + '@example.org', 'TOO_LONG']
		])('an e-mail address %s is refused at registration with 400 naming email, and no account is created', async (_what, email, code) => {
			const client = new ApiClient(server.url);
			expectRefused(await client.post('/api/auth/register', { email, password, name: 'Nobody' }), 400, code, ['email']);
			expect(client.sessionCookie).toBeUndefined();
		});

		it('an unknown field at registration answers 400 VALIDATION naming it, and no account is created', async () => {
			const email = uniqueEmail();
			const response = await new ApiClient(server.url).post('/api/auth/register', { email, password, name: 'Sneaky', isAdmin: true });
			expectRefused(response, 400, 'VALIDATION', ['isAdmin']);
			expect(response.body.error.fields.isAdmin).toBe('unknown field');
			expect((await new ApiClient(server.url).post('/api/auth/login', { email, password })).status).toBe(401);
		});

		it.each([
			['empty', ''],
			['only spaces', '   '],
			['a bell character', 'Ada\u0007'],
			['a newline', 'Ada\nLovelace'],
			['81 characters', 'ә'.repeat(81)]
		])('a name that is %s is refused at registration with 400 naming name', async (_what, name) => {
			const response = await new ApiClient(server.url).post('/api/auth/register', { email: uniqueEmail(), password, name });
			expect(response.status).toBe(400);
			expect(response.body.error.fields).toHaveProperty('name');
		});
	});

	describe('bodies', () => {
		it.each([
			['cut off', '{"title": "Semin'],
			['single-quoted', "{'title': 'Seminar'}"],
			['empty', ''],
			['with a trailing comma', '{"title": "Seminar",}']
		])('a body that is not JSON (%s) answers 400 INVALID_JSON and creates nothing', async (_what, body) => {
			const response = await organizer.request('POST', '/api/events', { body, headers: { 'content-type': 'application/json' } });
			expectRefused(response, 400, 'INVALID_JSON');
			await expectEventsUnchanged();
		});

		it.each([
			['null', 'null'],
			['an array', '[{"title": "Seminar"}]'],
			['a string', '"Seminar"'],
			['a number', '1e400'],
			['nested 100,000 levels deep', '['.repeat(100_000) + ']'.repeat(100_000)]
		])('a JSON body that is %s instead of an object answers 400 VALIDATION, never a 500', async (_what, body) => {
			const response = await organizer.request('POST', '/api/events', { body, headers: { 'content-type': 'application/json' } });
			expectRefused(response, 400, 'VALIDATION');
			await expectEventsUnchanged();
		});

		it.each([
			['text/plain', 'text/plain'],
			['no content type', undefined],
			['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
			['application/jsonx', 'application/jsonx'],
			['text/json', 'text/json']
		])('a same-site body sent as %s answers 415 UNSUPPORTED_MEDIA_TYPE and creates nothing', async (_what, type) => {
			const headers: Record<string, string> = type ? { 'content-type': type } : {};
			const response = await organizer.request('POST', '/api/events', { body: '{"title":"Wrong type"}', headers });
			expectRefused(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
			await expectEventsUnchanged();
		});

		it('application/json with a charset parameter and in upper case is accepted', async () => {
			const user = await newUser(server.url);
			for (const type of ['application/json; charset=utf-8', 'APPLICATION/JSON']) {
				const response = await user.request('POST', '/api/events', { body: '{"title":"Typed"}', headers: { 'content-type': type } });
				expect(response.status, type).toBe(201);
			}
		});

		it('a body of 1 MiB + 1 byte answers 413 PAYLOAD_TOO_LARGE and creates nothing', async () => {
			const prefix = '{"title":"';
			const suffix = '"}';
			const body = prefix + 'x'.repeat(MiB + 1 - prefix.length - suffix.length) + suffix;
			expect(Buffer.byteLength(body)).toBe(MiB + 1);
			const response = await organizer.request('POST', '/api/events', { body, headers: { 'content-type': 'application/json' } });
			expectRefused(response, 413, 'PAYLOAD_TOO_LARGE');
			await expectEventsUnchanged();
		});

		it('a body of exactly 1 MiB is read and judged by its content (400 TOO_LONG for the title, not 413)', async () => {
			const prefix = '{"title":"';
			const suffix = '"}';
			const body = prefix + 'x'.repeat(MiB - prefix.length - suffix.length) + suffix;
			expect(Buffer.byteLength(body)).toBe(MiB);
			const response = await organizer.request('POST', '/api/events', { body, headers: { 'content-type': 'application/json' } });
			expectRefused(response, 400, 'TOO_LONG', ['title']);
		});

		it('a 5 MiB body answers 413 PAYLOAD_TOO_LARGE, and the server keeps answering', async () => {
			const body = JSON.stringify({ title: 'x'.repeat(5 * MiB) });
			const response = await organizer.request('POST', '/api/events', { body, headers: { 'content-type': 'application/json' } });
			expectRefused(response, 413, 'PAYLOAD_TOO_LARGE');
			expect((await fetch(server.url + '/healthz')).status).toBe(200);
			await expectEventsUnchanged();
		});

		it('a 2 MiB body streamed without Content-Length (chunked) answers 413 PAYLOAD_TOO_LARGE', async () => {
			const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
			let sent = 0;
			const stream = new ReadableStream<Uint8Array>({
				start(controller) {
					controller.enqueue(new TextEncoder().encode('{"title":"'));
				},
				pull(controller) {
					if (sent >= 2 * MiB) {
						controller.enqueue(new TextEncoder().encode('"}'));
						controller.close();
						return;
					}
					sent += chunk.byteLength;
					controller.enqueue(chunk);
				}
			});
			const response = await fetch(server.url + '/api/events', {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: server.url, cookie: organizer.cookieHeader() },
				body: stream,
				duplex: 'half'
			} as RequestInit);
			expect(response.status).toBe(413);
			expect((await response.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
			await expectEventsUnchanged();
		});

		it.each([
			['anonymous, 900 KB', 900_000, 'application/json', false, 401, 'UNAUTHENTICATED'],
			['as text/plain, 900 KB', 900_000, 'text/plain', true, 415, 'UNSUPPORTED_MEDIA_TYPE'],
			['anonymous, 5 MiB', 5 * MiB, 'application/json', false, 401, 'UNAUTHENTICATED']
		])('an answer given before the body is read (%s) arrives at once and the connection stays usable', async (_what, size, type, withSession, status, code) => {
			const headers: Record<string, string> = { 'content-type': type, origin: server.url };
			if (withSession) headers.cookie = organizer.cookieHeader();
			const started = performance.now();
			const response = await fetch(server.url + '/api/events', { method: 'POST', headers, body: JSON.stringify({ title: 'x'.repeat(size) }) });
			expect(response.status).toBe(status);
			expect((await response.json()).error.code).toBe(code);
			expect(performance.now() - started).toBeLessThan(3000);
			expect((await organizer.get('/api/me')).status).toBe(200);
			await expectEventsUnchanged();
		});

		it('an unknown field answers 400 VALIDATION naming that field, and creates nothing', async () => {
			const response = await organizer.post('/api/events', { title: 'With an extra', organizerId: organizer.user.id, createdAt: '1990-01-01' });
			expectRefused(response, 400, 'VALIDATION', ['organizerId', 'createdAt']);
			expect(response.body.error.fields.organizerId).toBe('unknown field');
			await expectEventsUnchanged();
		});
	});

	describe('events and groups (BI-37)', () => {
		it('a title of 200 Kazakh letters is accepted and round-trips unchanged', async () => {
			const user = await newUser(server.url);
			const title = 'әғқңөұүһі Қазақстан '.repeat(10).trimEnd() + '!';
			expect(title.length).toBe(200);
			const created = await user.post('/api/events', { title });
			expect(created.status).toBe(201);
			expect((await user.get(`/api/events/${created.body.event.id}`)).body.event.title).toBe(title);
		});

		it.each([
			['201 characters', 'x'.repeat(201), 'TOO_LONG'],
			['10,000 characters', 'Қ'.repeat(10_000), 'TOO_LONG'],
			['a bell character (\\u0007)', 'Seminar\u0007', 'VALIDATION'],
			['a NUL character', 'Semi\u0000nar', 'VALIDATION'],
			['a C1 control character (\\u0085)', 'Semi\u0085nar', 'VALIDATION'],
			['a tab', 'Semi\tnar', 'VALIDATION'],
			['empty', '', 'VALIDATION'],
			['only spaces', '    ', 'VALIDATION'],
			['a number', 2026, 'VALIDATION'],
			['missing', undefined, 'VALIDATION']
		])('an event title of %s answers 400 %s naming title, and creates nothing', async (_what, title, code) => {
			const response = await organizer.post('/api/events', { title });
			expectRefused(response, 400, code, ['title']);
			await expectEventsUnchanged();
		});

		it('a title with a lone surrogate is refused (it would be stored changed) and creates nothing (BI-24)', async () => {
			const response = await organizer.request('POST', '/api/events', {
				body: '{"title":"Semi\\ud800nar"}',
				headers: { 'content-type': 'application/json' }
			});
			expectRefused(response, 400, 'VALIDATION', ['title']);
			await expectEventsUnchanged();
		});

		it.each([
			['endsOn before startsOn', { startsOn: '2026-05-14', endsOn: '2026-05-12' }, 'endsOn'],
			['a date that does not exist', { startsOn: '2026-02-30' }, 'startsOn'],
			['a date without leading zeros', { startsOn: '2026-5-1' }, 'startsOn'],
			['a date with a time', { endsOn: '2026-05-01T10:00:00Z' }, 'endsOn'],
			['a language that is not a code', { languages: ['Kazakh'] }, 'languages.0'],
			['21 languages', { languages: Array(21).fill('kk') }, 'languages'],
			['a venue with a control character', { venue: 'Astana\u0007' }, 'venue']
		])('an event with %s answers 400 naming the field, and creates nothing', async (_what, fields, field) => {
			const response = await organizer.post('/api/events', { title: 'Bad details', ...fields });
			expect(response.status).toBe(400);
			expect(['VALIDATION', 'TOO_LONG']).toContain(response.body.error.code);
			expect(response.body.error.fields).toHaveProperty([field]);
			await expectEventsUnchanged();
		});

		it('a group name of 201 characters answers 400 and the event keeps its groups', async () => {
			const { organizer: owner, event } = await eventWithGroup(server.url);
			const before = (await owner.get(`/api/events/${event.id}`)).body.groups;
			expectRefused(await owner.post(`/api/events/${event.id}/groups`, { name: 'g'.repeat(201) }), 400, 'TOO_LONG', ['name']);
			expectRefused(await owner.post(`/api/events/${event.id}/groups`, { name: 'Group\u0007' }), 400, 'VALIDATION', ['name']);
			expectRefused(await owner.post(`/api/events/${event.id}/groups`, { name: 'G', eventId: event.id }), 400, 'VALIDATION', ['eventId']);
			expect((await owner.get(`/api/events/${event.id}`)).body.groups).toEqual(before);
		});

		it.each([
			['not a uuid', 'not-a-uuid'],
			['an uppercase uuid of no event', 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE'],
			['a random uuid', '7d1c2a4e-5b6f-4a8b-9c0d-1e2f3a4b5c6d'],
			['a uuid with a suffix', '7d1c2a4e-5b6f-4a8b-9c0d-1e2f3a4b5c6d-x'],
			['encoded dots and slashes', '..%2f..%2fetc%2fpasswd'],
			['10,000 characters', 'a'.repeat(10_000)],
			['an SQL fragment', "1'%20or%20'1'='1"]
		])('GET /api/events/<%s> answers 404 NOT_FOUND, never a 400 or 500', async (_what, id) => {
			expectRefused(await organizer.get(`/api/events/${id}`), 404, 'NOT_FOUND');
		});

		it.each([
			['GET', '/api/groups/not-a-uuid'],
			['POST', '/api/events/not-a-uuid/groups'],
			['POST', '/api/groups/not-a-uuid/members'],
			['PATCH', '/api/groups/not-a-uuid/members/not-a-uuid'],
			['DELETE', '/api/groups/not-a-uuid/members/not-a-uuid'],
			['DELETE', '/api/groups/not-a-uuid/invitations/not-a-uuid']
		])('%s %s answers 404 NOT_FOUND', async (method, path) => {
			const response = await organizer.request(method, path, method === 'GET' || method === 'DELETE' ? {} : { json: { name: 'x', email: 'a@example.org', role: 'member' } });
			expectRefused(response, 404, 'NOT_FOUND');
		});
	});

	describe('members (BI-36)', () => {
		it.each([
			['"owner"', 'owner'],
			['"Moderator " (capital, trailing space)', 'Moderator '],
			['"MODERATOR"', 'MODERATOR'],
			['"organizer"', 'organizer'],
			['empty', ''],
			['null', null],
			['a number', 3],
			['an array', ['moderator']]
		])('adding a member with role %s answers 400 VALIDATION naming role, and memberships are unchanged (BI-36)', async (_what, role) => {
			const { organizer: owner, group } = await eventWithGroup(server.url);
			const someone = await newUser(server.url);
			await addMember(owner, group.id, someone, 'observer');
			const before = await membershipState(owner, group.id);
			const added = await owner.post(`/api/groups/${group.id}/members`, { email: someone.user.email, role });
			expectRefused(added, 400, 'VALIDATION', ['role']);
			const invited = await owner.post(`/api/groups/${group.id}/members`, { email: uniqueEmail('new'), role });
			expectRefused(invited, 400, 'VALIDATION', ['role']);
			const patched = await owner.patch(`/api/groups/${group.id}/members/${someone.user.id}`, { role });
			expectRefused(patched, 400, 'VALIDATION', ['role']);
			expect(await membershipState(owner, group.id)).toEqual(before);
		});

		it.each([
			['not an e-mail', { email: 'not-an-email', role: 'member' }, 'email'],
			['a missing e-mail', { role: 'member' }, 'email'],
			['a delegation of 201 characters', { email: 'x@example.org', role: 'member', delegation: 'д'.repeat(201) }, 'delegation'],
			['a delegation with a control character', { email: 'x@example.org', role: 'member', delegation: 'Kazakhstan\u0007' }, 'delegation'],
			['an unknown field', { email: 'x@example.org', role: 'member', userId: '7d1c2a4e-5b6f-4a8b-9c0d-1e2f3a4b5c6d' }, 'userId']
		])('adding a member with %s answers 400 naming the field, and memberships are unchanged', async (_what, body, field) => {
			const { organizer: owner, group } = await eventWithGroup(server.url);
			const before = await membershipState(owner, group.id);
			const response = await owner.post(`/api/groups/${group.id}/members`, body);
			expect(response.status).toBe(400);
			expect(response.body.error.fields).toHaveProperty([field]);
			expect(await membershipState(owner, group.id)).toEqual(before);
		});

		it('a member change with nothing to change answers 400 and the membership is unchanged', async () => {
			const { organizer: owner, group } = await eventWithGroup(server.url);
			const someone = await newUser(server.url);
			await addMember(owner, group.id, someone, 'member', 'Kyrgyzstan');
			const before = await membershipState(owner, group.id);
			expectRefused(await owner.patch(`/api/groups/${group.id}/members/${someone.user.id}`, {}), 400, 'VALIDATION');
			expectRefused(await owner.patch(`/api/groups/${group.id}/members/${someone.user.id}`, { name: 'Renamed' }), 400, 'VALIDATION', ['name']);
			expect(await membershipState(owner, group.id)).toEqual(before);
		});
	});

	describe('unknown endpoints', () => {
		it.each([
			['GET', '/api/nope'],
			['POST', '/api/nope/deeper/path'],
			['PUT', '/api/events/7d1c2a4e-5b6f-4a8b-9c0d-1e2f3a4b5c6d/unknown'],
			['PATCH', '/api/me/nonexistent'],
			['DELETE', '/api/users/7d1c2a4e-5b6f-4a8b-9c0d-1e2f3a4b5c6d'],
			['GET', '/api']
		])('%s %s answers 404 with a JSON NOT_FOUND error', async (method, path) => {
			const response = await organizer.request(method, path, method === 'GET' || method === 'DELETE' ? {} : { json: {} });
			expectRefused(response, 404, 'NOT_FOUND');
		});

		it('a method an endpoint does not have answers 405 with a JSON METHOD_NOT_ALLOWED error and an Allow header', async () => {
			const response = await organizer.request('DELETE', '/api/events');
			expectRefused(response, 405, 'METHOD_NOT_ALLOWED');
			expect(response.headers.get('allow')).toContain('POST');
			await expectEventsUnchanged();
		});

		it('an unknown /api path answers 404 JSON to anonymous callers too', async () => {
			expectRefused(await new ApiClient(server.url).get('/api/nope'), 404, 'NOT_FOUND');
		});
	});
});
