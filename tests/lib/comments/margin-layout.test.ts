import { describe, expect, it } from 'vitest';
import { stackCards, type Card } from '../../../src/lib/comments/margin-layout';

/** Cards never overlap and keep their order: each starts at least `gap` below the bottom of the one above. */
function expectStacked(cards: Card[], tops: number[], gap: number, start = 0) {
	expect(tops).toHaveLength(cards.length);
	if (cards.length) expect(tops[0]).toBeGreaterThanOrEqual(start);
	for (let i = 1; i < cards.length; i++) expect(tops[i]! - (tops[i - 1]! + cards[i - 1]!.height)).toBeGreaterThanOrEqual(gap - 1e-9);
}

/** A seeded PRNG (mulberry32): a failure names its seed and replays. */
function prng(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe('stacking thread cards in the margin', () => {
	it('a card with room sits exactly beside its words', () => {
		const cards = [
			{ top: 10, height: 50 },
			{ top: 200, height: 80 },
			{ top: 400, height: 30 }
		];
		expect(stackCards(cards, { gap: 8 })).toEqual({ tops: [10, 200, 400], height: 430 });
	});

	it('a card whose words are close below the previous card is pushed down just below it', () => {
		const cards = [
			{ top: 100, height: 120 },
			{ top: 130, height: 40 },
			{ top: 150, height: 40 },
			{ top: 500, height: 40 }
		];
		const { tops, height } = stackCards(cards, { gap: 10 });
		expect(tops).toEqual([100, 230, 280, 500]);
		expect(height).toBe(540);
	});

	it('no card goes above the start, and cards without words in the text come last, stacked', () => {
		const cards = [
			{ top: -40, height: 30 },
			{ top: 5, height: 30 },
			{ top: null, height: 20 },
			{ top: null, height: 20 }
		];
		expect(stackCards(cards, { gap: 4, start: 0 }).tops).toEqual([0, 34, 68, 92]);
	});

	it('the active card sits exactly beside its words and the cards above it move up out of its way', () => {
		const cards = [
			{ top: 100, height: 120 },
			{ top: 130, height: 40 },
			{ top: 150, height: 40 },
			{ top: 170, height: 40 }
		];
		const { tops } = stackCards(cards, { gap: 10, active: 2, start: -1000 });
		expect(tops[2]).toBe(150);
		// The card above moves up just enough, and the first one moves up in turn.
		expect(tops[1]).toBe(100);
		expect(tops[0]).toBe(-30);
		expect(tops[3]).toBe(200);
		expectStacked(cards, tops, 10, -Infinity);
	});

	it('when the cards above the active one cannot fit above it, they start at the top and it is pushed down as little as possible', () => {
		const cards = [
			{ top: 0, height: 100 },
			{ top: 20, height: 100 },
			{ top: 60, height: 40 }
		];
		const { tops } = stackCards(cards, { gap: 10, start: 0, active: 2 });
		expect(tops).toEqual([0, 110, 220]);
		// Without the start it would be exact.
		expect(stackCards(cards, { gap: 10, start: -1000, active: 2 }).tops[2]).toBe(60);
	});

	it('an active card that is far from the others moves nothing', () => {
		const cards = [
			{ top: 0, height: 50 },
			{ top: 300, height: 50 },
			{ top: 600, height: 50 }
		];
		expect(stackCards(cards, { gap: 8, active: 1 }).tops).toEqual([0, 300, 600]);
	});

	it('an active card without words in the text, or an index out of range, changes nothing', () => {
		const cards = [
			{ top: 50, height: 100 },
			{ top: 60, height: 40 },
			{ top: null, height: 40 }
		];
		const plain = stackCards(cards, { gap: 8 }).tops;
		expect(stackCards(cards, { gap: 8, active: 2 }).tops).toEqual(plain);
		expect(stackCards(cards, { gap: 8, active: 7 }).tops).toEqual(plain);
		expect(stackCards([], { gap: 8, active: 0 })).toEqual({ tops: [], height: 0 });
	});

	it('a hundred threads: never overlapping, in order, each at its words or pushed, the active one exact whenever there is room', () => {
		for (let seed = 1; seed <= 200; seed++) {
			const random = prng(seed);
			let at = 0;
			const cards: Card[] = Array.from({ length: 100 }, () => {
				at += Math.floor(random() * 120);
				return { top: random() < 0.05 ? null : at, height: 40 + Math.floor(random() * 200) };
			});
			// Placed cards first, in document order (as the margin gives them).
			cards.sort((a, b) => (a.top ?? Infinity) - (b.top ?? Infinity));
			const plain = stackCards(cards, { gap: 8 });
			expectStacked(cards, plain.tops, 8);
			cards.forEach((card, i) => {
				const wanted = Math.max(0, card.top ?? 0);
				// At its words, or touching the card above (pushed), never above its words.
				expect(plain.tops[i]).toBeGreaterThanOrEqual(wanted);
				if (i > 0 && plain.tops[i] !== wanted) expect(plain.tops[i]).toBe(plain.tops[i - 1]! + cards[i - 1]!.height + 8);
			});

			const active = Math.floor(random() * cards.length);
			const focused = stackCards(cards, { gap: 8, active });
			expectStacked(cards, focused.tops, 8);
			const room = cards.slice(0, active).reduce((sum, card) => sum + card.height + 8, 0);
			const wanted = cards[active]!.top;
			if (wanted !== null && wanted >= room) expect(focused.tops[active], `seed ${seed}`).toBe(wanted);
			// Cards below the active one are never above where they would be without it... unless nothing changed.
			for (let i = active + 1; i < cards.length; i++) expect(focused.tops[i]).toBeGreaterThanOrEqual(Math.max(0, cards[i]!.top ?? 0));
		}
	});
});
