import type { WorkerPool } from '../load/pool';
import { watchResources, type ResourceReport } from '../measure/proc';
import { percentiles, type Percentiles } from '../measure/stats';
import { seeded, type PlenaryDatabase } from '../servers/plenary-db';
import type { ServerUnderTest } from '../servers/servers';

export type QuestionsTiming = { participants: number; perSecond: number; seconds: number; askers: number; upvotesPerQuestion: number };

export type QuestionsResult = {
	scenario: 'questions-300';
	timing: QuestionsTiming;
	joined: number;
	connectFailures: number;
	asked: number;
	refused: Record<string, number>;
	upvoted: number;
	upvoteRefused: Record<string, number>;
	/** Every participant's arrival of every question, minus its sending. */
	latency: Percentiles;
	/** Per question, the arrival at the last participant (a question not everybody got counts as never). */
	lastParticipant: Percentiles;
	expected: number;
	received: number;
	duplicates: number;
	generatorLateP99: number;
	resources: ResourceReport;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Issue 5's benchmark: `participants` people in one session; together they ask `perSecond`
 * questions a second for `seconds` (each asker within the limit of 5 per 10 s) and upvote each
 * question `upvotesPerQuestion` times within a second. Every participant (the askers too) records
 * when each question arrives (`comment:added`), so "delivered" counts (question, participant)
 * pairs and a second arrival of the same question at one participant counts as a duplicate.
 */
export async function runQuestions(server: ServerUnderTest, baseUrl: string, database: PlenaryDatabase, pool: WorkerPool, timing: QuestionsTiming, now: () => number): Promise<QuestionsResult> {
	const cookies = database.cookies.slice(seeded.members, seeded.members + timing.participants);
	const shares = Array.from({ length: pool.size }, (_unused, w) => cookies.filter((_cookie, i) => i % pool.size === w));
	const opened = await pool.all((w) => ({ op: 'live-open' as const, spec: { baseUrl, cookies: shares[w]!, sessionId: database.sessionId, raiseHands: 0 }, concurrency: 16 }));
	await sleep(1000);
	await pool.all(() => ({ op: 'live-reset' as const }));
	const joined = opened.reduce((sum, o) => sum + o.opened, 0);
	const from = now() + 500;
	const to = from + timing.seconds * 1000;
	const watch = watchResources(server.pid, await server.helperPids(), pool.pids);
	const asked = await pool.all(() => ({
		op: 'questions-ask' as const,
		sessionId: database.sessionId,
		askers: Math.ceil(timing.askers / pool.size),
		perSecond: timing.perSecond / pool.size,
		from,
		to,
		upvotesPerQuestion: timing.upvotesPerQuestion
	}));
	const resources = watch.stop();
	const accepted = asked.reduce((sum, a) => sum + a.asked - Object.values(a.refused).reduce((x, y) => x + y, 0), 0);
	const expected = accepted * joined;
	const drainStart = now();
	let last = -1;
	let lastChange = now();
	for (;;) {
		const received = (await pool.all(() => ({ op: 'questions-progress' as const }))).reduce((sum, p) => sum + p.received, 0);
		if (received !== last) lastChange = now();
		last = received;
		if (received >= expected || now() - lastChange > 3000 || now() - drainStart > 15_000) break;
		await sleep(250);
	}
	const collected = await pool.all(() => ({ op: 'questions-collect' as const }));
	await pool.all(() => ({ op: 'live-close' as const }));
	const merge = (parts: Record<string, number>[]) =>
		parts.reduce<Record<string, number>>((all, part) => {
			for (const [key, count] of Object.entries(part)) all[key] = (all[key] ?? 0) + count;
			return all;
		}, {});
	return {
		scenario: 'questions-300',
		timing,
		joined,
		connectFailures: opened.reduce((sum, o) => sum + o.failed, 0),
		asked: asked.reduce((sum, a) => sum + a.asked, 0),
		refused: merge(asked.map((a) => a.refused)),
		upvoted: asked.reduce((sum, a) => sum + a.upvoted, 0),
		upvoteRefused: merge(asked.map((a) => a.upvoteRefused)),
		latency: percentiles(collected.map((part) => part.latencies)),
		lastParticipant: percentiles([lastArrivals(collected.map((part) => part.perQuestion), joined)]),
		expected,
		received: collected.reduce((sum, part) => sum + part.received, 0),
		duplicates: collected.reduce((sum, part) => sum + part.duplicates, 0),
		generatorLateP99: Math.max(...asked.map((a) => a.lateP99)),
		resources
	};
}

function lastArrivals(parts: [string, { count: number; slowest: number }][][], joined: number): Float32Array {
	const merged = new Map<string, { count: number; slowest: number }>();
	for (const part of parts) {
		for (const [id, entry] of part) {
			const known = merged.get(id);
			if (known) {
				known.count += entry.count;
				known.slowest = Math.max(known.slowest, entry.slowest);
			} else merged.set(id, { ...entry });
		}
	}
	return Float32Array.from([...merged.values()], (entry) => (entry.count >= joined ? entry.slowest : Number.POSITIVE_INFINITY));
}
