/**
 * Which external services the tests may use. In CI (CI=true) a service the run was told to use must
 * answer, or the run fails; locally a missing one is skipped with a printed reason.
 */
export const inCi = process.env.CI === 'true';
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || null;

export type Backend = 'pglite' | 'postgres';

export function backends(): Backend[] {
	if (testDatabaseUrl) return ['pglite', 'postgres'];
	if (inCi) throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL half of the suite would be skipped');
	console.warn('[tests] TEST_DATABASE_URL not set: running against PGlite only');
	return ['pglite'];
}
