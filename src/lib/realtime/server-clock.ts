/**
 * This browser's estimate of the server's clock, for countdowns that must read the same on every
 * screen: during and after an offline spell, after the tab was in the background, and whatever
 * the local clock is set to.
 *
 * What is known is an interval of offsets (server time − local time, in ms):
 * - a round trip (asked at local `sentAt`, answered with the server's time, received at local
 *   `receivedAt`) bounds it on both sides, since the server read its clock in between;
 * - a snapshot made at a server time and received at a local time bounds it from below only: it
 *   may have waited anywhere on the way (a snapshot replayed after a reconnect is as old as the
 *   offline spell, and the page's own data as old as its loading).
 * Each observation narrows the interval; the estimate is its middle (its lower end while nothing
 * bounds it above). The interval widens with age by `driftPerMs` (two clocks never run at quite
 * the same rate); an observation that contradicts it means a clock was set, and it starts over.
 */
export class ServerClock {
	private low = -Infinity;
	private high = Infinity;
	private at: number | null = null;

	constructor(
		private readonly local: () => number = Date.now,
		private readonly driftPerMs = 1e-4
	) {}

	/** A request sent at `sentAt` was answered with the server's time `serverTime`, read at `receivedAt` (local ms). */
	observeRoundTrip(sentAt: number, serverTime: number, receivedAt: number): void {
		if (!(receivedAt >= sentAt) || !Number.isFinite(serverTime)) return; // the local clock was set meanwhile
		this.age(receivedAt);
		// The server's time is read to the millisecond: its clock may be up to 1 ms past it.
		const low = serverTime - receivedAt;
		const high = serverTime + 1 - sentAt;
		if (low > this.high || high < this.low) [this.low, this.high] = [low, high];
		else [this.low, this.high] = [Math.max(this.low, low), Math.min(this.high, high)];
	}

	/** Something the server made at `serverTime` arrived at local `receivedAt`: the server's clock is past it. */
	observeSnapshot(serverTime: number, receivedAt: number): void {
		if (!Number.isFinite(serverTime)) return;
		this.age(receivedAt);
		const low = serverTime - receivedAt;
		if (low > this.high) [this.low, this.high] = [low, Infinity];
		else this.low = Math.max(this.low, low);
	}

	/** Server time − local time, in ms (0 before any observation). */
	offset(): number {
		if (Number.isFinite(this.low) && Number.isFinite(this.high)) return (this.low + this.high) / 2;
		if (Number.isFinite(this.low)) return this.low;
		return 0;
	}

	/** How far off the estimate may be, in ms (Infinity until a round trip bounded it). */
	uncertainty(): number {
		return (this.high - this.low) / 2;
	}

	/** The server's time now, in ms since the epoch. */
	now(): number {
		return this.local() + this.offset();
	}

	private age(now: number): void {
		if (this.at !== null && now > this.at) {
			const spread = (now - this.at) * this.driftPerMs;
			this.low -= spread;
			this.high += spread;
		}
		if (this.at === null || now > this.at) this.at = now;
	}
}
