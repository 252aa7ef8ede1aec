import type { LiveArrivals, LiveOpenResult, LiveSpec, QuestionStats } from './live-clients';
import type { Endpoint } from './protocol';

/** Between the orchestrator (bench/index.ts) and its forked load workers (bench/load/worker.ts). */
export type ClientSpec = { endpoint: Endpoint; role: 'typist' | 'receiver' | 'probe'; doc: number };

export type WorkerRequest =
	| { op: 'open'; clients: ClientSpec[]; concurrency: number }
	| { op: 'type'; from: number; measureFrom: number; to: number; intervalMs: number }
	| { op: 'progress' }
	| { op: 'collect' }
	| { op: 'close' }
	| { op: 'write-history'; endpoint: Endpoint; messages: Uint8Array[]; perSecond: number; burst: number; finalStateVector: Uint8Array; waitForSaved: boolean }
	| { op: 'live-open'; spec: LiveSpec; concurrency: number }
	| { op: 'live-reset' }
	| { op: 'live-progress'; version: number }
	| { op: 'live-collect' }
	| { op: 'live-close' }
	| { op: 'questions-ask'; sessionId: string; askers: number; perSecond: number; from: number; to: number; upvotesPerQuestion: number }
	| { op: 'questions-progress' }
	| { op: 'questions-collect' };

export type OpenResult = { opened: number; failed: number; errors: string[]; ms: number };
export type TypeResult = { sentByDoc: Record<number, number>; keystrokes: number; lateP99: number; lateMax: number; skipped: number };
export type WorkerStats = {
	latencies: Float32Array;
	probe: Float32Array;
	received: number;
	probeReceived: number;
	frames: number;
	bytes: number;
	savedFrames: number;
	dropped: number;
	/** Connections that ended or were refused without the benchmark asking, by reason. */
	trouble: Record<string, number>;
};
export type HistoryResult = { ms: number };
export type LoadTiming = {
	/** From `new WebSocket` to: the upgrade answered, sync step 2 in hand, step 2 applied to a fresh Y.Doc. */
	openMs: number;
	step2Ms: number;
	syncedMs: number;
	bytes: number;
	/** Length of the loaded document's XML, to check every server served the same document. */
	contentLength: number;
};

export type WorkerResults = {
	open: OpenResult;
	type: TypeResult;
	progress: { received: number };
	collect: WorkerStats;
	close: Record<string, never>;
	'write-history': HistoryResult;
	'live-open': LiveOpenResult;
	'live-reset': Record<string, never>;
	'live-progress': { received: number };
	'live-collect': LiveArrivals;
	'live-close': Record<string, never>;
	'questions-ask': Omit<QuestionStats, 'latencies' | 'received' | 'duplicates' | 'perQuestion'>;
	'questions-progress': { received: number };
	'questions-collect': Pick<QuestionStats, 'latencies' | 'received' | 'duplicates' | 'perQuestion'>;
};

export type WorkerMessage = { id: number; result?: unknown; error?: string };
