import { io as connect, type Socket } from 'socket.io-client';
import type { ApiClient } from './client';

/** A Socket.IO client logged in as `client` (its cookie), connected over WebSocket. */
export function liveSocket(baseUrl: string, client: ApiClient): Promise<Socket> {
	const socket = connect(baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: client.cookieHeader(), origin: baseUrl } });
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

/** Emits an event and resolves with its acknowledgement. */
export function ask(socket: Socket, event: string, payload?: unknown): Promise<any> {
	return socket.timeout(10_000).emitWithAck(event, payload);
}
