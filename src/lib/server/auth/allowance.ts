/**
 * An amount per key per sliding window, where one request may take many units at once: adding 500
 * people in one request takes 500 of an adder's allowance. A request is taken whole or not at all,
 * so a roster is never half added. In memory, like the login limits: a restart forgets, and several
 * instances would each keep their own counts (acceptable until scale-out moves this to Redis).
 */
export class Allowance {
	private readonly taken = new Map<string, { at: number; amount: number }[]>();
	private calls = 0;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly now: () => number = Date.now
	) {}

	/**
	 * Takes `amount` for `key` when the window has room and answers 0; otherwise takes nothing and
	 * answers the seconds until it would fit. The caller refuses amounts above `limit` itself: they
	 * never fit.
	 */
	take(key: string, amount: number): number {
		if (amount > this.limit) throw new RangeError(`amount ${amount} is above the limit ${this.limit}`);
		const recent = this.recent(key);
		let used = recent.reduce((sum, entry) => sum + entry.amount, 0);
		if (used + amount <= this.limit) {
			recent.push({ at: this.now(), amount });
			this.taken.set(key, recent);
			if (++this.calls % 1000 === 0) this.prune();
			return 0;
		}
		// Fits once enough of the oldest takes have left the window.
		for (const entry of recent) {
			used -= entry.amount;
			if (used + amount <= this.limit) return Math.max(1, Math.ceil((entry.at + this.windowMs - this.now()) / 1000));
		}
		return Math.ceil(this.windowMs / 1000);
	}

	/** What `key` may still take now. */
	remaining(key: string): number {
		return this.limit - this.recent(key).reduce((sum, entry) => sum + entry.amount, 0);
	}

	private recent(key: string): { at: number; amount: number }[] {
		const since = this.now() - this.windowMs;
		return (this.taken.get(key) ?? []).filter((entry) => entry.at > since);
	}

	private prune(): void {
		const since = this.now() - this.windowMs;
		for (const [key, entries] of this.taken) if (entries.every((entry) => entry.at <= since)) this.taken.delete(key);
	}
}
