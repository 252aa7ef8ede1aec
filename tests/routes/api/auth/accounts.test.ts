import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';

const password = 'correct horse battery';

describe.each(backends())('accounts on %s: register, login, logout, me', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('registering answers 201 with the user and logs the new account in', async () => {
		const client = new ApiClient(server.url);
		const email = uniqueEmail('ada');
		const registered = await client.post('/api/auth/register', { email, password, name: 'Ada Lovelace' });
		expect(registered.status).toBe(201);
		expect(registered.body.user).toMatchObject({ email, name: 'Ada Lovelace' });
		expect(registered.body.user.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(registered.body.user).not.toHaveProperty('passwordHash');
		expect(client.sessionCookie).toBeDefined();
		const me = await client.get('/api/me');
		expect(me.status).toBe(200);
		expect(me.body.user).toEqual(registered.body.user);
	});

	it('logging in answers 200 with the user and a session that /api/me recognises', async () => {
		const existing = await newUser(server.url, 'Returning user');
		const client = new ApiClient(server.url);
		const login = await client.post('/api/auth/login', { email: existing.user.email, password });
		expect(login.status).toBe(200);
		expect(login.body.user).toMatchObject({ id: existing.user.id, email: existing.user.email, name: 'Returning user' });
		expect(client.sessionCookie).toBeDefined();
		expect(client.sessionCookie).not.toBe(existing.sessionCookie);
		expect((await client.get('/api/me')).body.user.id).toBe(existing.user.id);
	});

	it('logging out answers 204, clears the cookie, and /api/me then answers 401', async () => {
		const user = await newUser(server.url);
		const logout = await user.post('/api/auth/logout');
		expect(logout.status).toBe(204);
		expect(logout.body).toBe('');
		expect(user.sessionCookie).toBeUndefined();
		const me = await user.get('/api/me');
		expect(me.status).toBe(401);
		expect(me.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
	});

	it('logging out without a session is harmless and answers 204', async () => {
		expect((await new ApiClient(server.url).post('/api/auth/logout')).status).toBe(204);
	});

	it('logging out ends only that session: the same account logged in elsewhere stays logged in', async () => {
		const phone = await newUser(server.url);
		const laptop = new ApiClient(server.url);
		expect((await laptop.post('/api/auth/login', { email: phone.user.email, password })).status).toBe(200);
		expect((await phone.post('/api/auth/logout')).status).toBe(204);
		expect((await laptop.get('/api/me')).status).toBe(200);
	});

	it('/api/me without a cookie answers 401 UNAUTHENTICATED', async () => {
		const me = await new ApiClient(server.url).get('/api/me');
		expect(me.status).toBe(401);
		expect(me.body.error.code).toBe('UNAUTHENTICATED');
	});

	it.each([
		['Kazakh', 'Әйгерім Қасымқызы Нұрланова (әғқңөұүһі)'],
		['Russian', 'Ольга Сергеевна Иванова-Щукина'],
		['French', 'Hélène Dupré-Lefèvre']
	])('a %s name round-trips unchanged through register, login and /api/me', async (_language, name) => {
		const client = new ApiClient(server.url);
		const email = uniqueEmail();
		expect((await client.post('/api/auth/register', { email, password, name })).body.user.name).toBe(name);
		const again = new ApiClient(server.url);
		expect((await again.post('/api/auth/login', { email, password })).body.user.name).toBe(name);
		expect((await again.get('/api/me')).body.user.name).toBe(name);
	});

	it('a name typed with combining marks is stored in NFC and trimmed', async () => {
		const client = new ApiClient(server.url);
		const decomposed = '  Йолдыз Ә'.normalize('NFD') + ' ';
		const registered = await client.post('/api/auth/register', { email: uniqueEmail(), password, name: decomposed });
		expect(registered.status).toBe(201);
		expect(registered.body.user.name).toBe('Йолдыз Ә'.normalize('NFC'));
	});

	it('e-mail addresses are case-insensitive: stored lower-cased, and any casing logs in', async () => {
		const lower = uniqueEmail('mixed.case');
		const typed = lower.replace('mixed.case', 'Mixed.Case').replace('example.org', 'EXAMPLE.org');
		const client = new ApiClient(server.url);
		const registered = await client.post('/api/auth/register', { email: `  ${typed} `, password, name: 'Case' });
		expect(registered.status).toBe(201);
		expect(registered.body.user.email).toBe(lower);
		for (const variant of [lower, lower.toUpperCase(), typed]) {
			const login = await new ApiClient(server.url).post('/api/auth/login', { email: variant, password });
			expect(login.status, variant).toBe(200);
			expect(login.body.user.id).toBe(registered.body.user.id);
		}
	});

	it('registering an e-mail that has an account, in any casing, answers 409 EMAIL_TAKEN and keeps the first account', async () => {
		const first = await newUser(server.url, 'First owner');
		const client = new ApiClient(server.url);
		const again = await client.post('/api/auth/register', {
			email: first.user.email.toUpperCase(),
			password: 'another long password',
			name: 'Impostor'
		});
		expect(again.status).toBe(409);
		expect(again.body.error).toMatchObject({ code: 'EMAIL_TAKEN', fields: { email: expect.any(String) } });
		expect(client.sessionCookie).toBeUndefined();
		const login = await new ApiClient(server.url).post('/api/auth/login', { email: first.user.email, password });
		expect(login.status).toBe(200);
		expect(login.body.user.name).toBe('First owner');
		const impostor = await new ApiClient(server.url).post('/api/auth/login', { email: first.user.email, password: 'another long password' });
		expect(impostor.status).toBe(401);
	});

	it('a wrong password answers 401 INVALID_CREDENTIALS and sets no session cookie', async () => {
		const user = await newUser(server.url);
		const client = new ApiClient(server.url);
		const login = await client.post('/api/auth/login', { email: user.user.email, password: 'not the password' });
		expect(login.status).toBe(401);
		expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
		expect(login.headers.getSetCookie().some((c) => c.startsWith('plenary_session='))).toBe(false);
		expect(client.sessionCookie).toBeUndefined();
	});

	it('a password shorter than 10 characters is refused at registration with 400 naming the field', async () => {
		const client = new ApiClient(server.url);
		const email = uniqueEmail();
		const response = await client.post('/api/auth/register', { email, password: 'short', name: 'Short' });
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 'VALIDATION', fields: { password: expect.any(String) } });
		expect((await client.post('/api/auth/login', { email, password: 'short' })).status).toBe(401);
	});

	it('PUT /api/me/locale stores the language on the account, and /api/me and the next login show it', async () => {
		const user = await newUser(server.url);
		const changed = await user.put('/api/me/locale', { locale: 'kk' });
		expect(changed.status).toBe(200);
		expect(changed.body.user.locale).toBe('kk');
		expect((await user.get('/api/me')).body.user.locale).toBe('kk');
		const again = new ApiClient(server.url);
		expect((await again.post('/api/auth/login', { email: user.user.email, password })).body.user.locale).toBe('kk');
	});

	it('PUT /api/me/locale with a language Plenary does not have answers 400 and keeps the old one', async () => {
		const user = await newUser(server.url);
		expect((await user.put('/api/me/locale', { locale: 'ru' })).status).toBe(200);
		const refused = await user.put('/api/me/locale', { locale: 'de' });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toMatchObject({ code: 'VALIDATION', fields: { locale: expect.any(String) } });
		expect((await user.get('/api/me')).body.user.locale).toBe('ru');
	});

	it('PUT /api/me/locale without a session answers 401', async () => {
		expect((await new ApiClient(server.url).put('/api/me/locale', { locale: 'fr' })).status).toBe(401);
	});
});
