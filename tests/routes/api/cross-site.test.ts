import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, uniqueEmail } from '../../helpers/client';
import { startServer, type RunningServer } from '../../helpers/server';
import { backends } from '../../helpers/services';
import { addMember, eventWithGroup, membershipState } from '../../helpers/world';

const evil = 'https://evil.example';

describe.each(backends())('cross-site requests on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	describe('JSON API: Plenary’s own Origin check (BI-35)', () => {
		it('a cross-site JSON POST to add a member, carrying the victim organizer’s cookie, answers 403 CROSS_ORIGIN and memberships are unchanged', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const attacker = await newUser(server.url, 'Attacker');
			const before = await membershipState(organizer, group.id);
			const response = await organizer.request('POST', `/api/groups/${group.id}/members`, {
				json: { email: attacker.user.email, role: 'moderator' },
				headers: { origin: evil }
			});
			expect(response.status).toBe(403);
			expect(response.body.error.code).toBe('CROSS_ORIGIN');
			expect(await membershipState(organizer, group.id)).toEqual(before);
			expect((await attacker.get(`/api/groups/${group.id}`)).status).toBe(404);
		});

		it.each([
			['an evil site', evil],
			['the same host on another port', 'http://127.0.0.1:1'],
			['https on the same host', 'https://127.0.0.1'],
			['a look-alike host', 'http://127.0.0.1.evil.example'],
			['the opaque origin "null"', 'null']
		])('a JSON POST from %s creates no event and answers 403 CROSS_ORIGIN', async (_what, origin) => {
			const victim = await newUser(server.url, 'Victim');
			const response = await victim.request('POST', '/api/events', { json: { title: 'Planted' }, headers: { origin } });
			expect(response.status).toBe(403);
			expect(response.body).toEqual({ error: { code: 'CROSS_ORIGIN', message: expect.any(String) } });
			expect((await victim.get('/api/events')).body.events).toEqual([]);
		});

		it('cross-site PATCH and DELETE of a member are refused with 403 CROSS_ORIGIN and the membership is unchanged', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const member = await newUser(server.url);
			await addMember(organizer, group.id, member, 'member', 'Uzbekistan');
			const before = await membershipState(organizer, group.id);
			const path = `/api/groups/${group.id}/members/${member.user.id}`;
			const patch = await organizer.request('PATCH', path, { json: { role: 'observer' }, headers: { origin: evil } });
			const remove = await organizer.request('DELETE', path, { headers: { origin: evil } });
			expect([patch.status, remove.status]).toEqual([403, 403]);
			expect([patch.body.error.code, remove.body.error.code]).toEqual(['CROSS_ORIGIN', 'CROSS_ORIGIN']);
			expect(await membershipState(organizer, group.id)).toEqual(before);
		});

		it('a cross-site DELETE of an invitation is refused and the invitation stays pending', async () => {
			const { organizer, group } = await eventWithGroup(server.url);
			const invited = await organizer.post(`/api/groups/${group.id}/members`, { email: uniqueEmail('guest'), role: 'member' });
			const before = await membershipState(organizer, group.id);
			const response = await organizer.request('DELETE', `/api/groups/${group.id}/invitations/${invited.body.invitation.id}`, {
				headers: { origin: evil }
			});
			expect(response.status).toBe(403);
			expect(await membershipState(organizer, group.id)).toEqual(before);
		});

		it('a cross-site logout or locale change is refused, and the victim stays logged in with the same language', async () => {
			const victim = await newUser(server.url);
			expect((await victim.put('/api/me/locale', { locale: 'kk' })).status).toBe(200);
			expect((await victim.request('POST', '/api/auth/logout', { headers: { origin: evil } })).status).toBe(403);
			expect((await victim.request('PUT', '/api/me/locale', { json: { locale: 'en' }, headers: { origin: evil } })).status).toBe(403);
			const me = await victim.get('/api/me');
			expect(me.status).toBe(200);
			expect(me.body.user.locale).toBe('kk');
		});

		it('a cross-site login or registration is refused (login CSRF) and sets no session cookie', async () => {
			const user = await newUser(server.url);
			const fresh = await newUser(server.url);
			await fresh.post('/api/auth/logout');
			const login = await fresh.request('POST', '/api/auth/login', {
				json: { email: user.user.email, password: 'correct horse battery' },
				headers: { origin: evil }
			});
			expect(login.status).toBe(403);
			expect(fresh.sessionCookie).toBeUndefined();
			const register = await fresh.request('POST', '/api/auth/register', {
				json: { email: uniqueEmail(), password: 'correct horse battery', name: 'Planted' },
				headers: { origin: evil }
			});
			expect(register.status).toBe(403);
			expect(fresh.sessionCookie).toBeUndefined();
		});

		it('a cross-site GET is answered without CORS headers, so the evil page cannot read it', async () => {
			const victim = await newUser(server.url);
			const response = await victim.request('GET', '/api/me', { headers: { origin: evil } });
			expect(response.headers.get('access-control-allow-origin')).toBeNull();
			expect(response.headers.get('access-control-allow-credentials')).toBeNull();
		});

		it('a script without an Origin header (curl, integrations) may write with its cookie', async () => {
			const user = await newUser(server.url);
			const response = await fetch(server.url + '/api/events', {
				method: 'POST',
				headers: { 'content-type': 'application/json', cookie: user.cookieHeader() },
				body: JSON.stringify({ title: 'From a script' })
			});
			expect(response.status).toBe(201);
		});
	});

	describe('form posts: SvelteKit’s own check (BI-34, CVE-2023-29003/29008)', () => {
		it.each([
			['text/plain', 'text/plain'],
			['TEXT/PLAIN', 'TEXT/PLAIN'],
			['text/plain with a charset', 'text/plain;charset=UTF-8'],
			['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
			['multipart/form-data', 'multipart/form-data; boundary=x']
		])('a cross-site form POST as %s to the login page answers 403 "Cross-site POST form submissions are forbidden"', async (_what, type) => {
			const response = await fetch(server.url + '/login', {
				method: 'POST',
				headers: { origin: evil, 'content-type': type },
				body: 'email=attacker%40example.org&password=correct+horse+battery',
				redirect: 'manual'
			});
			expect(response.status).toBe(403);
			expect(await response.text()).toBe('Cross-site POST form submissions are forbidden');
			expect(response.headers.getSetCookie().some((c) => c.startsWith('plenary_session='))).toBe(false);
		});

		it.each([['text/plain'], ['TEXT/PLAIN'], ['application/x-www-form-urlencoded']])(
			'a cross-site %s form POST to the JSON API with the victim’s cookie is refused and changes nothing',
			async (type) => {
				const { organizer, group } = await eventWithGroup(server.url);
				const attacker = await newUser(server.url);
				const before = await membershipState(organizer, group.id);
				const add = await organizer.request('POST', `/api/groups/${group.id}/members`, {
					body: JSON.stringify({ email: attacker.user.email, role: 'moderator' }),
					headers: { origin: evil, 'content-type': type }
				});
				expect(add.status).toBe(403);
				const logout = await organizer.request('POST', '/api/auth/logout', { body: 'x=1', headers: { origin: evil, 'content-type': type } });
				expect(logout.status).toBe(403);
				expect(await membershipState(organizer, group.id)).toEqual(before);
				expect((await organizer.get('/api/me')).status).toBe(200);
			}
		);
	});
});
