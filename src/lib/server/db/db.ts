/**
 * The one database seam. Aggregates write SQL as tagged templates against `Sql`; every interpolated
 * value becomes a `$n` parameter, so the same text runs on PGlite and on PostgreSQL.
 */
export type Row = Record<string, unknown>;

export type Sql = <T extends Row = Row>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>;

export interface Db {
	readonly kind: 'pglite' | 'postgres';
	readonly sql: Sql;
	/** Runs `work` in one transaction; it rolls back if `work` throws. Never await network I/O inside. */
	begin<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
	/** Runs a multi-statement script without parameters (migrations only). */
	exec(script: string): Promise<void>;
	close(): Promise<void>;
}

// The Db object is built by server/ while queries are written in the SvelteKit bundle too: two copies
// of this module, so fragments are recognised by a global symbol, not by `instanceof`.
const fragmentBrand = Symbol.for('plenary.sql.fragment');

/** A reusable piece of SQL (a column list, a condition) to interpolate into a query; may hold values. */
export type Fragment = { readonly [fragmentBrand]: true; readonly strings: readonly string[]; readonly values: unknown[] };

export function fragment(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
	return { [fragmentBrand]: true, strings: [...strings], values };
}

function isFragment(value: unknown): value is Fragment {
	return typeof value === 'object' && value !== null && fragmentBrand in value;
}

/** Turns a template into `$1 … $n` text and a parameter list; `undefined` is a bug, as in postgres.js. */
export function toQuery(strings: readonly string[], values: unknown[], params: unknown[] = []): { text: string; params: unknown[] } {
	let text = strings[0]!;
	values.forEach((value, index) => {
		if (value === undefined) throw new TypeError(`undefined passed as SQL parameter ${index + 1}; use null`);
		if (isFragment(value)) {
			text += toQuery(value.strings, value.values, params).text;
		} else {
			params.push(value);
			text += `$${params.length}`;
		}
		text += strings[index + 1];
	});
	return { text, params };
}

export function sqlFrom(run: (text: string, params: unknown[]) => Promise<Row[]>): Sql {
	return (<T extends Row>(strings: TemplateStringsArray, ...values: unknown[]) => {
		const { text, params } = toQuery(strings, values);
		return run(text, params) as Promise<T[]>;
	}) as Sql;
}
