/**
 * Counts failures per key in a sliding window, in memory. With several instances each keeps its own
 * counts, so an attacker spread over N instances gets N× the budget; acceptable until scale-out
 * moves this to Redis.
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

	/** Records a failure (or an attempt counted before its outcome is known); returns its time for `forgive`. */
	fail(key: string): number {
		const at = this.now();
		const recent = this.recent(key);
		recent.push(at);
		this.failures.set(key, recent.slice(-this.limit));
		if (++this.calls % 1000 === 0) this.prune();
		return at;
	}

	/** Takes back one attempt recorded at `at` (it turned out to be a success). */
	forgive(key: string, at: number): void {
		const times = this.failures.get(key);
		const index = times?.lastIndexOf(at) ?? -1;
		if (index >= 0) times!.splice(index, 1);
	}

	/** Failures of `key` within the window, and the time of the latest. */
	count(key: string): { count: number; last: number } {
		const recent = this.recent(key);
		return { count: recent.length, last: recent[recent.length - 1] ?? 0 };
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

/**
 * Failures per account from every address: after `free` of them each further attempt waits twice as
 * long as the one before (1 s, 2 s, 4 s … up to `maxDelayMs`). Guessing from many addresses slows to
 * a crawl, while the owner, whose own address is not blocked, gets in after a short wait (issue 12:
 * a hard block per account let anyone lock a judge out for 15 minutes with five wrong passwords).
 */
export class ProgressiveDelay {
	private readonly window: FailureWindow;

	constructor(
		readonly free: number,
		readonly maxDelayMs: number,
		windowMs: number,
		private readonly now: () => number = Date.now
	) {
		this.window = new FailureWindow(free + 32, windowMs, now);
	}

	retryAfter(key: string): number {
		const { count, last } = this.window.count(key);
		if (count < this.free) return 0;
		const delay = Math.min(this.maxDelayMs, 1000 * 2 ** (count - this.free));
		const wait = last + delay - this.now();
		return wait > 0 ? Math.ceil(wait / 1000) : 0;
	}

	fail(key: string): number {
		return this.window.fail(key);
	}

	forgive(key: string, at: number): void {
		this.window.forgive(key, at);
	}

	reset(key: string): void {
		this.window.reset(key);
	}
}

/** How many of something run at once per key; `enter` refuses beyond the limit instead of queueing. */
export class InFlight {
	private readonly running = new Map<string, number>();

	constructor(readonly limit: number) {}

	enter(key: string): boolean {
		const now = this.running.get(key) ?? 0;
		if (now >= this.limit) return false;
		this.running.set(key, now + 1);
		return true;
	}

	leave(key: string): void {
		const now = (this.running.get(key) ?? 1) - 1;
		if (now > 0) this.running.set(key, now);
		else this.running.delete(key);
	}
}

/**
 * Login throttling. Every attempt is counted before its password is checked (and taken back when it
 * succeeds), so a burst sent at once meets the same limits as attempts sent one by one:
 * - per account and address: 5 failures in 15 minutes, then that address waits (the attacker's);
 * - per account from anywhere: a progressive delay, never a long block of the owner;
 * - per address: 100 failures in 15 minutes (a venue shares one address);
 * - in flight: one check per account and 32 per address at a time; more are refused at once.
 */
export type LoginLimiter = {
	perAccountAndAddress: FailureWindow;
	perAccount: ProgressiveDelay;
	perAddress: FailureWindow;
	accountsInFlight: InFlight;
	addressesInFlight: InFlight;
};

export function createLoginLimiter(now?: () => number): LoginLimiter {
	const fifteenMinutes = 15 * 60 * 1000;
	return {
		perAccountAndAddress: new FailureWindow(5, fifteenMinutes, now),
		perAccount: new ProgressiveDelay(5, 5 * 60 * 1000, fifteenMinutes, now),
		perAddress: new FailureWindow(100, fifteenMinutes, now),
		accountsInFlight: new InFlight(1),
		addressesInFlight: new InFlight(32)
	};
}

/** Registrations per address in a window (issue 12: each costs an argon2 hash of 19 MiB). */
export function createRegistrationLimiter(perAddress: number, windowMinutes: number, now?: () => number): FailureWindow {
	return new FailureWindow(perAddress, windowMinutes * 60 * 1000, now);
}
