import { describe, expect, it } from 'vitest';
import { Allowance } from '../../../../src/lib/server/auth/allowance';

const minute = 60 * 1000;

function manualClock(start = 1_700_000_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('Allowance', () => {
	it('takes a whole roster of 500 at once from an allowance of 1000, and a second one, but not one more', () => {
		const clock = manualClock();
		const allowance = new Allowance(1000, 60 * minute, clock.now);
		expect(allowance.take('organizer', 500)).toBe(0);
		expect(allowance.take('organizer', 500)).toBe(0);
		expect(allowance.remaining('organizer')).toBe(0);
		expect(allowance.take('organizer', 1)).toBe(60 * 60);
	});

	it('takes nothing when a request does not fit: what is left stays available to a smaller one', () => {
		const clock = manualClock();
		const allowance = new Allowance(10, 10 * minute, clock.now);
		expect(allowance.take('k', 7)).toBe(0);
		expect(allowance.take('k', 4)).toBe(10 * 60);
		expect(allowance.remaining('k')).toBe(3);
		expect(allowance.take('k', 3)).toBe(0);
	});

	it('answers the wait until enough of the oldest takes have left the window', () => {
		const clock = manualClock();
		const allowance = new Allowance(10, 10 * minute, clock.now);
		allowance.take('k', 4); // minute 0
		clock.advance(2 * minute);
		allowance.take('k', 3); // minute 2
		clock.advance(1 * minute);
		allowance.take('k', 3); // minute 3
		// 6 more fit once the takes of minutes 0 and 2 are gone: at minute 12, nine minutes from now.
		expect(allowance.take('k', 6)).toBe(9 * 60);
		expect(allowance.take('k', 4)).toBe(7 * 60);
		clock.advance(7 * minute);
		expect(allowance.take('k', 4)).toBe(0);
	});

	it('keeps each key apart', () => {
		const allowance = new Allowance(2, minute);
		expect(allowance.take('ann', 2)).toBe(0);
		expect(allowance.take('bob', 2)).toBe(0);
		expect(allowance.take('ann', 1)).toBeGreaterThan(0);
	});

	it('refuses to take more than the whole limit: no wait would make it fit', () => {
		expect(() => new Allowance(5, minute).take('k', 6)).toThrow(RangeError);
	});
});
