import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, openPglite } from '../../../../src/lib/server/db/pglite';

describe('the PGlite data folder lock within one process', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'plenary-pglite-'));
	});
	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('refuses a second open of the same folder with DataDirLockedError naming this process', async () => {
		const first = await openPglite(dir);
		try {
			const second = openPglite(dir);
			await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
			await expect(second).rejects.toMatchObject({ pid: process.pid });
			// The refused opener must not have released the holder's lock.
			await expect(openPglite(dir)).rejects.toBeInstanceOf(DataDirLockedError);
			expect(await first.sql`select 1 as one`).toEqual([{ one: 1 }]);
		} finally {
			await first.close();
		}
	});

	it('opens the folder again after close(), with the data kept', async () => {
		const first = await openPglite(dir);
		await first.exec(`create table kept (body text); insert into kept values ('әғқңөұүһі')`);
		await first.close();
		const again = await openPglite(dir);
		try {
			expect(await again.sql`select body from kept`).toEqual([{ body: 'әғқңөұүһі' }]);
		} finally {
			await again.close();
		}
	});
});
