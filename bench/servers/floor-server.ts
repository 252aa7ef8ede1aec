// The floor of the fan-out scenarios: the least work any server can do for them. It speaks just
// enough of the y-websocket protocol for the load generator (an empty sync step 1 of its own, an
// empty step 2 for the client's step 1) and relays every update message verbatim to every other
// socket of the same document, with the project's `ws`: no Yjs, no merging, no persistence, no
// authentication. What it measures is what ws, the kernel and the load generator cost on this
// machine; a real server's p99 cannot go below it. Prints "listening PORT" when ready.
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const messageSync = 0;
const syncStep1 = 0;
const syncUpdate = 2;
/** [sync, step 1, length 1, empty state vector] and [sync, step 2, length 2, empty update]. */
const emptyStep1 = Uint8Array.of(messageSync, syncStep1, 1, 0);
const emptyStep2 = Uint8Array.of(messageSync, 1, 2, 0, 0);

const rooms = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ noServer: true });
const server = createServer((_request, response) => response.end('okay'));
server.on('upgrade', (request, socket, head) => {
	wss.handleUpgrade(request, socket, head, (ws) => {
		const name = request.url ?? '/';
		const room = rooms.get(name) ?? rooms.set(name, new Set()).get(name)!;
		room.add(ws);
		ws.send(emptyStep1);
		ws.on('message', (data: Buffer) => {
			if (data[0] !== messageSync) return;
			if (data[1] === syncStep1) return ws.send(emptyStep2);
			if (data[1] !== syncUpdate) return;
			for (const peer of room) if (peer !== ws) peer.send(data);
		});
		ws.on('close', () => {
			room.delete(ws);
			if (!room.size) rooms.delete(name);
		});
		ws.on('error', () => {});
	});
});
server.listen(0, '127.0.0.1', () => {
	const address = server.address();
	process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
