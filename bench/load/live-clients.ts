import { io as connect, type Socket } from 'socket.io-client';

/** Participants of one live session (Socket.IO, as the session room page connects), in a worker. */
export type LiveSpec = { baseUrl: string; cookies: string[]; sessionId: string; raiseHands: number };
export type LiveOpenResult = { opened: number; failed: number; errors: string[]; ms: number };
/** Per state version, when each participant received it (ms on the shared clock). */
export type LiveArrivals = { versions: number[]; arrivals: Float64Array[]; clients: number };

let sockets: Socket[] = [];
let arrivals = new Map<number, number[]>();

/** Question stream measurements: latency of each question at each participant, duplicates, upvote echoes. */
export type QuestionStats = { latencies: Float32Array; received: number; duplicates: number; perQuestion: [string, { count: number; slowest: number }][]; asked: number; refused: Record<string, number>; upvoted: number; upvoteRefused: Record<string, number>; lateP99: number };
let questionLatencies: number[] = [];
let questionsSeen: Set<string>[] = [];
let questionDuplicates = 0;
/** Per question: how many of this worker's participants got it, and the slowest of them. */
let perQuestion = new Map<string, { count: number; slowest: number }>();

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
				const seen = new Set<string>();
				questionsSeen.push(seen);
				socket.on('comment:added', ({ comment }: { comment: { id: string; body: string } }) => {
					const at = now();
					if (seen.has(comment.id)) return void questionDuplicates++;
					seen.add(comment.id);
					const sentAt = /^q (\d+(?:\.\d+)?) /.exec(comment.body)?.[1];
					if (sentAt === undefined) return;
					const latency = at - Number(sentAt);
					questionLatencies.push(latency);
					const entry = perQuestion.get(comment.id);
					if (entry) {
						entry.count++;
						entry.slowest = Math.max(entry.slowest, latency);
					} else perQuestion.set(comment.id, { count: 1, slowest: latency });
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
	questionLatencies = [];
	questionDuplicates = 0;
	perQuestion = new Map();
	for (const seen of questionsSeen) seen.clear();
}

export function liveProgress(version: number): { received: number } {
	return { received: arrivals.get(version)?.length ?? 0 };
}

export function collectLive(): LiveArrivals {
	const versions = [...arrivals.keys()].sort((a, b) => a - b);
	return { versions, arrivals: versions.map((version) => Float64Array.from(arrivals.get(version)!)), clients: sockets.length };
}

/**
 * This worker's share of the questions: `askers` of its sockets ask in turn so that together they
 * send `perSecond` questions a second from `from` to `to`; every question is upvoted by
 * `upvotesPerQuestion` other sockets of this worker, spread over the following second.
 */
export async function askQuestions(sessionId: string, askers: number, perSecond: number, from: number, to: number, upvotesPerQuestion: number, now: () => number): Promise<Omit<QuestionStats, 'latencies' | 'received' | 'duplicates' | 'perQuestion'>> {
	const refused: Record<string, number> = {};
	const upvoteRefused: Record<string, number> = {};
	const lateness: number[] = [];
	let asked = 0;
	let upvoted = 0;
	const pending: Promise<void>[] = [];
	const intervalMs = 1000 / perSecond;
	let due = from;
	let turn = 0;
	const voters = sockets.slice(askers);
	while (due < to) {
		const wait = due - now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		const t = now();
		lateness.push(t - due);
		const socket = sockets[turn++ % askers]!;
		const body = `q ${t.toFixed(3)} — what does Recommendation ${turn % 12} mean for the courts of first instance?`;
		asked++;
		pending.push(
			(socket.timeout(30_000).emitWithAck('comment:add', { sessionId, body, clientId: crypto.randomUUID() }) as Promise<{ ok: boolean; comment?: { id: string }; error?: { code: string } }>).then(
				(answer) => {
					if (!answer.ok || !answer.comment) {
						refused[answer.error?.code ?? 'unknown'] = (refused[answer.error?.code ?? 'unknown'] ?? 0) + 1;
						return;
					}
					for (let v = 0; v < upvotesPerQuestion && voters.length; v++) {
						const voter = voters[Math.floor(Math.random() * voters.length)]!;
						const commentId = answer.comment.id;
						pending.push(
							new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 1000)).then(async () => {
								const vote = (await voter.timeout(30_000).emitWithAck('comment:upvote', { commentId })) as { ok: boolean; error?: { code: string } };
								if (vote.ok) upvoted++;
								else upvoteRefused[vote.error?.code ?? 'unknown'] = (upvoteRefused[vote.error?.code ?? 'unknown'] ?? 0) + 1;
							})
						);
					}
				},
				(error: Error) => void (refused[error.message] = (refused[error.message] ?? 0) + 1)
			)
		);
		due += intervalMs;
	}
	await Promise.all(pending);
	await Promise.all(pending); // the upvotes added while the questions were answered
	lateness.sort((a, b) => a - b);
	return { asked, refused, upvoted, upvoteRefused, lateP99: lateness[Math.floor(lateness.length * 0.99)] ?? 0 };
}

export function questionProgress(): { received: number } {
	return { received: questionLatencies.length };
}

export function collectQuestions(): Pick<QuestionStats, 'latencies' | 'received' | 'duplicates' | 'perQuestion'> {
	return { latencies: Float32Array.from(questionLatencies), received: questionLatencies.length, duplicates: questionDuplicates, perQuestion: [...perQuestion] };
}

export function closeLive(): void {
	for (const socket of sockets) socket.disconnect();
	sockets = [];
	arrivals = new Map();
	questionLatencies = [];
	questionsSeen = [];
	questionDuplicates = 0;
	perQuestion = new Map();
}
