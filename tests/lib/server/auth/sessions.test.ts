import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as sessions from '../../../../src/lib/server/auth/sessions';
import type { Db } from '../../../../src/lib/server/db/db';
import { openTestDb } from '../../../helpers/db';
import { backends } from '../../../helpers/services';

const day = 24 * 60 * 60 * 1000;
const t0 = new Date('2026-03-01T09:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * day);

describe.each(backends())('sessions on %s', (backend) => {
	let db: Db;
	let dispose: () => Promise<void>;
	let userId: string;
	let otherUserId: string;

	beforeAll(async () => {
		({ db, dispose } = await openTestDb(backend));
		const insertUser = async (email: string) => {
			const [row] = await db.sql<{ id: string }>`
				insert into users (email, name, password_hash) values (${email}, ${'Әлия Қасымова'}, ${'x'}) returning id`;
			return row!.id;
		};
		userId = await insertUser('aliya@example.org');
		otherUserId = await insertUser('other@example.org');
	});
	beforeEach(async () => {
		await db.sql`delete from sessions`;
	});
	afterAll(async () => {
		await dispose();
	});

	const rowOf = async (id: string) => {
		const [row] = await db.sql<{ expiresAt: Date }>`select expires_at as "expiresAt" from sessions where id = ${id}`;
		return row;
	};

	it('validates the token it created and names the user', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		const found = await sessions.validate(db, token, at(1));
		expect(found?.session).toMatchObject({ id: session.id, userId });
		expect(found?.user).toEqual({ id: userId, email: 'aliya@example.org', name: 'Әлия Қасымова', locale: null });
	});

	it('refuses a token with the right id and a wrong secret, and leaves the session alive', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		const secret = token.split('.')[1]!;
		const wrong = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
		expect(await sessions.validate(db, `${session.id}.${wrong}`, at(1))).toBeNull();
		expect(await sessions.validate(db, `${session.id}.`, at(1))).toBeNull();
		expect(await sessions.validate(db, token, at(1))).not.toBeNull();
	});

	it.each<[string, (token: string) => string | undefined]>([
		['no cookie at all', () => undefined],
		['no dot', (token: string) => token.replace('.', '')],
		['three parts', (token: string) => `${token}.extra`],
		['a 10 kB string', (token: string) => token + 'a'.repeat(10 * 1024)],
		['an empty string', () => ''],
		['only a dot', () => '.'],
		['an id with SQL in it', (token: string) => `x' or '1'='1.${token.split('.')[1]}`]
	])('refuses a malformed token (%s)', async (_name, malform) => {
		const { token } = await sessions.create(db, userId, t0);
		expect(await sessions.validate(db, malform(token), at(1))).toBeNull();
	});

	it('stores only a 32-byte hash of the secret, never the secret itself', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		const secret = token.split('.')[1]!;
		const [row] = await db.sql<{ secretHash: Uint8Array }>`select secret_hash as "secretHash" from sessions where id = ${session.id}`;
		const hash = new Uint8Array(row!.secretHash);
		expect(hash).toHaveLength(32);
		expect(Buffer.from(hash).toString('latin1')).not.toContain(secret);
		expect(Buffer.from(hash).toString('hex')).not.toContain(secret);
		const all = await db.sql`select * from sessions where id = ${session.id}`;
		expect(JSON.stringify(all)).not.toContain(secret);
	});

	it('slides the expiry to now + 30 days when a session is used after 16 idle days', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		expect(session.expiresAt).toEqual(at(30));
		const found = await sessions.validate(db, token, at(16));
		expect(found?.session.expiresAt).toEqual(at(46));
		expect((await rowOf(session.id))?.expiresAt).toEqual(at(46));
	});

	it('leaves the expiry alone while more than 15 days remain', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		expect((await sessions.validate(db, token, at(14)))?.session.expiresAt).toEqual(at(30));
		expect((await rowOf(session.id))?.expiresAt).toEqual(at(30));
	});

	it('ends a session after 31 idle days and deletes its row (AZ-53)', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		expect(await sessions.validate(db, token, at(31))).toBeNull();
		expect(await rowOf(session.id)).toBeUndefined();
		expect(await sessions.validate(db, token, at(1))).toBeNull();
	});

	it('ends a session 90 days after login however often it is used, and deletes its row', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		for (let days = 10; days <= 80; days += 10) {
			expect(await sessions.validate(db, token, at(days)), `day ${days}`).not.toBeNull();
		}
		expect((await rowOf(session.id))?.expiresAt).toEqual(at(90));
		expect(await sessions.validate(db, token, at(89))).not.toBeNull();
		expect(await sessions.validate(db, token, at(91))).toBeNull();
		expect(await rowOf(session.id)).toBeUndefined();
	});

	it('invalidate deletes one session and leaves the user’s others', async () => {
		const first = await sessions.create(db, userId, t0);
		const second = await sessions.create(db, userId, t0);
		await sessions.invalidate(db, first.session.id);
		expect(await rowOf(first.session.id)).toBeUndefined();
		expect(await sessions.validate(db, first.token, at(1))).toBeNull();
		expect(await sessions.validate(db, second.token, at(1))).not.toBeNull();
	});

	it('invalidateAllOf deletes every session of that user and no one else’s', async () => {
		const mine = [await sessions.create(db, userId, t0), await sessions.create(db, userId, t0)];
		const theirs = await sessions.create(db, otherUserId, t0);
		await sessions.invalidateAllOf(db, userId);
		const [row] = await db.sql<{ n: number }>`select count(*)::int as n from sessions where user_id = ${userId}`;
		expect(row!.n).toBe(0);
		for (const { token } of mine) expect(await sessions.validate(db, token, at(1))).toBeNull();
		expect(await sessions.validate(db, theirs.token, at(1))).not.toBeNull();
	});

	it('sessionIdOf returns the id part that the database row is keyed by', async () => {
		const { token, session } = await sessions.create(db, userId, t0);
		expect(sessions.sessionIdOf(token)).toBe(session.id);
	});
});
