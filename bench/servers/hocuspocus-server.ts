// Hocuspocus 4.7 as its documentation starts it: `new Server(...)` with no extensions, so documents
// live in memory and updates of one event-loop turn are merged into one broadcast (flushDelay 0, the
// default). The one setting changed: `timeout`, which closes a connection that sent nothing for that
// long; the benchmark's receivers send nothing after their handshake (a browser's provider sends
// awareness every 15 s). Prints "listening PORT" when ready.
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false, timeout: 30 * 60 * 1000 });
await server.listen();
process.stdout.write(`listening ${server.address.port}\n`);
process.on('SIGTERM', () => process.exit(0));
