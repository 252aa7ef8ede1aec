// Production entry: config → database → services → HTTP (SvelteKit handler) → realtime → listen.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, startupWarnings } from '../src/lib/server/config';
import { createContext, installContext } from '../src/lib/server/context';
import { DataDirLockedError, resetDataDir } from '../src/lib/server/db/pglite';
import { seedDemo } from './demo';
import { createMetrics, serveMetrics } from './metrics';
import { attachRealtime } from './realtime';
import { listenWithShutdown } from './shutdown';

type NodeHandler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: () => void) => void;

const protocolHeader = 'x-plenary-protocol';

/**
 * adapter-node reads its settings from the environment when its handler is imported. Without
 * ORIGIN it would assume https and SvelteKit would refuse every form posted over plain http, so
 * the scheme comes from the connection (or ORIGIN when configured); bodies up to our own 1 MiB
 * JSON limit reach the routes, which answer larger ones with a JSON 413.
 */
function configureAdapter(origin: string | null): void {
	if (origin) process.env.ORIGIN = origin;
	else process.env.PROTOCOL_HEADER = protocolHeader;
	process.env.BODY_SIZE_LIMIT = '1100K';
}

const root = fileURLToPath(new URL('..', import.meta.url));
const demo = process.argv.includes('--demo');

try {
	let config = loadConfig(process.env);
	if (demo) {
		// The demo always starts from an empty embedded database of its own.
		config = { ...config, databaseUrl: null, dataDir: join(config.dataDir, 'demo') };
		resetDataDir(config.dataDir);
	}
	const context = await createContext(config, join(root, 'migrations'));
	installContext(context);
	for (const warning of startupWarnings(config, process.env)) context.log.warn(warning);
	const seeded = demo ? await seedDemo(context) : null;

	configureAdapter(config.origin);
	// A variable specifier keeps esbuild from bundling the SvelteKit output into this file.
	const handlerPath = '../build/handler.js';
	const { handler } = (await import(handlerPath)) as { handler: NodeHandler };
	const server = createServer((req, res) => {
		// Overwrites whatever a client sent: adapter-node reads the request's scheme from this header.
		req.headers[protocolHeader] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
		// A route that answers before reading the body (401, 403, 413, 415…) leaves adapter-node's body
		// stream paused: the client, still sending, never reads the answer and the connection stalls.
		// Discard the rest, as Node does for a body nobody listened to.
		res.once('finish', () => {
			if (req.complete) return;
			req.removeAllListeners('data');
			req.resume();
		});
		if (req.url === '/metrics' && req.method === 'GET') return void serveMetrics(req, res, metrics, { token: config.metricsToken, production: config.production });
		handler(req, res, () => ((res.statusCode = 404), res.end()));
	});
	const realtime = attachRealtime(server, context);
	const metrics = createMetrics(realtime);
	const url = await listenWithShutdown(server, context, realtime);
	context.log.info({ url, database: context.db.kind }, 'Plenary is listening');
	if (config.production && !config.eventCreators) {
		context.log.warn('EVENT_CREATORS is empty: anyone with an account may create events and add people to them by e-mail');
	}
	process.stderr.write(`\nPlenary is running at ${url}\n`);
	if (seeded) {
		process.stderr.write(`Demo accounts (password for all: ${seeded.password}):\n`);
		for (const account of seeded.accounts) process.stderr.write(`  ${account.email.padEnd(28)} ${account.role}\n`);
	}
} catch (error) {
	if (error instanceof ConfigError || error instanceof DataDirLockedError) {
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	}
	throw error;
}
