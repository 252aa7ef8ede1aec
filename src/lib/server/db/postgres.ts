import postgres from 'postgres';
import { sqlFrom, type Db, type Row } from './db';

/** Opens a pool to PostgreSQL. Values are bound as parameters; `bytea` comes back as Buffer. */
export async function openPostgres(url: string): Promise<Db> {
	const pool = postgres(url, { max: 10, onnotice: () => {}, idle_timeout: 60 });
	const run = (target: postgres.Sql | postgres.TransactionSql, text: string, params: unknown[]) =>
		target.unsafe<Row[]>(text, params as postgres.ParameterOrJSON<never>[]) as Promise<Row[]>;
	await pool`select 1`;
	return {
		kind: 'postgres',
		sql: sqlFrom((text, params) => run(pool, text, params)),
		begin: async (work) =>
			(await pool.begin((tx) => work(sqlFrom((text, params) => run(tx, text, params))))) as Awaited<
				ReturnType<typeof work>
			>,
		exec: async (script) => {
			await pool.unsafe(script);
		},
		close: () => pool.end({ timeout: 5 })
	};
}
