import type { Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/lib/server/config';
import { createContext, installContext } from '../src/lib/server/context';
import { attachRealtime } from './realtime';

/** Composition root for `vite dev` (production's is server/index.ts). */
export async function startDevelopment(httpServer: HttpServer): Promise<void> {
	const config = loadConfig({ NODE_ENV: 'development', ...process.env });
	const context = await createContext(config, fileURLToPath(new URL('../migrations', import.meta.url)));
	installContext(context);
	const realtime = attachRealtime(httpServer, context);
	httpServer.on('close', () => void realtime.close().then(() => context.db.close()));
}
