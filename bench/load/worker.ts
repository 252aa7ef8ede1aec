// A load-generator process, forked by bench/index.ts: it owns a share of the clients of a scenario
// and answers the orchestrator's requests (messages.ts) one at a time.
import { LoadClient } from './client';
import { releaseHistory, writeHistory } from './history-client';
import { askQuestions, closeLive, collectLive, collectQuestions, liveProgress, openLive, questionProgress, resetArrivals } from './live-clients';
import type { ClientSpec, OpenResult, TypeResult, WorkerMessage, WorkerRequest, WorkerStats } from './messages';
import { ProviderProbe } from './probe';
import { clockFrom, LatencySink } from './sink';

const now = clockFrom(BigInt(process.argv[2] ?? '0'));
let sink = new LatencySink();
let probeSink = new LatencySink();
let clients: LoadClient[] = [];
let probes: ProviderProbe[] = [];

async function open(specs: ClientSpec[], concurrency: number): Promise<OpenResult> {
	const started = now();
	const errors: string[] = [];
	let failed = 0;
	let next = 0;
	const one = async () => {
		while (next < specs.length) {
			const spec = specs[next++]!;
			try {
				if (spec.role === 'probe') {
					const probe = new ProviderProbe(spec.endpoint, probeSink, now);
					probes.push(probe);
					await withTimeout(probe.synced, 60_000);
				} else {
					const client = new LoadClient(spec.endpoint, spec.doc, spec.role, sink, now);
					clients.push(client);
					await withTimeout(client.synced, 60_000);
					client.startParagraph();
				}
			} catch (error) {
				failed++;
				if (errors.length < 5) errors.push(String((error as Error).message));
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, one));
	return { opened: specs.length - failed, failed, errors, ms: now() - started };
}

/** Every typist types one token every `intervalMs`, each with its own random phase, from `from` to `to`. */
function type(from: number, measureFrom: number, to: number, intervalMs: number): Promise<TypeResult> {
	sink.from = probeSink.from = measureFrom;
	sink.to = probeSink.to = to;
	const typists = clients.filter((client) => client.clientId !== -1 && client.ws.readyState === client.ws.OPEN);
	const due = typists.map(() => from + Math.random() * intervalMs);
	const sentByDoc: Record<number, number> = {};
	const lateness: number[] = [];
	let keystrokes = 0;
	let skipped = 0;
	return new Promise((resolve) => {
		const timer = setInterval(() => {
			const t = now();
			typists.forEach((typist, i) => {
				if (due[i]! > t || due[i]! >= to) return;
				const late = t - due[i]!;
				lateness.push(late);
				// A generator that fell a whole interval behind skips, rather than bursting to catch up.
				if (late > intervalMs) skipped++;
				due[i] = late > intervalMs ? t + intervalMs : due[i]! + intervalMs;
				if (typist.ws.readyState !== typist.ws.OPEN) return;
				const at = typist.type();
				keystrokes++;
				if (at >= measureFrom && at < to) sentByDoc[typist.doc] = (sentByDoc[typist.doc] ?? 0) + 1;
			});
			if (t >= to) {
				clearInterval(timer);
				lateness.sort((a, b) => a - b);
				resolve({
					sentByDoc,
					keystrokes,
					lateP99: lateness[Math.floor(lateness.length * 0.99)] ?? 0,
					lateMax: lateness.at(-1) ?? 0,
					skipped
				});
			}
		}, 1);
	});
}

function collect(): WorkerStats {
	sink.open = probeSink.open = false;
	const trouble: Record<string, number> = {};
	for (const client of clients) {
		if (!client.trouble) continue;
		const key = 'code' in client.trouble ? `closed ${client.trouble.code} ${client.trouble.reason}`.trim() : client.trouble.error;
		trouble[key] = (trouble[key] ?? 0) + 1;
	}
	const stats: WorkerStats = {
		latencies: sink.take(),
		probe: probeSink.take(),
		received: clients.reduce((sum, client) => sum + client.received, 0),
		probeReceived: probes.reduce((sum, probe) => sum + probe.received, 0),
		frames: clients.reduce((sum, client) => sum + client.frames, 0),
		bytes: clients.reduce((sum, client) => sum + client.bytes, 0),
		savedFrames: clients.reduce((sum, client) => sum + client.savedFrames, 0),
		dropped: sink.dropped,
		trouble
	};
	return stats;
}

async function close(): Promise<Record<string, never>> {
	await Promise.all(clients.map((client) => client.close()));
	for (const probe of probes) probe.close();
	await releaseHistory();
	clients = [];
	probes = [];
	sink = new LatencySink();
	probeSink = new LatencySink();
	return {};
}

async function handle(request: WorkerRequest): Promise<unknown> {
	switch (request.op) {
		case 'open':
			return open(request.clients, request.concurrency);
		case 'type':
			return type(request.from, request.measureFrom, request.to, request.intervalMs);
		case 'progress':
			return { received: clients.reduce((sum, client) => sum + client.received, 0) + probes.reduce((sum, probe) => sum + probe.received, 0) };
		case 'collect':
			return collect();
		case 'close':
			return close();
		case 'write-history':
			return writeHistory(request.endpoint, request.messages, request, request.finalStateVector, request.waitForSaved);
		case 'live-open':
			return openLive(request.spec, request.concurrency, now);
		case 'live-reset':
			resetArrivals();
			return {};
		case 'live-progress':
			return liveProgress(request.version);
		case 'live-collect':
			return collectLive();
		case 'live-close':
			closeLive();
			return {};
		case 'questions-ask':
			return askQuestions(request.sessionId, request.askers, request.perSecond, request.from, request.to, request.upvotesPerQuestion, now);
		case 'questions-progress':
			return questionProgress();
		case 'questions-collect':
			return collectQuestions();
	}
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`not synced within ${ms} ms`)), ms)));
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

process.on('message', (message: { id: number; request: WorkerRequest }) => {
	handle(message.request).then(
		(result) => process.send!({ id: message.id, result } satisfies WorkerMessage),
		(error: Error) => process.send!({ id: message.id, error: error.stack ?? error.message } satisfies WorkerMessage)
	);
});
process.on('disconnect', () => process.exit(0));
