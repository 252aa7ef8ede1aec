import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db';

const fileName = /^(\d{4})_[a-z0-9_]+\.sql$/;

/**
 * Applies the pending `migrations/NNNN_name.sql` files in order, all in one transaction, and records
 * each in `schema_migrations`. A gap in the numbering or a landed file that changed stops start-up.
 */
export async function migrate(db: Db, dir: string): Promise<string[]> {
	const files = readdirSync(dir)
		.filter((name) => name.endsWith('.sql'))
		.sort();
	files.forEach((name, index) => {
		const match = fileName.exec(name);
		if (!match) throw new Error(`migration file name ${name} is not NNNN_lowercase_name.sql`);
		if (Number(match[1]) !== index + 1) throw new Error(`migration numbering has a gap at ${name}`);
	});
	await db.exec(`
		create table if not exists schema_migrations (
			version integer primary key,
			name text not null,
			applied_at timestamptz not null default now()
		)`);
	return db.begin(async (sql) => {
		// Serialises concurrent start-ups of several instances against one PostgreSQL.
		if (db.kind === 'postgres') await sql`select pg_advisory_xact_lock(7265746)`;
		const done = await sql<{ version: number; name: string }>`select version, name from schema_migrations`;
		const applied: string[] = [];
		for (const [index, name] of files.entries()) {
			const version = index + 1;
			const landed = done.find((row) => row.version === version);
			if (landed) {
				if (landed.name !== name) throw new Error(`migration ${version} was ${landed.name}, now ${name}`);
				continue;
			}
			await execIn(sql, readFileSync(join(dir, name), 'utf8'));
			await sql`insert into schema_migrations (version, name) values (${version}, ${name})`;
			applied.push(name);
		}
		return applied;
	});
}

/** Runs a script statement by statement inside the caller's transaction (parameterless). */
async function execIn(sql: Parameters<Parameters<Db['begin']>[0]>[0], script: string): Promise<void> {
	for (const statement of splitStatements(script)) {
		const strings = Object.assign([statement], { raw: [statement] }) as unknown as TemplateStringsArray;
		await sql(strings);
	}
}

/** Splits on semicolons outside quotes, comments and dollar-quoted bodies; comments are dropped. */
export function splitStatements(script: string): string[] {
	const statements: string[] = [];
	let current = '';
	let i = 0;
	while (i < script.length) {
		const rest = script.slice(i);
		const dollar = /^\$(?:[a-zA-Z_][a-zA-Z0-9_]*)?\$/.exec(rest);
		if (rest.startsWith('--')) {
			const end = script.indexOf('\n', i);
			i = end === -1 ? script.length : end + 1;
			continue;
		}
		if (rest.startsWith('/*')) {
			// Block comments nest in PostgreSQL; one space keeps the tokens around them apart.
			let depth = 0;
			do {
				if (script.startsWith('/*', i)) {
					depth++;
					i += 2;
				} else if (script.startsWith('*/', i)) {
					depth--;
					i += 2;
				} else {
					i++;
				}
			} while (depth > 0 && i < script.length);
			current += ' ';
			continue;
		}
		if (dollar) {
			const end = script.indexOf(dollar[0], i + dollar[0].length);
			const stop = end === -1 ? script.length : end + dollar[0].length;
			current += script.slice(i, stop);
			i = stop;
			continue;
		}
		if (script[i] === "'") {
			const end = script.indexOf("'", i + 1);
			const stop = end === -1 ? script.length : end + 1;
			current += script.slice(i, stop);
			i = stop;
			continue;
		}
		if (script[i] === ';') {
			if (current.trim()) statements.push(current.trim());
			current = '';
			i++;
			continue;
		}
		current += script[i];
		i++;
	}
	if (current.trim()) statements.push(current.trim());
	return statements;
}
