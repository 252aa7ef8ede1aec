import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../src/lib/server/context';
import type { Realtime } from './realtime';

/**
 * Listens on the configured port and stops gracefully on SIGTERM/SIGINT: stop accepting, close the
 * realtime servers, let requests finish (at most 10 s), close the database, exit. Resolves with the URL.
 */
export function listenWithShutdown(server: HttpServer, context: AppContext, realtime: Realtime): Promise<string> {
	const { config, log, db } = context;
	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, 'shutting down');
		const force = setTimeout(() => {
			log.warn('shutdown took longer than 10 s; exiting');
			process.exit(1);
		}, 10_000);
		force.unref();
		server.close();
		server.closeIdleConnections();
		await realtime.close();
		await db.close().catch((error) => log.error({ err: error }, 'closing the database failed'));
		log.info('stopped');
		process.exit(0);
	};
	process.on('SIGTERM', () => void stop('SIGTERM'));
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));

	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => {
			const { port } = server.address() as AddressInfo;
			const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
			resolve(config.origin ?? `http://${host}:${port}`);
		});
	});
}
