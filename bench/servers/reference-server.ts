// The reference y-websocket server as its own package runs it (@y/websocket-server 0.1.1,
// src/server.js): a plain HTTP server, the package's own `ws` (6.x) and `setupWSConnection`, no
// persistence (YPERSISTENCE unset: documents live in memory). Prints "listening PORT" when ready.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { setupWSConnection } from '@y/websocket-server/utils';

// The `ws` that @y/websocket-server depends on, not the project's.
const requireFromPackage = createRequire(import.meta.resolve('@y/websocket-server/utils'));
const { Server: WebSocketServer } = requireFromPackage('ws') as { Server: typeof import('ws').WebSocketServer };

const wss = new WebSocketServer({ noServer: true });
const server = createServer((_request, response) => {
	response.writeHead(200, { 'Content-Type': 'text/plain' });
	response.end('okay');
});
wss.on('connection', setupWSConnection);
server.on('upgrade', (request, socket, head) => {
	wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(0, '127.0.0.1', () => {
	const address = server.address();
	process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
