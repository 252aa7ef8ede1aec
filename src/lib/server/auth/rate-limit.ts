/**
 * Counts failures per key in a sliding window, in memory. Login throttling uses two: per account
 * (strict) and per address (loose, because a whole venue shares one NAT address). With several
 * instances each keeps its own counts, so an attacker spread over N instances gets N× the budget;
 * acceptable until scale-out moves this to Redis.
 */
export class FailureWindow {
	private readonly failures = new Map<string, number[]>();
	private calls = 0;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly now: () => number = Date.now
	) {}

	/** Seconds until `key` may try again, or 0 when it may try now. */
	retryAfter(key: string): number {
		const recent = this.recent(key);
		if (recent.length < this.limit) return 0;
		return Math.max(1, Math.ceil((recent[recent.length - this.limit]! + this.windowMs - this.now()) / 1000));
	}

	fail(key: string): void {
		const recent = this.recent(key);
		recent.push(this.now());
		this.failures.set(key, recent.slice(-this.limit));
		if (++this.calls % 1000 === 0) this.prune();
	}

	reset(key: string): void {
		this.failures.delete(key);
	}

	private recent(key: string): number[] {
		const since = this.now() - this.windowMs;
		return (this.failures.get(key) ?? []).filter((at) => at > since);
	}

	private prune(): void {
		const since = this.now() - this.windowMs;
		for (const [key, times] of this.failures) if (times.every((at) => at <= since)) this.failures.delete(key);
	}
}

export type LoginLimiter = { perAccount: FailureWindow; perAddress: FailureWindow };

export function createLoginLimiter(now?: () => number): LoginLimiter {
	const fifteenMinutes = 15 * 60 * 1000;
	return { perAccount: new FailureWindow(5, fifteenMinutes, now), perAddress: new FailureWindow(100, fifteenMinutes, now) };
}
