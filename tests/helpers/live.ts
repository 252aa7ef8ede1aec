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

/** Collects every `event` the socket receives, in order. */
export function heard<T = any>(socket: Socket, event: string): T[] {
	const seen: T[] = [];
	socket.on(event, (payload: T) => seen.push(payload));
	return seen;
}

/**
 * Closes the socket's transport as a network drop would: the server sees "transport close" and
 * keeps the socket's state for recovery. Resolves once the client noticed.
 */
export function dropTransport(socket: Socket): Promise<void> {
	const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
	socket.io.engine.close();
	return gone;
}

/**
 * Connects a dropped socket again (test sockets do not reconnect by themselves, so a test decides
 * what happens while it is away). Resolves with whether the server recovered its state; rejects
 * with the connect error when it is refused.
 */
export function reconnect(socket: Socket): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const connected = () => {
			socket.off('connect_error', refused);
			resolve(socket.recovered);
		};
		const refused = (error: Error) => {
			socket.off('connect', connected);
			reject(error);
		};
		socket.once('connect', connected);
		socket.once('connect_error', refused);
		socket.connect();
	});
}
