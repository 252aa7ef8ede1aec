/** Milliseconds since the run's epoch on CLOCK_MONOTONIC, which every process on the machine shares. */
export function clockFrom(epoch: bigint): () => number {
	return () => Number(process.hrtime.bigint() - epoch) / 1e6;
}

/** At most this many latencies are kept per worker (128 MiB); more are counted but not kept. */
const maxSamples = 32 * 1024 * 1024;

/**
 * The latencies one worker process measured, in milliseconds, kept whole (not bucketed) so the
 * orchestrator computes exact percentiles over all workers. Only tokens sent inside the measured
 * window count; `open` is false once the orchestrator has stopped waiting for stragglers.
 */
export class LatencySink {
	private data = new Float32Array(1 << 16);
	length = 0;
	dropped = 0;
	from = Infinity;
	to = -Infinity;
	open = true;

	counts(sentAt: number): boolean {
		return this.open && sentAt >= this.from && sentAt < this.to;
	}

	record(ms: number): void {
		if (this.length === this.data.length) {
			if (this.length >= maxSamples) {
				this.dropped++;
				return;
			}
			const bigger = new Float32Array(this.data.length * 2);
			bigger.set(this.data);
			this.data = bigger;
		}
		this.data[this.length++] = ms;
	}

	take(): Float32Array {
		const out = this.data.slice(0, this.length);
		this.data = new Float32Array(1 << 16);
		this.length = 0;
		return out;
	}
}
