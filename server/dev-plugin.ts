import type { Plugin } from 'vite';

/**
 * `npm run dev`: the same context and realtime servers as production, on Vite's HTTP server. The
 * modules are loaded through Vite's SSR loader, the same one SvelteKit's pages use in development,
 * so there is one copy of each module and one database handle.
 */
export function plenaryDevServer(): Plugin {
	return {
		name: 'plenary-dev-server',
		apply: 'serve',
		async configureServer(vite) {
			if (!vite.httpServer) return; // Vitest runs Vite in middleware mode: nothing to attach to
			const { startDevelopment } = (await vite.ssrLoadModule('/server/dev.ts')) as typeof import('./dev');
			await startDevelopment(vite.httpServer as import('node:http').Server);
		}
	};
}
