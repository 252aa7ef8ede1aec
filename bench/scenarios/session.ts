import { io as connect, type Socket } from 'socket.io-client';
import type { WorkerPool } from '../load/pool';
import { rssMiB, watchResources, type ResourceReport } from '../measure/proc';
import { percentiles, type Percentiles } from '../measure/stats';
import { seeded, type PlenaryDatabase } from '../servers/plenary-db';
import type { ServerUnderTest } from '../servers/servers';

export type SessionTiming = { presses: number; spacingMs: number };

export type SessionResult = {
	scenario: 'session-500';
	participants: number;
	connectFailures: number;
	connectErrors: string[];
	connectMs: number;
	presses: number;
	spacingMs: number;
	/** Every participant's arrival of every state a press produced, minus the press. */
	perParticipant: Percentiles;
	/** Per press, the arrival at the last participant. */
	lastParticipant: Percentiles;
	expected: number;
	received: number;
	rssIdleMiB: number;
	rssConnectedMiB: number;
	resources: ResourceReport;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function moderatorSocket(baseUrl: string, cookie: string): Promise<Socket> {
	const socket = connect(baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie, origin: baseUrl } });
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('connect_error', reject);
	});
	return socket;
}

async function ask(socket: Socket, event: string, payload: unknown): Promise<{ state: { version: number } }> {
	const answer = (await socket.timeout(30_000).emitWithAck(event, payload)) as { ok: boolean; state?: { version: number }; error?: { code: string; message: string } };
	if (!answer.ok || !answer.state) throw new Error(`${event} refused: ${answer.error?.code} ${answer.error?.message}`);
	return { state: answer.state };
}

/**
 * Issue 4's benchmark: `participants` people in one session room on one instance (Socket.IO over
 * WebSocket, each joined to the session, some with a raised hand); the moderator presses "next
 * speaker" `presses` times, `spacingMs` apart. Each press changes the state once; every
 * participant records when that version arrives. Memory per connection is the server's RSS with
 * everybody joined minus its RSS before anybody connected, divided by the participants.
 */
export async function runSession(server: ServerUnderTest, baseUrl: string, database: PlenaryDatabase, pool: WorkerPool, participants: number, timing: SessionTiming, now: () => number): Promise<SessionResult> {
	const moderator = await moderatorSocket(baseUrl, database.moderatorCookie);
	try {
		await ask(moderator, 'session:join', { sessionId: database.sessionId });
		await ask(moderator, 'session:start', { sessionId: database.sessionId }).catch(() => {}); // already live from an earlier trial
		await sleep(1000);
		const rssIdleMiB = rssMiB(server.pid);
		const cookies = database.cookies.slice(seeded.members, seeded.members + participants);
		const hands = timing.presses + 10;
		const shares = Array.from({ length: pool.size }, (_unused, w) => cookies.filter((_cookie, i) => i % pool.size === w));
		const opened = await pool.all((w) => ({
			op: 'live-open' as const,
			spec: { baseUrl, cookies: shares[w]!, sessionId: database.sessionId, raiseHands: Math.ceil(hands / pool.size) },
			concurrency: 16
		}));
		await sleep(2000);
		const rssConnectedMiB = rssMiB(server.pid);
		await pool.all(() => ({ op: 'live-reset' as const }));

		const watch = watchResources(server.pid, await server.helperPids(), pool.pids);
		const pressedAt = new Map<number, number>();
		for (let press = 0; press < timing.presses; press++) {
			const at = now();
			const { state } = await ask(moderator, 'speakers:next', { sessionId: database.sessionId });
			pressedAt.set(state.version, at);
			await sleep(at + timing.spacingMs - now());
		}
		await sleep(2000);
		const resources = watch.stop();
		const collected = await pool.all(() => ({ op: 'live-collect' as const }));
		await pool.all(() => ({ op: 'live-close' as const }));

		const joined = opened.reduce((sum, o) => sum + o.opened, 0);
		const perParticipant: Float32Array[] = [];
		const last: number[] = [];
		let received = 0;
		for (const [version, at] of pressedAt) {
			const arrivals = collected.flatMap((part) => {
				const index = part.versions.indexOf(version);
				return index === -1 ? [] : [...part.arrivals[index]!];
			});
			received += arrivals.length;
			const latencies = Float32Array.from(arrivals, (arrival) => arrival - at);
			perParticipant.push(latencies);
			// A press whose state did not reach everybody counts as never arriving for the last one.
			last.push(arrivals.length >= joined ? Math.max(...latencies) : Number.POSITIVE_INFINITY);
		}
		return {
			scenario: 'session-500',
			participants,
			connectFailures: opened.reduce((sum, o) => sum + o.failed, 0),
			connectErrors: opened.flatMap((o) => o.errors).slice(0, 5),
			connectMs: Math.max(...opened.map((o) => o.ms)),
			presses: timing.presses,
			spacingMs: timing.spacingMs,
			perParticipant: percentiles(perParticipant),
			lastParticipant: percentiles([Float32Array.from(last)]),
			expected: pressedAt.size * joined,
			received,
			rssIdleMiB,
			rssConnectedMiB,
			resources
		};
	} finally {
		moderator.disconnect();
	}
}
