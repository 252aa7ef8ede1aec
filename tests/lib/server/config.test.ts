import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startupWarnings } from '../../../src/lib/server/config';

/** The error loadConfig throws for this environment, or a failure when it throws none. */
function configError(env: Record<string, string>): ConfigError {
	try {
		loadConfig(env);
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return error as ConfigError;
	}
	throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
	it('starts an embedded, production-grade single instance on port 3000 when nothing is set', () => {
		expect(loadConfig({})).toEqual({
			port: 3000,
			host: '0.0.0.0',
			origin: null,
			databaseUrl: null,
			dataDir: resolve('./data'),
			redisUrl: null,
			logLevel: 'info',
			production: true,
			collabUnloadDelayMs: 30_000,
			metricsToken: null,
			argon2MemoryKiB: 19456,
			connectionCaps: { collabPerDocument: 20, live: 30 },
			registrations: { perAddress: 100, windowMinutes: 10 },
			memberAdditions: { perAdder: 1000, windowMs: 60 * 60_000 },
			eventCreators: null
		});
	});

	it('treats empty optional variables as unset', () => {
		expect(loadConfig({ PORT: '', ORIGIN: '', DATABASE_URL: '', REDIS_URL: '', PLENARY_ARGON2_MEMORY_KIB: '' })).toMatchObject({
			port: 3000,
			origin: null,
			databaseUrl: null,
			redisUrl: null,
			argon2MemoryKiB: 19456
		});
	});

	it('reads every variable it is given', () => {
		expect(
			loadConfig({
				PORT: '8080',
				HOST: '127.0.0.1',
				ORIGIN: 'https://plenary.example.org/',
				DATABASE_URL: 'postgres://u:p@db:5432/plenary',
				DATA_DIR: '/var/lib/plenary',
				REDIS_URL: 'redis://cache:6379',
				LOG_LEVEL: 'debug',
				NODE_ENV: 'test',
				COLLAB_UNLOAD_DELAY_MS: '0',
				METRICS_TOKEN: 'scraper-token-0123456789',
				PLENARY_ARGON2_MEMORY_KIB: '1024',
				COLLAB_CONNECTIONS_PER_DOCUMENT: '5',
				LIVE_CONNECTIONS_PER_ACCOUNT: '7',
				MEMBER_ADDITIONS_PER_ADDER: '600',
				MEMBER_ADDITION_WINDOW_MINUTES: '10',
				EVENT_CREATORS: 'Chair@Court.kz, @osce.org'
			})
		).toEqual({
			port: 8080,
			host: '127.0.0.1',
			origin: 'https://plenary.example.org',
			databaseUrl: 'postgres://u:p@db:5432/plenary',
			dataDir: '/var/lib/plenary',
			redisUrl: 'redis://cache:6379',
			logLevel: 'debug',
			production: false,
			collabUnloadDelayMs: 0,
			metricsToken: 'scraper-token-0123456789',
			argon2MemoryKiB: 1024,
			connectionCaps: { collabPerDocument: 5, live: 7 },
			registrations: { perAddress: 100, windowMinutes: 10 },
			memberAdditions: { perAdder: 600, windowMs: 10 * 60_000 },
			eventCreators: { addresses: ['chair@court.kz'], domains: ['osce.org'] }
		});
	});

	it.each([
		['PORT', 'eighty'],
		['PORT', '65536'],
		['PORT', '-1'],
		['PORT', '80.5'],
		['HOST', ' '],
		['ORIGIN', 'plenary.example.org'],
		['ORIGIN', 'ftp://plenary.example.org'],
		['DATABASE_URL', 'mysql://db/plenary'],
		['COLLAB_UNLOAD_DELAY_MS', 'soon'],
		['COLLAB_UNLOAD_DELAY_MS', '-5'],
		['DATABASE_URL', 'not a url'],
		['DATA_DIR', ''],
		['REDIS_URL', 'http://cache:6379'],
		['LOG_LEVEL', 'loud'],
		['NODE_ENV', 'staging'],
		['PLENARY_ARGON2_MEMORY_KIB', 'lots'],
		['PLENARY_ARGON2_MEMORY_KIB', '512'],
		['COLLAB_CONNECTIONS_PER_DOCUMENT', '0'],
		['COLLAB_CONNECTIONS_PER_DOCUMENT', 'many'],
		['LIVE_CONNECTIONS_PER_ACCOUNT', '2.5'],
		['MEMBER_ADDITIONS_PER_ADDER', '0'],
		['MEMBER_ADDITIONS_PER_ADDER', 'lots'],
		['MEMBER_ADDITION_WINDOW_MINUTES', '0'],
		['MEMBER_ADDITION_WINDOW_MINUTES', '10081'],
		['EVENT_CREATORS', 'osce.org'],
		['EVENT_CREATORS', 'chair@court.kz, @'],
		['EVENT_CREATORS', '@court..kz'],
		['EVENT_CREATORS', 'chair@court.kz @osce.org not-an-address']
	])('refuses %s=%j with a ConfigError naming the variable', (variable, value) => {
		const error = configError({ NODE_ENV: 'test', [variable]: value });
		expect(error.variable).toBe(variable);
		expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
	});

	it('reads EVENT_CREATORS separated by commas, semicolons or spaces, lower-cased, and empty as open to all', () => {
		expect(loadConfig({ EVENT_CREATORS: ' a@court.kz;@OSCE.org\n b@un.org , ' }).eventCreators).toEqual({
			addresses: ['a@court.kz', 'b@un.org'],
			domains: ['osce.org']
		});
		expect(loadConfig({ EVENT_CREATORS: ' , ' }).eventCreators).toBeNull();
		expect(loadConfig({ EVENT_CREATORS: '@sot.xn--80ao21a' }).eventCreators).toEqual({ addresses: [], domains: ['sot.xn--80ao21a'] });
	});

	it.each(['https://plenary.example.org/app', 'https://plenary.example.org/?x=1', 'https://plenary.example.org/#top'])(
		'refuses an ORIGIN with a path, query or fragment (%s)',
		(origin) => {
			const error = configError({ ORIGIN: origin });
			expect(error.variable).toBe('ORIGIN');
			expect(error.message).toContain('without a path');
		}
	);

	it.each([undefined, 'production', 'development'])('refuses an Argon2 memory below 19456 KiB with NODE_ENV=%s', (nodeEnv) => {
		const env: Record<string, string> = { PLENARY_ARGON2_MEMORY_KIB: '19455' };
		if (nodeEnv) env.NODE_ENV = nodeEnv;
		expect(configError(env).variable).toBe('PLENARY_ARGON2_MEMORY_KIB');
	});

	it('accepts a lower Argon2 memory with NODE_ENV=test only, and 19456 KiB anywhere', () => {
		expect(loadConfig({ NODE_ENV: 'test', PLENARY_ARGON2_MEMORY_KIB: '1024' }).argon2MemoryKiB).toBe(1024);
		expect(loadConfig({ PLENARY_ARGON2_MEMORY_KIB: '19456' }).argon2MemoryKiB).toBe(19456);
	});
});

describe('start-up warnings (AZ-60, AZ-64)', () => {
	const production = { NODE_ENV: 'production', ORIGIN: 'https://plenary.example.org' };

	it('name a missing ADDRESS_HEADER behind https, and /metrics being off without a token, in production only', () => {
		const warnings = startupWarnings(loadConfig(production), production);
		expect(warnings).toHaveLength(2);
		expect(warnings[0]).toMatch(/ADDRESS_HEADER is not set/);
		expect(warnings[1]).toMatch(/METRICS_TOKEN is not set/);
		expect(startupWarnings(loadConfig({ NODE_ENV: 'development', ORIGIN: 'https://plenary.example.org' }), {})).toEqual([]);
	});

	it('are silent when both are set, and say nothing of ADDRESS_HEADER on plain http', () => {
		const env = { ...production, ADDRESS_HEADER: 'X-Forwarded-For', METRICS_TOKEN: 'a-long-scraper-token-0123456789' };
		expect(startupWarnings(loadConfig(env), env)).toEqual([]);
		const http = { NODE_ENV: 'production', ORIGIN: 'http://10.0.0.5:3000', METRICS_TOKEN: 'a-long-scraper-token-0123456789' };
		expect(startupWarnings(loadConfig(http), http)).toEqual([]);
	});
});

describe('registration limits', () => {
	it('default to 100 per address in 10 minutes and take REGISTRATIONS_PER_ADDRESS and REGISTRATION_WINDOW_MINUTES', () => {
		expect(loadConfig({}).registrations).toEqual({ perAddress: 100, windowMinutes: 10 });
		expect(loadConfig({ REGISTRATIONS_PER_ADDRESS: '500', REGISTRATION_WINDOW_MINUTES: '60' }).registrations).toEqual({ perAddress: 500, windowMinutes: 60 });
		expect(() => loadConfig({ REGISTRATIONS_PER_ADDRESS: '0' })).toThrow(/REGISTRATIONS_PER_ADDRESS/);
		expect(() => loadConfig({ REGISTRATION_WINDOW_MINUTES: 'ten' })).toThrow(/REGISTRATION_WINDOW_MINUTES/);
	});
});
