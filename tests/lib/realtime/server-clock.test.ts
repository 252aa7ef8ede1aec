import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../../src/lib/realtime/server-clock';

/** A local clock the test sets; the server's runs `skew` ms ahead of it. */
function clocks(skew: number) {
	let local = 1_000_000;
	const clock = new ServerClock(() => local);
	return {
		clock,
		server: () => local + skew,
		advance: (ms: number) => (local += ms),
		get local() {
			return local;
		},
		set local(value: number) {
			local = value;
		}
	};
}

describe('the estimate of the server’s clock', () => {
	it('is the local clock until anything is known', () => {
		const { clock, local } = clocks(5000);
		expect(clock.now()).toBe(local);
		expect(clock.uncertainty()).toBe(Infinity);
	});

	it('a round trip puts the server’s time within half the round trip, whichever way the delay fell', () => {
		const world = clocks(-7_300);
		const sentAt = world.local;
		world.advance(30); // the request's way there
		const answered = world.server();
		world.advance(170); // a slow way back
		world.clock.observeRoundTrip(sentAt, answered, world.local);
		expect(Math.abs(world.clock.now() - world.server())).toBeLessThanOrEqual(101);
		expect(world.clock.uncertainty()).toBeLessThanOrEqual(101);
	});

	it('several round trips narrow it down to the fastest one’s bounds', () => {
		const world = clocks(12_345);
		for (const [there, back] of [
			[400, 20],
			[10, 600],
			[15, 12]
		] as const) {
			const sentAt = world.local;
			world.advance(there);
			const answered = world.server();
			world.advance(back);
			world.clock.observeRoundTrip(sentAt, answered, world.local);
			world.advance(1000);
		}
		expect(Math.abs(world.clock.now() - world.server())).toBeLessThanOrEqual(20);
	});

	it('a snapshot replayed long after it was made (an offline spell) does not move it back', () => {
		const world = clocks(2_000);
		const sentAt = world.local;
		world.advance(20);
		world.clock.observeRoundTrip(sentAt, world.server(), world.local);
		const madeAt = world.server();
		world.advance(10_000); // offline: the snapshot waits on the server
		world.clock.observeSnapshot(madeAt, world.local);
		expect(Math.abs(world.clock.now() - world.server())).toBeLessThanOrEqual(11);
	});

	it('with snapshots only, the freshest one counts (the page’s own data may be seconds old)', () => {
		const world = clocks(-3_000);
		const rendered = world.server();
		world.advance(4_000); // a slow page load
		world.clock.observeSnapshot(rendered, world.local);
		expect(world.server() - world.clock.now()).toBe(4_000);
		world.clock.observeSnapshot(world.server() - 50, world.local);
		expect(world.server() - world.clock.now()).toBe(50);
	});

	it('keeps counting while nothing is heard: ten seconds later it reads ten seconds more', () => {
		const world = clocks(900);
		const sentAt = world.local;
		world.advance(10);
		world.clock.observeRoundTrip(sentAt, world.server(), world.local);
		const before = world.clock.now();
		world.advance(10_000);
		expect(world.clock.now() - before).toBe(10_000);
	});

	it('when the local clock is set (a jump of a minute), the next round trip starts over instead of averaging', () => {
		const world = clocks(0);
		let sentAt = world.local;
		world.advance(10);
		world.clock.observeRoundTrip(sentAt, world.server(), world.local);
		world.local = world.local - 60_000; // set back; the server's clock did not move
		const server = () => world.local + 60_000;
		sentAt = world.local;
		world.advance(10);
		world.clock.observeRoundTrip(sentAt, server(), world.local);
		expect(Math.abs(world.clock.now() - server())).toBeLessThanOrEqual(6);
		// …and a snapshot newer than anything it thought possible starts over as well.
		world.local = world.local - 30_000;
		world.clock.observeSnapshot(server() + 30_000, world.local);
		expect(world.clock.now()).toBe(server() + 30_000);
	});

	it('grows less sure with age, so a later, wider round trip still counts', () => {
		const world = clocks(0);
		let sentAt = world.local;
		world.advance(2);
		world.clock.observeRoundTrip(sentAt, world.server(), world.local);
		const fresh = world.clock.uncertainty();
		world.advance(3_600_000); // an hour
		sentAt = world.local;
		world.advance(400);
		world.clock.observeRoundTrip(sentAt, world.server(), world.local);
		expect(world.clock.uncertainty()).toBeGreaterThan(fresh);
		expect(world.clock.uncertainty()).toBeLessThanOrEqual(201);
	});

	it('ignores a round trip that ends before it began (the local clock went back meanwhile) and times it cannot read', () => {
		const world = clocks(5_000);
		world.clock.observeRoundTrip(world.local, world.server(), world.local - 1);
		world.clock.observeRoundTrip(world.local, Number.NaN, world.local);
		world.clock.observeSnapshot(Number.NaN, world.local);
		expect(world.clock.now()).toBe(world.local);
	});
});
