import type { Server as HttpServer } from 'node:http';
import type { Server as IOServer } from 'socket.io';
import type { AppContext } from '../src/lib/server/context';
import { attachCollab, type Collab } from './collab';
import { attachSocketIo } from './live/io';
import { writeOutstandingOutcomes } from './live/votes';

export type Realtime = { io: IOServer; collab: Collab; close(): Promise<void> };

const attached = new WeakMap<HttpServer, Realtime>();

/**
 * Attaches Plenary's realtime servers to an HTTP server: Socket.IO (/socket.io) and the Yjs
 * endpoint (/collab/<documentId>). Called by server/index.ts in production and by the Vite plugin
 * in development; attaching twice to one server returns the first attachment.
 */
export function attachRealtime(server: HttpServer, context: AppContext): Realtime {
	const existing = attached.get(server);
	if (existing) return existing;
	const collab = attachCollab(server, context);
	const io = attachSocketIo(server, context, collab);
	// Outcomes of votes closed just before the last stop that never reached the text.
	writeOutstandingOutcomes(context, collab).catch((error) => context.log.error({ err: error }, 'repairing vote outcomes failed'));
	const realtime: Realtime = {
		io,
		collab,
		// Documents are stored before Socket.IO closes (which also closes the HTTP server).
		close: async () => {
			await collab.close();
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	};
	attached.set(server, realtime);
	return realtime;
}
