export type Percentiles = { count: number; p50: number; p95: number; p99: number; max: number; within1s: number };

/** Exact percentiles (nearest rank) of all samples of all workers, in milliseconds. */
export function percentiles(parts: Float32Array[]): Percentiles {
	const total = parts.reduce((sum, part) => sum + part.length, 0);
	const all = new Float32Array(total);
	let offset = 0;
	for (const part of parts) {
		all.set(part, offset);
		offset += part.length;
	}
	all.sort();
	const at = (q: number) => (total ? all[Math.min(total - 1, Math.max(0, Math.ceil(q * total) - 1))]! : NaN);
	let within1s = 0;
	for (let i = 0; i < total && all[i]! <= 1000; i++) within1s++;
	return { count: total, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: total ? all[total - 1]! : NaN, within1s };
}

export function median(values: number[]): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
