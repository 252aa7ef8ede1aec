import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The environment, parsed and validated once at start-up. Nothing else in Plenary reads
 * `process.env`: every part receives the `Config` (or the piece it needs) as an argument.
 */
export type Config = {
	port: number;
	host: string;
	/** Public origin (scheme://host[:port]) when Plenary runs behind a proxy; null = the request's own. */
	origin: string | null;
	databaseUrl: string | null;
	dataDir: string;
	redisUrl: string | null;
	logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
	production: boolean;
	/** How long a document stays in memory after its last connection left. */
	collabUnloadDelayMs: number;
	/** Bearer token for /metrics; without it only loopback callers may scrape. */
	metricsToken: string | null;
	/** Argon2 cost; lowered only by the test suite, never below OWASP's floor in production. */
	argon2MemoryKiB: number;
	/**
	 * Simultaneous connections one account may hold: /collab sockets on one document, and Socket.IO
	 * sockets in all. A person's tabs stay far below; one account cannot fill the server (issue 12).
	 */
	connectionCaps: { collabPerDocument: number; live: number };
	/** New accounts per client address in a window (a venue's Wi-Fi puts hundreds behind one address). */
	registrations: { perAddress: number; windowMinutes: number };
	/**
	 * People one account may add to groups (or invite) per window, counted per address sent: bounds
	 * how fast anyone can test which addresses have accounts (issue 12), while a roster of 500
	 * pasted at once still fits.
	 */
	memberAdditions: { perAdder: number; windowMs: number };
	/** Who may create events: listed addresses and @domains; null = anyone with an account. */
	eventCreators: EventCreators | null;
};

export type EventCreators = { addresses: string[]; domains: string[] };

const optionalUrl = (protocols: string[]) =>
	z
		.string()
		.trim()
		.optional()
		.transform((value) => (value === '' || value === undefined ? null : value))
		.refine((value) => value === null || isUrlWithProtocol(value, protocols), {
			message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
			// Later refinements (ORIGIN's) parse the value as a URL and would throw on a non-URL.
			abort: true
		});

function isUrlWithProtocol(value: string, protocols: string[]): boolean {
	try {
		return protocols.includes(new URL(value).protocol);
	} catch {
		return false;
	}
}

const count = (fallback: number, max: number) =>
	z
		.string()
		.optional()
		.transform((v) => (v === undefined || v === '' ? fallback : Number(v)))
		.refine((v) => Number.isInteger(v) && v >= 1 && v <= max, { message: `must be an integer 1–${max}` });

// A host name of dot-separated labels (IDN as punycode), e.g. court.gov.kz.
const domainName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const emailAddress = z.email();

/** EVENT_CREATORS: addresses and @domain entries separated by commas; empty = open. */
const eventCreators = z
	.string()
	.optional()
	.transform((value) => (value ?? '').split(/[\s,;]+/).map((entry) => entry.trim().toLowerCase()).filter(Boolean))
	.refine(
		(entries) => entries.every((entry) => (entry.startsWith('@') ? domainName.test(entry.slice(1)) : emailAddress.safeParse(entry).success)),
		{ message: 'must list e-mail addresses and @domain entries separated by commas' }
	)
	.transform((entries): EventCreators | null =>
		entries.length === 0
			? null
			: { addresses: entries.filter((e) => !e.startsWith('@')), domains: entries.filter((e) => e.startsWith('@')).map((e) => e.slice(1)) }
	);

const schema = z.object({
	PORT: z
		.string()
		.optional()
		.transform((v) => (v === undefined || v === '' ? 3000 : Number(v)))
		.refine((v) => Number.isInteger(v) && v >= 0 && v <= 65535, { message: 'must be a port number 0–65535' }),
	HOST: z.string().trim().min(1).default('0.0.0.0'),
	ORIGIN: optionalUrl(['http:', 'https:']).refine(
		(value) => value === null || new URL(value).origin === value.replace(/\/$/, ''),
		{ message: 'must be an origin only (scheme://host[:port]), without a path' }
	),
	DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
	DATA_DIR: z.string().trim().min(1).default('./data'),
	REDIS_URL: optionalUrl(['redis:', 'rediss:']),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	NODE_ENV: z.enum(['production', 'development', 'test']).optional(),
	COLLAB_UNLOAD_DELAY_MS: z
		.string()
		.optional()
		.transform((v) => (v === undefined || v === '' ? 30_000 : Number(v)))
		.refine((v) => Number.isInteger(v) && v >= 0 && v <= 3_600_000, { message: 'must be milliseconds 0–3600000' }),
	METRICS_TOKEN: z
		.string()
		.optional()
		.transform((v) => (v === undefined || v === '' ? null : v))
		.refine((v) => v === null || v.length >= 16, { message: 'must be at least 16 characters' }),
	PLENARY_ARGON2_MEMORY_KIB: z
		.string()
		.optional()
		.transform((v) => (v === undefined || v === '' ? 19456 : Number(v)))
		.refine((v) => Number.isInteger(v) && v >= 1024, { message: 'must be an integer ≥ 1024' }),
	COLLAB_CONNECTIONS_PER_DOCUMENT: count(20, 10_000),
	LIVE_CONNECTIONS_PER_ACCOUNT: count(30, 10_000),
	REGISTRATIONS_PER_ADDRESS: count(100, 1_000_000),
	REGISTRATION_WINDOW_MINUTES: count(10, 24 * 60),
	MEMBER_ADDITIONS_PER_ADDER: count(1000, 1_000_000),
	MEMBER_ADDITION_WINDOW_MINUTES: count(60, 7 * 24 * 60),
	EVENT_CREATORS: eventCreators
});

export class ConfigError extends Error {
	constructor(readonly variable: string, detail: string) {
		super(`Invalid configuration: ${variable} ${detail}`);
	}
}

/** Parses the environment; throws a `ConfigError` naming the first wrong variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
	const parsed = schema.safeParse(env);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		const variable = String(issue.path[0] ?? 'environment');
		const got = env[variable];
		throw new ConfigError(variable, `${issue.message}${got === undefined ? '' : ` (got "${got}")`}`);
	}
	const v = parsed.data;
	const production = v.NODE_ENV !== 'development' && v.NODE_ENV !== 'test';
	if (v.NODE_ENV !== 'test' && v.PLENARY_ARGON2_MEMORY_KIB < 19456) {
		throw new ConfigError('PLENARY_ARGON2_MEMORY_KIB', 'may be lowered only with NODE_ENV=test');
	}
	return {
		port: v.PORT,
		host: v.HOST,
		origin: v.ORIGIN === null ? null : new URL(v.ORIGIN).origin,
		databaseUrl: v.DATABASE_URL,
		dataDir: resolve(v.DATA_DIR),
		redisUrl: v.REDIS_URL,
		logLevel: v.LOG_LEVEL,
		production,
		collabUnloadDelayMs: v.COLLAB_UNLOAD_DELAY_MS,
		metricsToken: v.METRICS_TOKEN,
		argon2MemoryKiB: v.PLENARY_ARGON2_MEMORY_KIB,
		connectionCaps: { collabPerDocument: v.COLLAB_CONNECTIONS_PER_DOCUMENT, live: v.LIVE_CONNECTIONS_PER_ACCOUNT },
		registrations: { perAddress: v.REGISTRATIONS_PER_ADDRESS, windowMinutes: v.REGISTRATION_WINDOW_MINUTES },
		memberAdditions: { perAdder: v.MEMBER_ADDITIONS_PER_ADDER, windowMs: v.MEMBER_ADDITION_WINDOW_MINUTES * 60_000 },
		eventCreators: v.EVENT_CREATORS
	};
}

/**
 * What an operator should hear at start-up about settings that leave a public deployment weaker
 * than it looks (issue 12). `env` is the raw environment: ADDRESS_HEADER belongs to adapter-node.
 */
export function startupWarnings(config: Config, env: Record<string, string | undefined>): string[] {
	if (!config.production) return [];
	const warnings: string[] = [];
	if (config.origin?.startsWith('https:') && !env.ADDRESS_HEADER) {
		warnings.push(
			'ORIGIN is https but ADDRESS_HEADER is not set: behind a reverse proxy every visitor has the proxy\'s address, so login and registration limits treat everyone as one person. Set ADDRESS_HEADER (e.g. X-Forwarded-For with XFF_DEPTH) to the header your proxy sets.'
		);
	}
	if (!config.metricsToken) warnings.push('METRICS_TOKEN is not set: /metrics is off in production (set a token of 16+ characters to scrape it).');
	return warnings;
}
