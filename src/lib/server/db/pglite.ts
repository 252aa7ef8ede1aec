import { PGlite } from '@electric-sql/pglite';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sqlFrom, type Db, type Row } from './db';

export class DataDirLockedError extends Error {
	constructor(readonly dataDir: string, readonly pid: number) {
		super(`Data folder ${dataDir} is in use by another Plenary process (pid ${pid}); stop it or set DATA_DIR`);
	}
}

/**
 * Opens the embedded database under `dataDir`. PGlite is single-process and a second opener silently
 * loses writes (STACK.md §4), so an exclusive lock file guards the folder; a lock left by a dead
 * process is taken over. Throws `DataDirLockedError` while a live process holds it.
 */
export async function openPglite(dataDir: string): Promise<Db> {
	mkdirSync(dataDir, { recursive: true });
	const releaseLock = takeLock(join(dataDir, '.plenary.lock'));
	let pg: PGlite;
	try {
		pg = await PGlite.create(join(dataDir, 'pglite'));
	} catch (error) {
		releaseLock();
		throw error;
	}
	const run = async (text: string, params: unknown[], target: Pick<PGlite, 'query'> = pg) =>
		(await target.query<Row>(text, params)).rows;
	return {
		kind: 'pglite',
		sql: sqlFrom((text, params) => run(text, params)),
		begin: (work) => pg.transaction((tx) => work(sqlFrom((text, params) => run(text, params, tx)))),
		exec: async (script) => {
			await pg.exec(script);
		},
		close: async () => {
			await pg.close();
			releaseLock();
		}
	};
}

function takeLock(path: string): () => void {
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(path, 'wx');
			writeSync(fd, String(process.pid));
			closeSync(fd);
			return () => rmSync(path, { force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const pid = Number(readFileSync(path, 'utf8').trim());
			if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new DataDirLockedError(join(path, '..'), pid);
			rmSync(path, { force: true });
		}
	}
	throw new Error(`could not take the lock ${path}`);
}

function isAlive(pid: number): boolean {
	if (pid === process.pid) return true;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Empties a data folder for a fresh start (the demo); refuses while a live process holds it. */
export function resetDataDir(dataDir: string): void {
	mkdirSync(dataDir, { recursive: true });
	const release = takeLock(join(dataDir, '.plenary.lock'));
	release();
	rmSync(join(dataDir, 'pglite'), { recursive: true, force: true });
}
