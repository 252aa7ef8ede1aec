import type { ClientSpec, TypeResult, WorkerStats } from '../load/messages';
import type { WorkerPool } from '../load/pool';
import { watchResources, type ResourceReport } from '../measure/proc';
import { percentiles, type Percentiles } from '../measure/stats';
import { seeded } from '../servers/plenary-db';
import type { ServerName, ServerUnderTest } from '../servers/servers';

export type FanoutScenario = { id: string; title: string; documents: number; clientsPerDocument: number; typistsPerDocument: number };
export type Timing = { warmupMs: number; measureMs: number; drainMaxMs: number; intervalMs: number };

export type FanoutResult = {
	scenario: string;
	server: ServerName;
	clients: number;
	typists: number;
	connectFailures: number;
	connectMs: number;
	latency: Percentiles;
	/** The stock provider among the clients (ProviderProbe): same tokens, measured after Yjs applied them. */
	probe: Percentiles;
	expected: number;
	received: number;
	keystrokes: number;
	framesPerClientPerSecond: number;
	savedFramesPerClientPerSecond: number;
	resources: ResourceReport;
	generator: { lateP99: number; lateMax: number; skipped: number };
	trouble: Record<string, number>;
	drainMs: number;
	/** How many times the run was made (a run disturbed by other work is repeated; see index.ts). */
	trials: number;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Clients of each document: its typists are members (user numbers from 0), the others participants
 * (from `seeded.members`), as in a plenary where a few delegations draft and everybody watches.
 * The first receiver of the first document is a stock provider (the probe).
 */
function clientsOf(server: ServerUnderTest, scenario: FanoutScenario, documents: string[]): ClientSpec[] {
	const receivers = scenario.clientsPerDocument - scenario.typistsPerDocument;
	const specs: ClientSpec[] = [];
	documents.forEach((document, doc) => {
		for (let t = 0; t < scenario.typistsPerDocument; t++) {
			specs.push({ endpoint: server.endpoint(document, doc * scenario.typistsPerDocument + t), role: 'typist', doc });
		}
		for (let r = 0; r < receivers; r++) {
			const role = doc === 0 && r === 0 ? 'probe' : 'receiver';
			specs.push({ endpoint: server.endpoint(document, seeded.members + doc * receivers + r), role, doc });
		}
	});
	return specs;
}

/**
 * One server, one scenario: connect everybody, let the typists type for warmup + measure, wait for
 * stragglers (until all expected tokens arrived, nothing arrived for 3 s, or `drainMaxMs`), collect.
 * Only tokens sent in the measured window count; each is expected at every other client of its
 * document.
 */
export async function runFanout(
	server: ServerUnderTest,
	pool: WorkerPool,
	scenario: FanoutScenario,
	timing: Timing,
	now: () => number
): Promise<FanoutResult> {
	const documents = server.documents(scenario.documents);
	const specs = clientsOf(server, scenario, documents);
	const shares = Array.from({ length: pool.size }, (_unused, w) => specs.filter((_spec, i) => i % pool.size === w));
	const opened = await pool.all((w) => ({ op: 'open' as const, clients: shares[w]!, concurrency: 32 }));
	await sleep(1000);

	const from = now() + 500;
	const measureFrom = from + timing.warmupMs;
	const to = measureFrom + timing.measureMs;
	const helpers = await server.helperPids();
	let watch: { stop: () => ResourceReport } | null = null;
	const watching = sleep(measureFrom - now()).then(() => (watch = watchResources(server.pid, helpers, pool.pids)));
	const typed: TypeResult[] = await pool.all(() => ({ op: 'type' as const, from, measureFrom, to, intervalMs: timing.intervalMs }));
	await watching;
	const resources = watch!.stop();

	const sentByDoc: Record<number, number> = {};
	for (const result of typed) for (const [doc, count] of Object.entries(result.sentByDoc)) sentByDoc[Number(doc)] = (sentByDoc[Number(doc)] ?? 0) + count;
	const expected = Object.values(sentByDoc).reduce((sum, sent) => sum + sent * (scenario.clientsPerDocument - 1), 0);

	const drainStart = now();
	let last = -1;
	let lastChange = now();
	for (;;) {
		const received = (await pool.all(() => ({ op: 'progress' as const }))).reduce((sum, p) => sum + p.received, 0);
		if (received !== last) lastChange = now();
		last = received;
		if (received >= expected || now() - lastChange > 3000 || now() - drainStart > timing.drainMaxMs) break;
		await sleep(250);
	}
	const drainMs = now() - drainStart;
	const stats: WorkerStats[] = await pool.all(() => ({ op: 'collect' as const }));
	await pool.all(() => ({ op: 'close' as const }));

	const trouble: Record<string, number> = {};
	for (const part of stats) for (const [reason, count] of Object.entries(part.trouble)) trouble[reason] = (trouble[reason] ?? 0) + count;
	const clients = specs.length;
	const typedSeconds = (to - from) / 1000;
	return {
		scenario: scenario.id,
		server: server.name,
		clients,
		typists: scenario.documents * scenario.typistsPerDocument,
		connectFailures: opened.reduce((sum, o) => sum + o.failed, 0),
		connectMs: Math.max(...opened.map((o) => o.ms)),
		latency: percentiles(stats.flatMap((part) => [part.latencies, part.probe])),
		probe: percentiles(stats.map((part) => part.probe)),
		expected,
		received: stats.reduce((sum, part) => sum + part.received + part.probeReceived, 0),
		keystrokes: typed.reduce((sum, t) => sum + t.keystrokes, 0),
		framesPerClientPerSecond: stats.reduce((sum, part) => sum + part.frames, 0) / (clients - 1) / typedSeconds,
		savedFramesPerClientPerSecond: stats.reduce((sum, part) => sum + part.savedFrames, 0) / (clients - 1) / typedSeconds,
		resources,
		generator: {
			lateP99: Math.max(...typed.map((t) => t.lateP99)),
			lateMax: Math.max(...typed.map((t) => t.lateMax)),
			skipped: typed.reduce((sum, t) => sum + t.skipped, 0)
		},
		trouble,
		drainMs,
		trials: 1
	};
}
