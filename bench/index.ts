// `npm run bench [-- --quick] [--only=ID,…] [--servers=NAME,…] [--workers=N] [--pglite] [--profile]`
// Plenary's collab server, the reference y-websocket server and Hocuspocus under the same load
// generator over loopback, one after the other, each in a fresh process per scenario. Results go
// to docs/BENCHMARKS.md (a quick run to test-artifacts/) and test-artifacts/bench-*.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { buildHistory } from './load/history';
import { WorkerPool } from './load/pool';
import { clockFrom } from './load/sink';
import { scanStrings, scanStringsWithYjs } from './load/tokens';
import { otherCpuPercent } from './measure/proc';
import { writeReport, type Run } from './report';
import { runFanout, type FanoutResult, type FanoutScenario, type Timing } from './scenarios/fanout';
import { runLoadInMemory, runLoadPlenary } from './scenarios/load';
import { runQuestions, type QuestionsTiming } from './scenarios/questions';
import { runSession, type SessionTiming } from './scenarios/session';
import { root } from './servers/child';
import { postgresAnswers, prepareDatabase, type PlenaryDatabase } from './servers/plenary-db';
import { documentServers, serverNames, startFloor, startHocuspocus, startPlenary, startReference, type ServerName, type ServerUnderTest } from './servers/servers';

const { values: args } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		only: { type: 'string' },
		servers: { type: 'string' },
		workers: { type: 'string', default: '2' },
		pglite: { type: 'boolean', default: false },
		postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
		out: { type: 'string' },
		profile: { type: 'boolean', default: false }
	}
});
const quick = args.quick!;

const scenarios: FanoutScenario[] = [
	{ id: 'doc-200', title: 'One document, 200 clients, 20 of them typing (10 %)', documents: 1, clientsPerDocument: 200, typistsPerDocument: 20 },
	{ id: 'doc-500', title: 'One document, 500 clients, 50 of them typing (10 %)', documents: 1, clientsPerDocument: 500, typistsPerDocument: 50 },
	{ id: 'docs-100x10', title: '100 documents × 10 clients, 1 typist each', documents: 100, clientsPerDocument: 10, typistsPerDocument: 1 },
	{
		id: 'doc-500-50',
		title: 'One document, 500 clients, 50 typists (the brief\'s third case; 10 % of 500 is 50, so it repeats the second and shows run-to-run variation)',
		documents: 1,
		clientsPerDocument: 500,
		typistsPerDocument: 50
	}
].filter((scenario) => !args.only || args.only.split(',').includes(scenario.id))
	.filter((scenario) => !quick || scenario.id !== 'doc-500-50');
const runHistory = !args.only || args.only.split(',').includes('load');
const runSessionRoom = (!args.only || args.only.split(',').includes('session-500')) && (!args.servers || args.servers.split(',').includes('Plenary'));
const sessionParticipants = 500;
const runQuestionStream = (!args.only || args.only.split(',').includes('questions-300')) && (!args.servers || args.servers.split(',').includes('Plenary'));
// 150 askers at 30 questions a second: each asks every 5 s, within the limit of 5 per 10 s.
const questionsTiming: QuestionsTiming = { participants: 300, perSecond: 30, seconds: quick ? 10 : 30, askers: 150, upvotesPerQuestion: 3 };
const sessionTiming: SessionTiming = quick ? { presses: 20, spacingMs: 300 } : { presses: 60, spacingMs: 300 };
const servers = serverNames.filter((name) => !args.servers || args.servers.split(',').includes(name));
const timing: Timing = quick
	? { warmupMs: 1000, measureMs: 5000, drainMaxMs: 5000, intervalMs: 200 }
	: { warmupMs: 3000, measureMs: 12000, drainMaxMs: 15000, intervalMs: 200 };
const historyEdits = quick ? 20_000 : 200_000;
const editsPerMessage = 1000;
const loadRuns = quick ? 2 : 7;
const unloadDelayMs = 1000;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const version = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** The scanner the receivers rely on must read exactly what Yjs reads. */
function selfCheck(): void {
	const sample = buildHistory(3000, 100);
	for (const message of sample.messages) {
		const ours: string[] = [];
		const yjs: string[] = [];
		scanStrings(message, (client, clock, text) => ours.push(`${client}:${clock}:${text}`));
		scanStringsWithYjs(message, (client, clock, text) => yjs.push(`${client}:${clock}:${text}`));
		if (ours.join('|') !== yjs.join('|')) throw new Error('bench/load/tokens.ts scanStrings disagrees with Y.decodeUpdate');
	}
}

async function machine(databaseUrl: string | null): Promise<Record<string, string>> {
	const git = (...command: string[]) => execFileSync('git', command, { cwd: root }).toString().trim();
	let database = '–';
	if (databaseUrl) {
		const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
		database = ((await sql<{ version: string }[]>`select version()`)[0]?.version ?? '').split(' on ')[0]!;
		await sql.end();
	}
	return {
		cores: `${availableParallelism()} (nproc) · ${cpus()[0]?.model ?? 'unknown CPU'}`,
		memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
		kernel: `Linux ${release()}`,
		node: process.version,
		PostgreSQL: database,
		Plenary: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'server', 'src').length ? ' + uncommitted changes in server/ or src/ (the build measured is of the working tree)' : ''}`,
		packages: ['yjs', 'y-protocols', 'ws', '@y/websocket-server', '@hocuspocus/server', '@hocuspocus/common', '@hocuspocus/provider', 'y-websocket']
			.map((name) => `${name} ${version(name)}`)
			.join(', ')
	};
}

/** Waits (at most 10 s) until the rest of the machine uses less than a quarter of a core. */
async function quiet(pool: WorkerPool): Promise<void> {
	const deadline = Date.now() + 10_000;
	let other = await otherCpuPercent(pool.pids, 1000);
	while (other > 25 && Date.now() < deadline) other = await otherCpuPercent(pool.pids, 1000);
	if (other > 25) log(`the machine is busy with other work (${Math.round(other)} % of a core); measuring anyway`);
}

const artifacts = join(root, 'test-artifacts');
/** Servers running now, for the cleanup on Ctrl-C. */
const running = new Set<ServerUnderTest>();

/** With --profile every server process writes a V8 CPU profile at exit (see bench/measure/profile.ts). */
function starter(name: ServerName, database: PlenaryDatabase, label: string): () => Promise<ServerUnderTest> {
	const nodeArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(artifacts, 'profiles', `${label}-${name}`)}`] : [];
	const starters: Record<ServerName, () => Promise<ServerUnderTest>> = {
		Plenary: () => startPlenary({ database, unloadDelayMs, nodeArgs }),
		'y-websocket-server': () => startReference(nodeArgs),
		Hocuspocus: () => startHocuspocus(nodeArgs),
		'relay-floor': () => startFloor(nodeArgs)
	};
	const start = starters[name];
	return async () => {
		const server = await start();
		running.add(server);
		const stop = server.stop;
		return Object.assign(server, { stop: (signal?: NodeJS.Signals) => stop(signal).finally(() => running.delete(server)) });
	};
}

/**
 * A fan-out trial disturbed by other work on the machine (more than `disturbedAbove` % of a core
 * on average in the measured window) is run again, at most `maxTrials` times in all and only while
 * the run is within its time budget; the least disturbed trial is kept.
 */
const disturbedAbove = 25;
const maxTrials = quick ? 1 : 3;
const retryBudgetMs = 7 * 60_000;

async function fanoutTrials(name: ServerName, database: PlenaryDatabase, pool: WorkerPool, scenario: FanoutScenario): Promise<FanoutResult> {
	let best: FanoutResult | null = null;
	for (let trial = 1; trial <= maxTrials; trial++) {
		await quiet(pool);
		const server = await starter(name, database, scenario.id)();
		let result: FanoutResult;
		try {
			result = await runFanout(server, pool, scenario, timing, now);
		} catch (error) {
			log(`${scenario.id} ${name} failed: ${(error as Error).stack}\n${server.output().slice(-2000)}`);
			await pool.all(() => ({ op: 'close' as const })).catch(() => {});
			throw error;
		} finally {
			await server.stop();
		}
		if (!best || result.resources.otherCpuPercent < best.resources.otherCpuPercent) best = result;
		best = { ...best, trials: trial };
		const { latency, resources } = result;
		log(
			`${scenario.id} ${name} trial ${trial}: p50 ${latency.p50.toFixed(1)} p99 ${latency.p99.toFixed(1)} max ${latency.max.toFixed(0)} ms, ` +
				`delivered ${((result.received / result.expected) * 100).toFixed(2)} %, CPU ${resources.cpuPercent.toFixed(0)} %, other ${resources.otherCpuPercent.toFixed(0)} %`
		);
		if (resources.otherCpuPercent <= disturbedAbove || Date.now() - startedAt.getTime() > retryBudgetMs) break;
	}
	return best!;
}

const startedAt = new Date();
const epoch = process.hrtime.bigint();
const now = clockFrom(epoch);
selfCheck();
if (runHistory) log(`building the ${historyEdits.toLocaleString('en')}-edit history`);
const history = runHistory ? buildHistory(historyEdits, editsPerMessage) : null;
const databaseUrl = !args.pglite && (await postgresAnswers(args.postgres!)) ? args.postgres! : null;
log(`Plenary's database: ${databaseUrl ? 'PostgreSQL (scratch database)' : 'PGlite (temp folder)'}; seeding`);
const database = await prepareDatabase(databaseUrl);
const pool = new WorkerPool(Number(args.workers), epoch);
const run: Run = {
	startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
	seconds: 0,
	command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
	quick,
	machine: await machine(databaseUrl),
	database: databaseUrl ? `PostgreSQL on 127.0.0.1 (scratch database, dropped afterwards)` : 'PGlite in a temp folder',
	workers: pool.size,
	timing,
	history: history && { ...history, messages: history.messages.length, editsPerMessage },
	scenarios,
	fanout: [],
	loads: [],
	sessions: [],
	sessionTiming,
	questions: [],
	loadRuns
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		log(`${signal}: stopping`);
		void Promise.all([...running].map((server) => server.stop('SIGKILL')))
			.then(() => pool.close())
			.then(() => database.dispose())
			.finally(() => process.exit(130));
	});
}

try {
	for (const [index, scenario] of scenarios.entries()) {
		// Rotate the order so no server always runs first (cold caches) or last.
		const order = servers.map((_name, i) => servers[(i + index) % servers.length]!);
		for (const name of order) {
			try {
				run.fanout.push(await fanoutTrials(name, database, pool, scenario));
			} catch (error) {
				run.fanout.push({ scenario: scenario.id, server: name, error: (error as Error).message });
			}
		}
	}
	if (runSessionRoom) {
		try {
			await quiet(pool);
			const server = await starter('Plenary', database, 'session-500')();
			try {
				const result = await runSession(server, server.baseUrl!, database, pool, sessionParticipants, sessionTiming, now);
				run.sessions.push(result);
				log(
					`session-500: ${result.participants - result.connectFailures} joined; next speaker → every participant p50 ${result.perParticipant.p50.toFixed(1)} p99 ${result.perParticipant.p99.toFixed(1)} ms, ` +
						`→ last participant p50 ${result.lastParticipant.p50.toFixed(1)} p99 ${result.lastParticipant.p99.toFixed(1)} ms; ` +
						`RSS ${result.rssIdleMiB.toFixed(0)} → ${result.rssConnectedMiB.toFixed(0)} MiB`
				);
			} finally {
				await server.stop();
			}
		} catch (error) {
			log(`session-500 failed: ${(error as Error).stack}`);
			run.sessions.push({ scenario: 'session-500', error: (error as Error).message });
			await pool.all(() => ({ op: 'live-close' as const })).catch(() => {});
		}
	}
	if (runQuestionStream) {
		try {
			await quiet(pool);
			const server = await starter('Plenary', database, 'questions-300')();
			try {
				const result = await runQuestions(server, server.baseUrl!, database, pool, questionsTiming, now);
				run.questions.push(result);
				log(
					`questions-300: ${result.asked} asked, ${result.upvoted} upvotes; to every participant p50 ${result.latency.p50.toFixed(1)} p99 ${result.latency.p99.toFixed(1)} ms, ` +
						`to the last p50 ${result.lastParticipant.p50.toFixed(1)} p99 ${result.lastParticipant.p99.toFixed(1)} ms; delivered ${result.received}/${result.expected}, duplicates ${result.duplicates}`
				);
			} finally {
				await server.stop();
			}
		} catch (error) {
			log(`questions-300 failed: ${(error as Error).stack}`);
			run.questions.push({ scenario: 'questions-300', error: (error as Error).message });
			await pool.all(() => ({ op: 'live-close' as const })).catch(() => {});
		}
	}
	if (history) {
		for (const name of servers.filter((server) => documentServers.includes(server))) {
			try {
				await quiet(pool);
				if (name === 'Plenary') {
					run.loads.push(await runLoadPlenary(starter(name, database, 'load'), database.stored, pool, history, loadRuns, unloadDelayMs + 2000));
				} else {
					const server = await starter(name, database, 'load')();
					try {
						run.loads.push(await runLoadInMemory(server, pool, history, loadRuns));
					} finally {
						await server.stop();
					}
				}
				const last = run.loads.at(-1)!;
				if (!('error' in last)) log(`load ${name}: ${last.series.map((s) => `${s.label} ${s.medianSyncedMs.toFixed(0)} ms`).join(', ')}`);
			} catch (error) {
				log(`load ${name} failed: ${(error as Error).stack}`);
				run.loads.push({ server: name, error: (error as Error).message });
				await pool.all(() => ({ op: 'close' as const })).catch(() => {});
			}
		}
	}
} finally {
	pool.close();
	await database.dispose();
}

run.seconds = (Date.now() - startedAt.getTime()) / 1000;
mkdirSync(artifacts, { recursive: true });
writeFileSync(join(artifacts, `bench-${run.startedAt.replace(/[:]/g, '-')}.json`), JSON.stringify(run, null, '\t'));
const out = args.out ?? (quick ? join(artifacts, 'BENCHMARKS.quick.md') : join(root, 'docs', 'BENCHMARKS.md'));
writeReport(out, run);
log(`done in ${Math.round(run.seconds)} s; wrote ${out}`);
