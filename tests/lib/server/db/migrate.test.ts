import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../../src/lib/server/db/db';
import { migrate, splitStatements } from '../../../../src/lib/server/db/migrate';
import { migrationsDir, openTestDb } from '../../../helpers/db';
import { backends } from '../../../helpers/services';

const tempDirs: string[] = [];

/** A migrations folder holding exactly these files. */
function migrationsFolder(files: Record<string, string>): string {
	const dir = mkdtempSync(join(tmpdir(), 'plenary-migrations-'));
	tempDirs.push(dir);
	for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
	return dir;
}

afterAll(() => {
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('splitStatements', () => {
	it('splits a script on the semicolons between statements and drops empty ones', () => {
		expect(splitStatements('create table a (x int);\n\ncreate table b (y int) ;;\n')).toEqual([
			'create table a (x int)',
			'create table b (y int)'
		]);
	});

	it('keeps a semicolon inside a quoted string, also after a doubled-quote escape', () => {
		expect(splitStatements(`insert into t values ('a;b'); insert into t values ('it''s; fine', 'x');`)).toEqual([
			`insert into t values ('a;b')`,
			`insert into t values ('it''s; fine', 'x')`
		]);
	});

	it('ignores semicolons and quotes in line comments', () => {
		expect(splitStatements(`-- first; it's a comment\nselect 1; -- trailing; note\nselect 2`)).toEqual(['select 1', 'select 2']);
	});

	it('ignores semicolons and quotes in block comments, nested ones included', () => {
		expect(splitStatements(`/* setup; don't split */ select 1; select/* a; /* b; */ c; */2;`)).toEqual(['select 1', 'select 2']);
	});

	it('keeps a dollar-quoted function body whole, with or without a tag', () => {
		const plain = `create function f() returns int language sql as $$ select 1; $$`;
		const tagged = `create function g() returns text language plpgsql as $body_1$ begin return 'a;b'; end; $body_1$`;
		expect(splitStatements(`${plain};\n${tagged};\nselect f();`)).toEqual([plain, tagged, 'select f()']);
	});

	it('does not mistake a comment marker inside a string for a comment', () => {
		expect(splitStatements(`select '--not a comment;'; select 2`)).toEqual([`select '--not a comment;'`, 'select 2']);
	});
});

describe.each(backends())('migrate on %s', (backend) => {
	let db: Db;
	let dispose: () => Promise<void>;
	beforeAll(async () => {
		({ db, dispose } = await openTestDb(backend, { migrated: false }));
	});
	beforeEach(async () => {
		// An empty database for each test, cheaper than opening a new PGlite.
		await db.exec('drop schema public cascade; create schema public');
	});
	afterAll(async () => {
		await dispose();
	});

	it("applies the project's migrations once; a second run applies nothing", async () => {
		const files = readdirSync(migrationsDir).filter((name) => name.endsWith('.sql'));
		expect(await migrate(db, migrationsDir)).toEqual(files.sort());
		expect(await migrate(db, migrationsDir)).toEqual([]);
		const recorded = await db.sql<{ version: number; name: string }>`select version, name from schema_migrations order by version`;
		expect(recorded.map((row) => row.name)).toEqual(files);
	});

	it('applies only the new file when one is added later', async () => {
		const first = { '0001_one.sql': 'create table one (x int);' };
		await migrate(db, migrationsFolder(first));
		const applied = await migrate(db, migrationsFolder({ ...first, '0002_two.sql': 'create table two (y int);' }));
		expect(applied).toEqual(['0002_two.sql']);
	});

	it('runs statements with quotes, comments and a function body from a migration file', async () => {
		const dir = migrationsFolder({
			'0001_tricky.sql': `
				-- a comment; with a semicolon
				/* a block comment; it's also skipped */
				create table notes (body text);
				insert into notes values ('it''s; ok');
				create function note_count() returns bigint language sql as $$ select count(*) from notes; $$;
			`
		});
		await migrate(db, dir);
		const [row] = await db.sql<{ n: number; body: string }>`select note_count()::int as n, (select body from notes) as body`;
		expect(row).toEqual({ n: 1, body: "it's; ok" });
	});

	it('refuses a gap in the numbering before touching the database', async () => {
		const dir = migrationsFolder({ '0001_one.sql': 'create table one (x int);', '0003_three.sql': 'create table three (x int);' });
		await expect(migrate(db, dir)).rejects.toThrow(/gap at 0003_three\.sql/);
		const [row] = await db.sql<{ exists: boolean }>`select to_regclass('one') is not null as exists`;
		expect(row!.exists).toBe(false);
	});

	it('refuses a file whose name is not NNNN_lowercase_name.sql', async () => {
		await expect(migrate(db, migrationsFolder({ '1_Init.sql': 'select 1;' }))).rejects.toThrow(/not NNNN_lowercase_name/);
	});

	it('refuses a landed migration whose file name changed', async () => {
		await migrate(db, migrationsFolder({ '0001_one.sql': 'create table one (x int);' }));
		const renamed = migrationsFolder({ '0001_renamed.sql': 'create table one (x int);' });
		await expect(migrate(db, renamed)).rejects.toThrow('migration 1 was 0001_one.sql, now 0001_renamed.sql');
	});

	it('applies nothing at all when one pending migration fails', async () => {
		const dir = migrationsFolder({
			'0001_good.sql': 'create table good (x int);',
			'0002_bad.sql': 'create table bad (x int); select * from no_such_table;'
		});
		await expect(migrate(db, dir)).rejects.toThrow();
		const [row] = await db.sql<{ good: boolean; bad: boolean; n: number }>`
			select to_regclass('good') is not null as good, to_regclass('bad') is not null as bad,
				(select count(*)::int from schema_migrations) as n`;
		expect(row).toEqual({ good: false, bad: false, n: 0 });
	});
});
