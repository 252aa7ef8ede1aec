import type { History } from '../load/history';
import { loadOnce } from '../load/history-client';
import type { LoadTiming } from '../load/messages';
import type { WorkerPool } from '../load/pool';
import { rssMiB } from '../measure/proc';
import { median } from '../measure/stats';
import { seeded } from '../servers/plenary-db';
import type { ServerName, ServerUnderTest } from '../servers/servers';

/** What Plenary had stored for the document before the series (PostgreSQL only). */
export type Stored = { snapshotBytes: number; logRows: number; logBytes: number } | null;

/** One way of loading: `runs` new clients, each timed from `new WebSocket` to synced. */
export type LoadSeries = {
	label: string;
	runs: LoadTiming[];
	medianSyncedMs: number;
	medianStep2Ms: number;
	/** The fastest run: other work on the machine can only make a run slower. */
	minSyncedMs: number;
	minStep2Ms: number;
	stored?: Stored;
};

export type LoadResult = {
	server: ServerName;
	/** Time to send the whole history and see it applied (and, for Plenary, saved). */
	buildMs: number;
	series: LoadSeries[];
	rssAfterMiB: number;
	/** Every load produced the document the history describes. */
	verified: boolean;
};

export const writerUser = 0;
const loaderUser = seeded.members; // a participant: reads only
/** Plenary refuses more than 30 messages a second per connection (burst 100); both stay below that. */
const pace = { perSecond: 25, burst: 90 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function series(label: string, runs: LoadTiming[], stored?: Stored): LoadSeries {
	const synced = runs.map((r) => r.syncedMs);
	const step2 = runs.map((r) => r.step2Ms);
	return { label, runs, medianSyncedMs: median(synced), medianStep2Ms: median(step2), minSyncedMs: Math.min(...synced), minStep2Ms: Math.min(...step2), stored };
}

/**
 * The loading client runs here, in the orchestrator (idle meanwhile, normal priority), not in a
 * worker: the workers are niced for the fan-out runs and a load must not wait for the scheduler.
 */
async function loads(server: ServerUnderTest, document: string, count: number, between: () => Promise<void>): Promise<LoadTiming[]> {
	const runs: LoadTiming[] = [];
	for (let i = 0; i < count; i++) {
		await between();
		runs.push(await loadOnce(server.endpoint(document, loaderUser)));
	}
	return runs;
}

/**
 * The in-memory servers: one client sends the history and stays connected (without it they would
 * drop the document), then `count` new clients load it one after the other.
 */
export async function runLoadInMemory(server: ServerUnderTest, pool: WorkerPool, history: History, count: number): Promise<LoadResult> {
	const [document] = server.documents(1) as [string];
	const { ms } = await pool.call(0, {
		op: 'write-history',
		endpoint: server.endpoint(document, writerUser),
		messages: history.messages,
		...pace,
		finalStateVector: history.finalStateVector,
		waitForSaved: false
	});
	const runs = await loads(server, document, count, () => sleep(300));
	const rssAfterMiB = rssMiB(server.pid);
	await pool.all(() => ({ op: 'close' as const }));
	return { server: server.name, buildMs: ms, series: [series('in memory', runs)], rssAfterMiB, verified: runs.every((r) => r.contentLength === history.contentLength) };
}

/**
 * Plenary: the history goes in through the protocol (every message stored as room.ts stores it,
 * within its 20 ms save window) until the server confirms it saved everything. Then the process is
 * killed (SIGKILL: no final compaction, the document is only its update log) and started again:
 * 1. the first load replays that log;
 * 2. after each client leaves the room is unloaded (COLLAB_UNLOAD_DELAY_MS) and compacted into a
 *    snapshot, the state of any document nobody has open; the next `count` loads read it;
 * 3. with one client keeping the room open, `count` loads from memory, as the other servers do.
 */
export async function runLoadPlenary(
	start: () => Promise<ServerUnderTest>,
	stored: (documentId: string) => Promise<Stored>,
	pool: WorkerPool,
	history: History,
	count: number,
	unloadWaitMs: number
): Promise<LoadResult> {
	let server = await start();
	try {
		const [document] = server.documents(1) as [string];
		const writer = () => server.endpoint(document, writerUser);
		const { ms } = await pool.call(0, { op: 'write-history', endpoint: writer(), messages: history.messages, ...pace, finalStateVector: history.finalStateVector, waitForSaved: true });
		await pool.all(() => ({ op: 'close' as const }));
		await server.stop('SIGKILL');
		server = await start();
		const logState = await stored(document);
		const fromLog = await loads(server, document, 1, async () => {});
		await sleep(unloadWaitMs);
		const snapshotState = await stored(document);
		const fromSnapshot = await loads(server, document, count, () => sleep(unloadWaitMs));
		await sleep(unloadWaitMs);
		// A holder with nothing to send keeps the room open.
		await pool.call(0, { op: 'write-history', endpoint: writer(), messages: [], ...pace, finalStateVector: history.finalStateVector, waitForSaved: false });
		const warm = await loads(server, document, count, () => sleep(300));
		const rssAfterMiB = rssMiB(server.pid);
		await pool.all(() => ({ op: 'close' as const }));
		const all = [...fromLog, ...fromSnapshot, ...warm];
		return {
			server: 'Plenary',
			buildMs: ms,
			series: [
				series('from the database: update log after a crash', fromLog, logState),
				series('from the database: snapshot', fromSnapshot, snapshotState),
				series('in memory (room open)', warm)
			],
			rssAfterMiB,
			verified: all.every((r) => r.contentLength === history.contentLength)
		};
	} finally {
		await server.stop();
	}
}
