import { join } from 'node:path';
import type { Db } from '../../src/lib/server/db/db';
import { migrate } from '../../src/lib/server/db/migrate';
import { openPglite } from '../../src/lib/server/db/pglite';
import { openPostgres } from '../../src/lib/server/db/postgres';
import { freshDatabase } from './server';
import type { Backend } from './services';

export const migrationsDir = join(import.meta.dirname, '..', '..', 'migrations');

/**
 * Opens a fresh, empty database in this process (PGlite in a temp folder, or a new PostgreSQL
 * database), migrated unless told otherwise. `dispose` closes it and removes the folder or database.
 */
export async function openTestDb(backend: Backend, { migrated = true } = {}): Promise<{ db: Db; dispose: () => Promise<void> }> {
	const database = await freshDatabase(backend);
	const db = backend === 'pglite' ? await openPglite(database.env.DATA_DIR!) : await openPostgres(database.env.DATABASE_URL!);
	if (migrated) await migrate(db, migrationsDir);
	return {
		db,
		dispose: async () => {
			await db.close();
			await database.dispose();
		}
	};
}
