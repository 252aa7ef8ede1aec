import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/services';
import { startServer, type RunningServer } from '../helpers/server';

const root = join(import.meta.dirname, '..', '..');

describe.each(backends())('start-up on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(backend);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('answers /healthz with 200 while the database is reachable', async () => {
		const response = await fetch(server.url + '/healthz');
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ status: 'ok' });
	});

	it('logs as JSON lines with pino and names the database', () => {
		const line = server.output().split('\n').find((l) => l.includes('"database ready"'));
		expect(line).toBeDefined();
		const migrations = readdirSync(join(root, 'migrations')).filter((name) => name.endsWith('.sql')).sort();
		expect(JSON.parse(line!)).toMatchObject({ level: 30, database: backend, applied: migrations });
	});

	it('stops gracefully on SIGTERM with exit code 0', async () => {
		const other = await startServer(backend);
		expect(await other.stop()).toBe(0);
		expect(other.output()).toContain('"msg":"stopped"');
		await other.dispose();
	});
});

describe('EVENT_CREATORS at start-up (AZ-68)', () => {
	const production = { NODE_ENV: 'production', PLENARY_ARGON2_MEMORY_KIB: '19456' };
	const warnings = (output: string) => output.split('\n').filter((line) => line.includes('EVENT_CREATORS'));

	it('in production with EVENT_CREATORS empty, one log line says anyone may create events', async () => {
		const server = await startServer('pglite', { env: production });
		await server.stop();
		await server.dispose();
		const lines = warnings(server.output());
		expect(lines).toHaveLength(1);
		expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('anyone with an account may create events') });
	}, 120_000);

	it('in production with EVENT_CREATORS set, no such line', async () => {
		const server = await startServer('pglite', { env: { ...production, EVENT_CREATORS: '@court.kz' } });
		await server.stop();
		await server.dispose();
		expect(warnings(server.output())).toEqual([]);
	}, 120_000);
});

describe('configuration', () => {
	it.each([
		['PORT', 'eighty', 'PORT'],
		['DATABASE_URL', 'mysql://x', 'DATABASE_URL'],
		['ORIGIN', 'https://example.org/path', 'ORIGIN'],
		['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
		['METRICS_TOKEN', 'short', 'METRICS_TOKEN'],
		['EVENT_CREATORS', 'court.kz', 'EVENT_CREATORS'],
		['MEMBER_ADDITIONS_PER_ADDER', '0', 'MEMBER_ADDITIONS_PER_ADDER']
	])('a wrong %s stops start-up with one line naming it', (variable, value, named) => {
		const result = spawnSync(process.execPath, ['build-server/index.js'], {
			cwd: root,
			env: { PATH: process.env.PATH, [variable]: value, DATA_DIR: '/nonexistent-never-created' },
			encoding: 'utf8',
			timeout: 20_000
		});
		expect(result.status).toBe(1);
		const lines = result.stderr.trim().split('\n');
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${named} `));
	});
});

describe('the PGlite data folder lock', () => {
	it('refuses a second process on the same folder with one clear line, and the first keeps working', async () => {
		const first = await startServer('pglite');
		const second = spawnSync(process.execPath, ['build-server/index.js'], {
			cwd: root,
			env: { ...first.env, PORT: '0' },
			encoding: 'utf8',
			timeout: 30_000
		});
		expect(second.status).toBe(1);
		expect(second.stderr.trim()).toMatch(/^Data folder .* is in use by another Plenary process \(pid \d+\)/);
		expect((await fetch(first.url + '/healthz')).status).toBe(200);
		await first.stop();
		await first.dispose();
	});

	it('takes over a lock left by a process that died (SIGKILL) and keeps the data', async () => {
		const first = await startServer('pglite');
		const register = await fetch(first.url + '/api/auth/register', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'survivor@example.org', password: 'correct horse battery', name: 'Survivor' })
		});
		expect(register.status).toBe(201);
		await first.kill('SIGKILL');
		const again = await startServer('pglite', { database: { env: { DATA_DIR: first.env.DATA_DIR! }, dispose: first.dispose } });
		const login = await fetch(again.url + '/api/auth/login', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'survivor@example.org', password: 'correct horse battery' })
		});
		expect(login.status).toBe(200);
		await again.stop();
		await again.dispose();
	});
});

describe('metrics', () => {
	it('are served to a scraper on the same host, with the alert gauge for documents that could not be stored (FT-15)', async () => {
		const server = await startServer('pglite');
		try {
			const response = await fetch(server.url + '/metrics');
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
			const text = await response.text();
			expect(text).toMatch(/^plenary_collab_documents_not_stored 0$/m);
			expect(text).toMatch(/^plenary_collab_documents_loaded 0$/m);
			expect(text).toMatch(/^plenary_live_sockets 0$/m);
			expect(text).toMatch(/^plenary_process_resident_memory_bytes \d+/m);
		} finally {
			await server.stop();
			await server.dispose();
		}
	});

	it('are refused to a loopback caller whose request carries a forwarding header: a proxy on the same host relays visitors (AZ-64)', async () => {
		const server = await startServer('pglite');
		try {
			for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via']) {
				const proxied = await fetch(server.url + '/metrics', { headers: { [header]: header === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' } });
				expect(proxied.status, header).toBe(404);
			}
			expect((await fetch(server.url + '/metrics')).status).toBe(200);
		} finally {
			await server.stop();
			await server.dispose();
		}
	});

	it('are off in production without METRICS_TOKEN, even for loopback, and the start-up log says so (AZ-64)', async () => {
		const server = await startServer('pglite', { env: { NODE_ENV: 'production', PLENARY_ARGON2_MEMORY_KIB: '19456' } });
		try {
			expect((await fetch(server.url + '/metrics')).status).toBe(404);
			expect(server.output()).toMatch(/METRICS_TOKEN is not set: \/metrics is off in production/);
		} finally {
			await server.stop();
			await server.dispose();
		}
	});

	it('with METRICS_TOKEN set, only a caller presenting it gets them; anyone else gets a 404', async () => {
		const token = 'a-long-scraper-token-0123456789';
		const server = await startServer('pglite', { env: { METRICS_TOKEN: token } });
		try {
			const bare = await fetch(server.url + '/metrics');
			expect(bare.status).toBe(404);
			expect(await bare.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } });
			expect((await fetch(server.url + '/metrics', { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(404);
			const allowed = await fetch(server.url + '/metrics', { headers: { authorization: `Bearer ${token}` } });
			expect(allowed.status).toBe(200);
			expect(await allowed.text()).toContain('plenary_collab_connections');
		} finally {
			await server.stop();
			await server.dispose();
		}
	});
});
