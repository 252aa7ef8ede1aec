import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { testDatabaseUrl, type Backend } from './services';

export type RunningServer = {
	url: string;
	backend: Backend;
	/** Everything the process printed, for assertions on logs. */
	output: () => string;
	/** SIGTERM and wait for exit. */
	stop: () => Promise<number | null>;
	/** Sends a signal and waits for exit (SIGKILL for crash tests). */
	kill: (signal: NodeJS.Signals) => Promise<number | null>;
	/** The environment it ran with, to start another process on the same data. */
	env: Record<string, string>;
	/** Removes the data folder or database; call after the last process on it stopped. */
	dispose: () => Promise<void>;
};

const root = join(import.meta.dirname, '..', '..');

/** A fresh, empty database for one server: a temp folder for PGlite, a new database on PostgreSQL. */
export async function freshDatabase(backend: Backend): Promise<{ env: Record<string, string>; dispose: () => Promise<void> }> {
	if (backend === 'pglite') {
		const dir = mkdtempSync(join(tmpdir(), 'plenary-test-'));
		return { env: { DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
	}
	const adminUrl = testDatabaseUrl;
	if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
	const name = `plenary_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	await admin.end();
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	const dir = mkdtempSync(join(tmpdir(), 'plenary-test-'));
	return {
		env: { DATABASE_URL: url.toString(), DATA_DIR: dir },
		dispose: async () => {
			rmSync(dir, { recursive: true, force: true });
			const drop = postgres(adminUrl, { max: 1, onnotice: () => {} });
			await drop.unsafe(`drop database if exists ${name} with (force)`);
			await drop.end();
		}
	};
}

/**
 * Starts the production build (`build-server/index.js`) as a child process on a free port, so tests
 * talk to the real thing and can SIGKILL it. Resolves once it prints that it is listening.
 */
export async function startServer(
	backend: Backend,
	options: { env?: Record<string, string>; database?: { env: Record<string, string>; dispose: () => Promise<void> } } = {}
): Promise<RunningServer> {
	const database = options.database ?? (await freshDatabase(backend));
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '',
		HOME: process.env.HOME ?? '/tmp',
		NODE_ENV: 'test',
		PORT: '0',
		HOST: '127.0.0.1',
		LOG_LEVEL: 'info',
		PLENARY_ARGON2_MEMORY_KIB: '1024',
		// Suites register hundreds of people from 127.0.0.1; the registration limit has its own test.
		REGISTRATIONS_PER_ADDRESS: '1000000',
		...database.env,
		...options.env
	};
	const child = spawn(process.execPath, ['build-server/index.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
		const onData = () => {
			const match = /Plenary is running at (\S+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]!.replace('localhost', '127.0.0.1'));
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code} before listening:\n${output}`));
		});
	});
	const exited = exitOf(child);
	const kill = async (signal: NodeJS.Signals) => {
		if (child.exitCode === null && child.signalCode === null) child.kill(signal);
		return exited;
	};
	return {
		url,
		backend,
		env,
		output: () => output,
		stop: () => kill('SIGTERM'),
		kill,
		dispose: database.dispose
	};
}

function exitOf(child: ChildProcess): Promise<number | null> {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
		child.once('exit', (code) => resolve(code));
	});
}

/**
 * Stops a server with `signal` (SIGKILL for a crash) and starts the same build again on the same
 * port and the same database, so clients that keep reconnecting find it again.
 */
export async function restartServer(server: RunningServer, signal: NodeJS.Signals): Promise<RunningServer> {
	await server.kill(signal);
	const port = new URL(server.url).port;
	const database = { env: { DATA_DIR: server.env.DATA_DIR!, ...(server.env.DATABASE_URL ? { DATABASE_URL: server.env.DATABASE_URL } : {}) }, dispose: server.dispose };
	const extra = Object.fromEntries(Object.entries(server.env).filter(([key]) => key.startsWith('COLLAB_')));
	return startServer(server.backend, { env: { ...extra, PORT: port }, database });
}
