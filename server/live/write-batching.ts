import type { Socket as TcpSocket } from 'node:net';
import type { Server as IOServer, Socket } from 'socket.io';

/** Engine.IO's connection under a Socket.IO socket. */
type Connection = Socket['conn'];

/**
 * Packets that queued up for one connection while its previous write was under way leave in one
 * write. Engine.IO holds them until that write completes, then sends them one WebSocket frame per
 * write call, so a burst to a room (a stream's coalesced upvote counts are a handful of
 * `comment:updated` at once) cost every connection a system call per packet, on the server and on
 * each client. Corking the connection's TCP socket for the length of Engine.IO's flush hands the
 * kernel the same frames, in the same order, in one writev.
 *
 * Only connections opened as WebSocket are corked: their first request (`conn.request`, the
 * Upgrade) owns the TCP socket the frames go out on. A connection upgraded from polling is left as
 * it was. The socket is uncorked when the flush ends (`drain`, synchronously after it), and on the
 * next tick should a flush ever throw half-way, so it can never stay corked.
 */
export function batchQueuedPackets(io: IOServer): void {
	io.engine.on('connection', (conn: Connection) => {
		const tcp: TcpSocket | undefined = conn.request.socket;
		if (conn.transport.name !== 'websocket' || typeof tcp?.cork !== 'function') return;
		let corked = false;
		const uncork = () => {
			if (!corked) return;
			corked = false;
			tcp.uncork();
		};
		conn.on('flush', (buffer: unknown[]) => {
			if (corked || buffer.length < 2 || conn.upgraded || conn.transport.name !== 'websocket') return;
			corked = true;
			tcp.cork();
			process.nextTick(uncork);
		});
		conn.on('drain', uncork);
	});
}
