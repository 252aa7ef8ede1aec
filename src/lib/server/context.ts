import { EventEmitter } from 'node:events';
import { commentLimits } from '../protocol/comments';
import type { Config } from './config';
import type { Db } from './db/db';
import { migrate } from './db/migrate';
import { openPglite } from './db/pglite';
import { openPostgres } from './db/postgres';
import { createLogger, type Logger } from './log';
import { createPasswords, type Passwords } from './auth/passwords';
import { createLoginLimiter, createRegistrationLimiter, FailureWindow, type LoginLimiter } from './auth/rate-limit';
import { Allowance } from './auth/allowance';

/** Things that happened in the app that open connections must react to (realtime subscribes). */
export type AppSignals = {
	/**
	 * Sessions were deleted (logout): sockets authenticated by them must close. 'all' means every
	 * session of the user created before `at` (ms), so a session made right after survives.
	 */
	sessionsRevoked: [{ userId: string; sessionIds: string[] | 'all'; at: number }];
	/** A document was locked or unlocked: its open connections re-check write access. */
	documentLockChanged: [{ documentId: string }];
	/** A membership changed or ended: connections of that user in that group re-check their role. */
	membershipChanged: [{ groupId: string; userId: string }];
};

/** Who has a document open right now; filled in by the collab server when it is attached. */
export class PresenceDirectory {
	inDocument: (documentId: string) => { id: string; name: string }[] = () => [];
}

/** Everything a request, a socket or a collab connection needs, built once per process. */
export type AppContext = {
	config: Config;
	db: Db;
	log: Logger;
	passwords: Passwords;
	loginLimiter: LoginLimiter;
	registrationLimiter: FailureWindow;
	/** Lookups of things a caller may not see, per user: guessing ids is throttled (AZ-31). */
	probeLimiter: FailureWindow;
	/** New comments per user (5 per 10 s, DESIGN.md limits). */
	commentLimiter: FailureWindow;
	/** People added to groups per adder (MEMBER_ADDITIONS_PER_ADDER per MEMBER_ADDITION_WINDOW_MINUTES). */
	memberAdditionLimiter: Allowance;
	signals: EventEmitter<AppSignals>;
	presence: PresenceDirectory;
};

/**
 * Opens the database (PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR), applies
 * migrations and builds the services. Throws when the database cannot be opened or migrated.
 */
export async function createContext(config: Config, migrationsDir: string): Promise<AppContext> {
	const log = createLogger(config);
	const db = config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(config.dataDir);
	try {
		const applied = await migrate(db, migrationsDir);
		log.info({ database: db.kind, applied }, 'database ready');
	} catch (error) {
		await db.close();
		throw error;
	}
	return {
		config,
		db,
		log,
		passwords: await createPasswords(config.argon2MemoryKiB),
		loginLimiter: createLoginLimiter(),
		registrationLimiter: createRegistrationLimiter(config.registrations.perAddress, config.registrations.windowMinutes),
		probeLimiter: new FailureWindow(100, 60_000),
		commentLimiter: new FailureWindow(commentLimits.perWindow, commentLimits.windowMs),
		memberAdditionLimiter: new Allowance(config.memberAdditions.perAdder, config.memberAdditions.windowMs),
		signals: new EventEmitter<AppSignals>(),
		presence: new PresenceDirectory()
	};
}

// The SvelteKit bundle and server/ each hold their own copy of this module (STACK.md pitfall 6);
// the context lives on globalThis so that both use the one database handle.
const key = Symbol.for('plenary.context');
type WithContext = typeof globalThis & { [key]?: AppContext };

export function installContext(context: AppContext): void {
	(globalThis as WithContext)[key] = context;
}

/** The process's context; throws when called before the entry point installed it. */
export function appContext(): AppContext {
	const context = (globalThis as WithContext)[key];
	if (!context) throw new Error('Plenary context not installed: start through server/index.ts or vite dev');
	return context;
}
