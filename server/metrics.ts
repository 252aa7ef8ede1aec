import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Realtime } from './realtime';

/**
 * Prometheus metrics at `/metrics`. The alert that matters is `plenary_collab_documents_not_stored`
 * (FT-15): documents whose edits the database refused and that are kept in memory, retried, until
 * it works again; `plenary_collab_not_stored_seconds` says for how long.
 */
export function createMetrics(realtime: Realtime): Registry {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry, prefix: 'plenary_' });
	const { collab, io } = realtime;
	const failing = async () => (await collab.registry.loaded()).flatMap((room) => (room.failingSince === null ? [] : [room.failingSince]));
	new Gauge({
		name: 'plenary_collab_documents_loaded',
		help: 'Documents held in memory by the collaboration server',
		registers: [registry],
		collect() {
			this.set(collab.registry.size);
		}
	});
	new Gauge({
		name: 'plenary_collab_connections',
		help: 'Open /collab WebSocket connections',
		registers: [registry],
		collect() {
			this.set(collab.connectionCount());
		}
	});
	new Gauge({
		name: 'plenary_collab_documents_not_stored',
		help: 'Documents whose latest edits could not be stored (kept in memory and retried); alert when above 0',
		registers: [registry],
		async collect() {
			this.set((await failing()).length);
		}
	});
	new Gauge({
		name: 'plenary_collab_not_stored_seconds',
		help: 'How long the longest-failing document has had edits that could not be stored',
		registers: [registry],
		async collect() {
			const since = await failing();
			this.set(since.length ? (Date.now() - Math.min(...since)) / 1000 : 0);
		}
	});
	new Gauge({
		name: 'plenary_live_sockets',
		help: 'Connected Socket.IO clients (sessions, presence, comments)',
		registers: [registry],
		collect() {
			this.set(io.engine.clientsCount);
		}
	});
	return registry;
}

/**
 * Serves the metrics, when `token` is set, only to callers presenting it as a bearer token. Without
 * a token, in production never (a reverse proxy on the same host makes every visitor a loopback
 * caller: issue 12), elsewhere to loopback callers whose request carries no forwarding header.
 * Anyone else gets the plain 404 of an unknown path.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, registry: Registry, access: { token: string | null; production: boolean }): Promise<void> {
	if (!mayScrape(req, access)) {
		res.writeHead(404, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Not found' } }));
		return;
	}
	const body = await registry.metrics();
	res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
	res.end(body);
}

const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via'];

function mayScrape(req: IncomingMessage, { token, production }: { token: string | null; production: boolean }): boolean {
	if (token) {
		const presented = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
		const expected = Buffer.from(token);
		return presented.length === expected.length && timingSafeEqual(presented, expected);
	}
	if (production || forwardingHeaders.some((name) => name in req.headers)) return false;
	const address = req.socket.remoteAddress ?? '';
	return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
