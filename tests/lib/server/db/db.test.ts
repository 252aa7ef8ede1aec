import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fragment, toQuery, type Db } from '../../../../src/lib/server/db/db';
import { openTestDb } from '../../../helpers/db';
import { backends } from '../../../helpers/services';

describe('toQuery', () => {
	it('turns every interpolated value into a numbered parameter and never into SQL text', () => {
		const hostile = "x'; drop table users; --";
		const { text, params } = toQuery(['select ', ', ', ''], [hostile, 2]);
		expect(text).toBe('select $1, $2');
		expect(params).toEqual([hostile, 2]);
	});

	it('renumbers the parameters of an interpolated fragment after those before it', () => {
		const condition = fragment`name = ${'Ann'} and role = ${'member'}`;
		const { text, params } = toQuery(['select * from t where id = ', ' and ', ' and n > ', ''], [7, condition, 3]);
		expect(text).toBe('select * from t where id = $1 and name = $2 and role = $3 and n > $4');
		expect(params).toEqual([7, 'Ann', 'member', 3]);
	});

	it('refuses undefined as a parameter, naming its position', () => {
		expect(() => toQuery(['select ', ', ', ''], [1, undefined])).toThrow(/parameter 2; use null/);
	});
});

describe.each(backends())('the Db on %s', (backend) => {
	let db: Db;
	let dispose: () => Promise<void>;
	beforeAll(async () => {
		({ db, dispose } = await openTestDb(backend));
		await db.exec(`create table scratch (id serial primary key, body text, data bytea)`);
	});
	afterAll(async () => {
		await dispose();
	});

	it('stores a value that looks like SQL verbatim, and the table it names survives', async () => {
		const hostile = "Robert'); drop table users; --";
		const [row] = await db.sql<{ body: string }>`insert into scratch (body) values (${hostile}) returning body`;
		expect(row!.body).toBe(hostile);
		const [found] = await db.sql<{ body: string }>`select body from scratch where body = ${hostile}`;
		expect(found!.body).toBe(hostile);
		const [users] = await db.sql<{ n: number }>`select count(*)::int as n from users`;
		expect(users!.n).toBe(0);
	});

	it('runs a query with an interpolated fragment on the real database', async () => {
		const [row] = await db.sql<{ a: number; b: string; c: number }>`
			select ${1}::int as a, ${fragment`${'two'}::text as b, ${3}::int`} as c`;
		expect(row).toEqual({ a: 1, b: 'two', c: 3 });
	});

	it('refuses undefined before anything reaches the database', async () => {
		await expect(async () => db.sql`select ${undefined} as x`).rejects.toThrow(TypeError);
	});

	it('rolls back every write of a transaction whose work throws, and rethrows the error', async () => {
		const failure = new Error('work failed');
		await expect(
			db.begin(async (sql) => {
				await sql`insert into scratch (body) values (${'rolled back'})`;
				await sql`insert into scratch (body) values (${'also rolled back'})`;
				throw failure;
			})
		).rejects.toBe(failure);
		const rows = await db.sql`select 1 from scratch where body in (${'rolled back'}, ${'also rolled back'})`;
		expect(rows).toHaveLength(0);
	});

	it('commits a transaction whose work succeeds and returns its result', async () => {
		const result = await db.begin(async (sql) => {
			await sql`insert into scratch (body) values (${'committed'})`;
			return 'done';
		});
		expect(result).toBe('done');
		expect(await db.sql`select 1 from scratch where body = ${'committed'}`).toHaveLength(1);
	});

	it('round-trips bytea as Uint8Array-compatible bytes, zero and 0xff included', async () => {
		const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 0]);
		const [row] = await db.sql<{ data: Uint8Array }>`insert into scratch (data) values (${bytes}) returning data`;
		expect(row!.data).toBeInstanceOf(Uint8Array);
		expect([...new Uint8Array(row!.data)]).toEqual([...bytes]);
	});

	it('round-trips Kazakh Cyrillic unchanged and counts its letters as characters', async () => {
		const kazakh = 'әғқңөұүһі ӘҒҚҢӨҰҮҺІ — Жоғарғы Сот';
		const [row] = await db.sql<{ body: string; n: number }>`
			insert into scratch (body) values (${kazakh}) returning body, char_length(body) as n`;
		expect(row!.body).toBe(kazakh);
		expect(row!.n).toBe([...kazakh].length);
		const [found] = await db.sql<{ id: number }>`select id from scratch where body = ${kazakh}`;
		expect(found).toBeDefined();
	});
});
