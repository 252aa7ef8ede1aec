import { io as connect, type Socket } from 'socket.io-client';

/** Participants of one live session (Socket.IO, as the session room page connects), in a worker. */
export type LiveSpec = { baseUrl: string; cookies: string[]; sessionId: string; raiseHands: number };
export type LiveOpenResult = { opened: number; failed: number; errors: string[]; ms: number };
/** Per state version, when each participant received it (ms on the shared clock). */
export type LiveArrivals = { versions: number[]; arrivals: Float64Array[]; clients: number };

let sockets: Socket[] = [];
let arrivals = new Map<number, number[]>();

export async function openLive(spec: LiveSpec, concurrency: number, now: () => number): Promise<LiveOpenResult> {
	const started = now();
	const errors: string[] = [];
	let failed = 0;
	let next = 0;
	const one = async () => {
		while (next < spec.cookies.length) {
			const index = next++;
			try {
				const socket = connect(spec.baseUrl, {
					transports: ['websocket'],
					reconnection: false,
					extraHeaders: { cookie: spec.cookies[index]!, origin: spec.baseUrl }
				});
				await new Promise<void>((resolve, reject) => {
					socket.once('connect', resolve);
					socket.once('connect_error', reject);
				});
				socket.on('session:state', (state: { version: number }) => {
					const at = now();
					const list = arrivals.get(state.version) ?? [];
					list.push(at);
					arrivals.set(state.version, list);
				});
				const joined = (await socket.timeout(30_000).emitWithAck('session:join', { sessionId: spec.sessionId })) as { ok: boolean; error?: { code: string } };
				if (!joined.ok) throw new Error(`session:join refused: ${joined.error?.code}`);
				if (index < spec.raiseHands) {
					const raised = (await socket.timeout(30_000).emitWithAck('hand:raise', { sessionId: spec.sessionId })) as { ok: boolean; error?: { code: string } };
					if (!raised.ok) throw new Error(`hand:raise refused: ${raised.error?.code}`);
				}
				sockets.push(socket);
			} catch (error) {
				failed++;
				if (errors.length < 5) errors.push(String((error as Error).message));
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, one));
	return { opened: spec.cookies.length - failed, failed, errors, ms: now() - started };
}

/** Starts recording afresh (what arrived while joining is not measured). */
export function resetArrivals(): void {
	arrivals = new Map();
}

export function liveProgress(version: number): { received: number } {
	return { received: arrivals.get(version)?.length ?? 0 };
}

export function collectLive(): LiveArrivals {
	const versions = [...arrivals.keys()].sort((a, b) => a - b);
	return { versions, arrivals: versions.map((version) => Float64Array.from(arrivals.get(version)!)), clients: sockets.length };
}

export function closeLive(): void {
	for (const socket of sockets) socket.disconnect();
	sockets = [];
	arrivals = new Map();
}
