import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Principal } from '../../src/lib/server/auth/authorize';
import * as sessions from '../../src/lib/server/auth/sessions';
import * as liveSessions from '../../src/lib/server/sessions';
import type { Db } from '../../src/lib/server/db/db';
import { migrate } from '../../src/lib/server/db/migrate';
import { openPglite } from '../../src/lib/server/db/pglite';
import { openPostgres } from '../../src/lib/server/db/postgres';
import * as documents from '../../src/lib/server/documents';
import * as events from '../../src/lib/server/events';
import * as groups from '../../src/lib/server/groups';
import * as users from '../../src/lib/server/users';
import { root } from './child';

/** Seeded people: the first `members` may write (typists, history writer), the rest are participants. */
export const seeded = { members: 100, users: 1000, documents: 330 } as const;

export type PlenaryDatabase = {
	kind: 'postgres' | 'pglite';
	/** DATABASE_URL or DATA_DIR for the server process. */
	env: Record<string, string>;
	/** `plenary_session=…` for each seeded user, in order. */
	cookies: string[];
	/** The group's moderator and the live session they run (the session benchmark). */
	moderatorCookie: string;
	sessionId: string;
	/** Documents of the one group everybody is in, handed out once each (`take`). */
	take(count: number): string[];
	/** PostgreSQL backends serving this database right now (their CPU is the server's too). */
	backendPids(): Promise<number[]>;
	/** What is stored for a document (PostgreSQL only; PGlite is locked by the running server). */
	stored(documentId: string): Promise<{ snapshotBytes: number; logRows: number; logBytes: number } | null>;
	dispose(): Promise<void>;
};

/** Is PostgreSQL answering at `adminUrl`? */
export async function postgresAnswers(adminUrl: string): Promise<boolean> {
	const admin = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
	try {
		await admin`select 1`;
		return true;
	} catch {
		return false;
	} finally {
		await admin.end({ timeout: 1 });
	}
}

/**
 * A fresh database (a scratch PostgreSQL database, else PGlite in a temp folder), migrated and
 * seeded through Plenary's own aggregate modules before the server starts: one event, one working
 * group, `seeded.users` accounts with a session each, `seeded.documents` empty documents. The
 * accounts have a placeholder password hash (nobody logs in; the benchmark uses the sessions).
 */
export async function prepareDatabase(adminUrl: string | null): Promise<PlenaryDatabase> {
	let db: Db;
	let env: Record<string, string>;
	let admin: postgres.Sql | null = null;
	let reader: postgres.Sql | null = null;
	let name = '';
	const dataDir = mkdtempSync(join(tmpdir(), 'plenary-bench-'));
	if (adminUrl) {
		name = `plenary_bench_${Date.now()}`;
		admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
		await admin.unsafe(`create database ${name}`);
		const url = new URL(adminUrl);
		url.pathname = `/${name}`;
		env = { DATABASE_URL: url.toString(), DATA_DIR: dataDir };
		db = await openPostgres(url.toString());
		reader = postgres(url.toString(), { max: 1, idle_timeout: 5, onnotice: () => {} });
	} else {
		env = { DATA_DIR: dataDir };
		db = await openPglite(dataDir);
	}
	const { cookies, documentIds, moderatorCookie, sessionId } = await seed(db);
	await db.close();
	let next = 0;
	return {
		kind: adminUrl ? 'postgres' : 'pglite',
		env,
		cookies,
		moderatorCookie,
		sessionId,
		take: (count) => {
			if (next + count > documentIds.length) throw new Error('the benchmark needs more seeded documents');
			next += count;
			return documentIds.slice(next - count, next);
		},
		backendPids: async () => (admin ? (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${name}`).map((row) => row.pid) : []),
		stored: async (documentId) => {
			if (!reader) return null;
			const [row] = await reader<{ snapshotBytes: number; logRows: number; logBytes: number }[]>`
				select coalesce((select octet_length(state) from document_snapshots where document_id = ${documentId}), 0)::int as "snapshotBytes",
					(select count(*) from document_updates where document_id = ${documentId})::int as "logRows",
					coalesce((select sum(octet_length(update)) from document_updates where document_id = ${documentId}), 0)::int as "logBytes"`;
			return row ?? null;
		},
		dispose: async () => {
			rmSync(dataDir, { recursive: true, force: true });
			await reader?.end();
			if (!admin) return;
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end();
		}
	};
}

async function seed(db: Db): Promise<{ cookies: string[]; documentIds: string[]; moderatorCookie: string; sessionId: string }> {
	await migrate(db, join(root, 'migrations'));
	const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJr$bm90LWEtcmVhbC1oYXNoLW5vYm9keS1sb2dzLWlu';
	const organizer = await users.create(db, { email: 'organizer@bench.invalid', name: 'Bench organizer', passwordHash, locale: null });
	const event = await events.create(db, organizer.id, { title: 'Load test' });
	const group = await groups.create(db, event.id, 'Everybody');
	const actor: Principal = { userId: organizer.id, groupId: group.id, eventId: event.id, role: 'organizer' };
	const cookies: string[] = [];
	for (let i = 0; i < seeded.users; i++) {
		const email = `user${i}@bench.invalid`;
		const user = await users.create(db, { email, name: `Delegate ${i}`, passwordHash, locale: null });
		await groups.addMember(db, actor, { email, role: i < seeded.members ? 'member' : 'participant' });
		const { token } = await sessions.create(db, user.id);
		cookies.push(`${sessions.sessionCookieName}=${token}`);
	}
	const documentIds: string[] = [];
	for (let i = 0; i < seeded.documents; i++) {
		documentIds.push((await documents.create(db, group.id, organizer.id, { title: `Minutes ${i + 1}`, kind: 'minutes' })).id);
	}
	const moderator = await users.create(db, { email: 'moderator@bench.invalid', name: 'Bench moderator', passwordHash, locale: null });
	await groups.addMember(db, actor, { email: 'moderator@bench.invalid', role: 'moderator' });
	const session = await liveSessions.create(db, { ...actor, userId: moderator.id, role: 'moderator' }, { title: 'Plenary sitting', agenda: ['Opening', 'Recommendations'] });
	const moderatorCookie = `${sessions.sessionCookieName}=${(await sessions.create(db, moderator.id)).token}`;
	return { cookies, documentIds, moderatorCookie, sessionId: session.sessionId };
}
