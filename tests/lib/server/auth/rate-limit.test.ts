import { describe, expect, it } from 'vitest';
import { createLoginLimiter, FailureWindow, InFlight, ProgressiveDelay } from '../../../../src/lib/server/auth/rate-limit';

const minute = 60 * 1000;

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('FailureWindow', () => {
	it('lets a key try until its fifth failure, then asks it to wait out the window', () => {
		const clock = manualClock();
		const window = new FailureWindow(5, 15 * minute, clock.now);
		for (let i = 0; i < 4; i++) {
			window.fail('ann@example.org');
			expect(window.retryAfter('ann@example.org')).toBe(0);
		}
		window.fail('ann@example.org');
		expect(window.retryAfter('ann@example.org')).toBe(15 * 60);
		clock.advance(100 * 1000);
		expect(window.retryAfter('ann@example.org')).toBe(15 * 60 - 100);
	});

	it('rounds a wait of a fraction of a second up to one second, never 0 while blocked', () => {
		const clock = manualClock();
		const window = new FailureWindow(5, 15 * minute, clock.now);
		for (let i = 0; i < 5; i++) window.fail('k');
		clock.advance(15 * minute - 1);
		expect(window.retryAfter('k')).toBe(1);
		clock.advance(1);
		expect(window.retryAfter('k')).toBe(0);
	});

	it('slides: the wait ends when the oldest of the last five failures leaves the window', () => {
		const clock = manualClock();
		const window = new FailureWindow(5, 15 * minute, clock.now);
		for (let i = 0; i < 6; i++) {
			window.fail('k'); // at minutes 0, 1, 2, 3, 4, 5
			if (i < 5) clock.advance(minute);
		}
		// The last five failures are at minutes 1–5: blocked until minute 16.
		expect(window.retryAfter('k')).toBe(11 * 60);
		clock.advance(11 * minute);
		expect(window.retryAfter('k')).toBe(0);
		window.fail('k');
		expect(window.retryAfter('k')).toBe(60);
	});

	it('forgets failures older than the window', () => {
		const clock = manualClock();
		const window = new FailureWindow(5, 15 * minute, clock.now);
		for (let i = 0; i < 4; i++) window.fail('k');
		clock.advance(15 * minute);
		window.fail('k');
		expect(window.retryAfter('k')).toBe(0);
	});

	it('reset clears a blocked key at once', () => {
		const window = new FailureWindow(5, 15 * minute, manualClock().now);
		for (let i = 0; i < 5; i++) window.fail('k');
		expect(window.retryAfter('k')).toBeGreaterThan(0);
		window.reset('k');
		expect(window.retryAfter('k')).toBe(0);
	});

	it('counts each key on its own', () => {
		const window = new FailureWindow(5, 15 * minute, manualClock().now);
		for (let i = 0; i < 5; i++) window.fail('ann@example.org');
		window.fail('bob@example.org');
		expect(window.retryAfter('ann@example.org')).toBeGreaterThan(0);
		expect(window.retryAfter('bob@example.org')).toBe(0);
		window.reset('bob@example.org');
		expect(window.retryAfter('ann@example.org')).toBeGreaterThan(0);
	});

	it('holds bounded memory: a million one-off keys over ten windows do not all stay in the map', () => {
		const clock = manualClock();
		const windowMs = 15 * minute;
		const window = new FailureWindow(5, windowMs, clock.now);
		const keys = 1_000_000;
		const windows = 10;
		const step = (windows * windowMs) / keys;
		for (let i = 0; i < keys; i++) {
			window.fail(`attacker-${i}@example.org`);
			clock.advance(step);
		}
		const held = (window as unknown as { failures: Map<string, number[]> }).failures.size;
		// Only the keys that failed within the last window may still be held, plus those added
		// since the last pruning pass.
		expect(held).toBeLessThanOrEqual(keys / windows + 1000);
	});
});

describe('createLoginLimiter', () => {
	it('allows 5 failures per account and address and 100 per address in 15 minutes, one check per account at a time', () => {
		const limiter = createLoginLimiter(manualClock().now);
		expect(limiter.perAccountAndAddress).toMatchObject({ limit: 5, windowMs: 15 * minute });
		expect(limiter.perAddress).toMatchObject({ limit: 100, windowMs: 15 * minute });
		expect(limiter.perAccount).toMatchObject({ free: 5, maxDelayMs: 5 * minute });
		expect(limiter.accountsInFlight.limit).toBe(1);
	});
});

describe('ProgressiveDelay', () => {
	it('lets the first 5 failures through, then doubles the wait after each further one up to the cap (AZ-60)', () => {
		const clock = manualClock();
		const delay = new ProgressiveDelay(5, 5 * minute, 15 * minute, clock.now);
		for (let i = 0; i < 4; i++) delay.fail('judge@example.org');
		expect(delay.retryAfter('judge@example.org')).toBe(0);
		const waits: number[] = [];
		for (let i = 0; i < 10; i++) {
			delay.fail('judge@example.org');
			waits.push(delay.retryAfter('judge@example.org'));
			clock.advance(waits.at(-1)! * 1000);
			expect(delay.retryAfter('judge@example.org')).toBe(0);
		}
		expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
		expect(delay.retryAfter('someone.else@example.org')).toBe(0);
	});

	it('forgets an attempt taken back, and everything on reset', () => {
		const clock = manualClock();
		const delay = new ProgressiveDelay(1, minute, 15 * minute, clock.now);
		const at = delay.fail('a');
		expect(delay.retryAfter('a')).toBe(1);
		delay.forgive('a', at);
		expect(delay.retryAfter('a')).toBe(0);
		delay.fail('a');
		delay.reset('a');
		expect(delay.retryAfter('a')).toBe(0);
	});
});

describe('InFlight', () => {
	it('admits up to its limit per key and frees a place on leave', () => {
		const inFlight = new InFlight(2);
		expect([inFlight.enter('x'), inFlight.enter('x'), inFlight.enter('x'), inFlight.enter('y')]).toEqual([true, true, false, true]);
		inFlight.leave('x');
		expect(inFlight.enter('x')).toBe(true);
	});
});
