import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, newUser, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';

const password = 'correct horse battery';

/**
 * Login throttling counts per account and per client address. The server keeps the counts in
 * memory for 15 minutes, so each test here talks from its own loopback address (127.0.0.x: Linux
 * routes all of 127/8 to the loopback interface) and uses its own accounts: one test's failures
 * never throttle another's.
 */
let nextAddress = 10;
const freshAddress = () => `127.0.0.${nextAddress++}`;

describe.each(backends())('login throttling on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	const login = (email: string, pw: string, from: string) => new ApiClient(server.url, { from }).post('/api/auth/login', { email, password: pw });

	it('the 6th login attempt for one account within 15 minutes is refused with 429 and Retry-After, even with the right password (AZ-56)', async () => {
		const from = freshAddress();
		const owner = await newUser(server.url, 'Targeted');
		for (let attempt = 1; attempt <= 5; attempt++) {
			const wrong = await login(owner.user.email, `wrong password ${attempt}`, from);
			expect(wrong.status, `attempt ${attempt}`).toBe(401);
			expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
		}
		const client = new ApiClient(server.url, { from });
		const sixth = await client.post('/api/auth/login', { email: owner.user.email, password });
		expect(sixth.status).toBe(429);
		expect(sixth.body.error.code).toBe('RATE_LIMITED');
		const retryAfter = Number(sixth.headers.get('retry-after'));
		expect(Number.isInteger(retryAfter)).toBe(true);
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(15 * 60);
		expect(client.sessionCookie).toBeUndefined();
	});

	it('five wrong passwords from one address do not lock the owner out: from her own address she waits a second or two, then gets in, while that address stays blocked (AZ-60)', async () => {
		const owner = await newUser(server.url);
		const attacker = freshAddress();
		for (let attempt = 1; attempt <= 5; attempt++) expect((await login(owner.user.email, 'wrong password!', attacker)).status).toBe(401);
		const home = freshAddress();
		let answer = await login(owner.user.email.toUpperCase(), password, home);
		if (answer.status === 429) {
			const retryAfter = Number(answer.headers.get('retry-after'));
			expect(retryAfter).toBeGreaterThan(0);
			expect(retryAfter).toBeLessThanOrEqual(2);
			await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
			answer = await login(owner.user.email, password, home);
		}
		expect(answer.status).toBe(200);
		expect(answer.body.user.id).toBe(owner.user.id);
		expect((await login(owner.user.email, password, attacker)).status).toBe(429);
	});

	it('wrong passwords from ever new addresses make each further attempt on the account wait longer (AZ-60)', async () => {
		const owner = await newUser(server.url);
		for (let attempt = 1; attempt <= 5; attempt++) expect((await login(owner.user.email, 'wrong password!', freshAddress())).status).toBe(401);
		const early = await login(owner.user.email, 'wrong password!', freshAddress());
		expect(early.status).toBe(429);
		await new Promise((resolve) => setTimeout(resolve, Number(early.headers.get('retry-after')) * 1000 + 100));
		expect((await login(owner.user.email, 'wrong password!', freshAddress())).status).toBe(401);
		const longer = await login(owner.user.email, password, freshAddress());
		expect(longer.status).toBe(429);
		expect(Number(longer.headers.get('retry-after'))).toBe(2);
	});

	it('40 guesses sent at once are throttled like 40 in a row: at most 5 are checked, the rest 429, and the right password among them does not log in (AZ-59)', async () => {
		const owner = await newUser(server.url);
		const from = freshAddress();
		const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? password : `guess ${i}`));
		const clients = guesses.map(() => new ApiClient(server.url, { from }));
		const answers = await Promise.all(guesses.map((guess, i) => clients[i]!.post('/api/auth/login', { email: owner.user.email, password: guess })));
		const statuses = answers.map((a) => a.status);
		expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
		expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
		expect(clients.every((client) => client.sessionCookie === undefined)).toBe(true);
		for (const answer of answers.filter((a) => a.status === 429)) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
	});

	it("failures against one account do not throttle another account from the same address (AZ-56)", async () => {
		const from = freshAddress();
		const targeted = await newUser(server.url);
		const bystander = await newUser(server.url);
		for (let attempt = 1; attempt <= 6; attempt++) await login(targeted.user.email, 'wrong password!', from);
		const other = await login(bystander.user.email, password, from);
		expect(other.status).toBe(200);
		expect(other.body.user.id).toBe(bystander.user.id);
	});

	it("a throttled account's existing session keeps working (AZ-56)", async () => {
		const owner = await newUser(server.url);
		const from = freshAddress();
		for (let attempt = 1; attempt <= 6; attempt++) await login(owner.user.email, 'wrong password!', from);
		expect((await login(owner.user.email, password, from)).status).toBe(429);
		const me = await owner.get('/api/me');
		expect(me.status).toBe(200);
		expect(me.body.user.id).toBe(owner.user.id);
		expect((await owner.post('/api/events', { title: 'Still working' })).status).toBe(201);
	});

	it('a successful login before the limit resets the account count: 4 failures, success, 4 failures, success (AZ-56)', async () => {
		const owner = await newUser(server.url);
		const from = freshAddress();
		for (let round = 0; round < 2; round++) {
			for (let attempt = 1; attempt <= 4; attempt++) expect((await login(owner.user.email, 'wrong password!', from)).status).toBe(401);
			expect((await login(owner.user.email, password, from)).status).toBe(200);
		}
	});

	it('oversized and malformed login bodies are refused before the password check and do not count as failures', async () => {
		const owner = await newUser(server.url);
		const from = freshAddress();
		for (let attempt = 1; attempt <= 6; attempt++) {
			const tooLong = await login(owner.user.email, 'x'.repeat(257), from);
			expect(tooLong.status).toBe(400);
			expect(tooLong.body.error.code).toBe('TOO_LONG');
		}
		expect((await login(owner.user.email, password, from)).status).toBe(200);
	});

	it('the 101st failed login from one address across many accounts is refused with 429 for that address (AZ-57)', async () => {
		const from = freshAddress();
		const sprayed = await Promise.all(Array.from({ length: 20 }, () => newUser(server.url, 'Sprayed')));
		const realAccount = await newUser(server.url, 'Behind the same NAT');
		// 20 accounts × 5 wrong passwords: no account goes over its own limit, the address reaches 100.
		for (const account of sprayed) {
			for (let attempt = 1; attempt <= 5; attempt++) {
				const failed = await login(account.user.email, `password spraying ${attempt}`, from);
				expect(failed.status, `${account.user.email} attempt ${attempt}`).toBe(401);
			}
		}
		const blocked = await login(realAccount.user.email, password, from);
		expect(blocked.status).toBe(429);
		expect(blocked.body.error.code).toBe('RATE_LIMITED');
		expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		const elsewhere = await login(realAccount.user.email, password, freshAddress());
		expect(elsewhere.status).toBe(200);
	});

	it('120 different people logging in successfully from one address (a venue behind NAT) are never throttled (AZ-57)', async () => {
		const from = freshAddress();
		const people = await Promise.all(Array.from({ length: 120 }, () => newUser(server.url, 'Delegate')));
		for (const person of people) {
			const ok = await login(person.user.email, password, from);
			expect(ok.status, person.user.email).toBe(200);
		}
	}, 60_000);

	it('an unknown e-mail and a wrong password get the same status and the same body (AZ-58)', async () => {
		const from = freshAddress();
		const known = await newUser(server.url);
		const unknown = await login(uniqueEmail('nobody'), 'some password', from);
		const wrong = await login(known.user.email, 'some password', from);
		expect(unknown.status).toBe(401);
		expect(wrong.status).toBe(unknown.status);
		expect(wrong.body).toEqual(unknown.body);
		expect(wrong.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
		expect(wrong.headers.getSetCookie().filter((c) => c.startsWith('plenary_session='))).toEqual([]);
		expect(unknown.headers.getSetCookie().filter((c) => c.startsWith('plenary_session='))).toEqual([]);
	});

	it('an unknown e-mail is throttled like a known one after 5 failures (AZ-58: no difference to probe)', async () => {
		const from = freshAddress();
		const known = await newUser(server.url);
		const unknownEmail = uniqueEmail('nobody');
		const answers: { status: number; body: unknown }[][] = [[], []];
		for (let attempt = 1; attempt <= 6; attempt++) {
			const unknown = await login(unknownEmail, 'some password', from);
			const wrong = await login(known.user.email, 'some password', from);
			answers[0]!.push({ status: unknown.status, body: unknown.body.error.code });
			answers[1]!.push({ status: wrong.status, body: wrong.body.error.code });
		}
		expect(answers[0]).toEqual(answers[1]);
		expect(answers[0]!.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
	});
});
