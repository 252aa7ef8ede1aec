/**
 * Where the thread cards of the comments margin go on a wide screen: each beside the first of its
 * words, in document order, never overlapping. A pure function, so that it is unit-tested without
 * a browser; the margin measures the words and the cards and applies the result.
 */

/**
 * Cards sit beside their words when the text and the margin together have at least this width
 * (CSS pixels: a 30rem text column, the gap and a 15rem margin) and the window is no phone's; below
 * either, the threads are a plain list under the text.
 */
export const ALIGNED_MIN_WIDTH = 46 * 16;
export const ALIGNED_MIN_WINDOW = 900;

/** The margin's key of the card of a comment being written, and of a new thread not yet sent (threads use their id). */
export const DRAFT_KEY = 'draft';
export const unsentKey = (clientId: string): string => `unsent:${clientId}`;

/** A card: the top it would like (its words' top, in the margin's pixels; null when its words are not in the text) and its height. */
export type Card = { top: number | null; height: number };

export type Stacked = {
	/** Each card's top, in the order given. */
	tops: number[];
	/** The bottom of the last card: the height the cards take together. */
	height: number;
};

/**
 * Stacks `cards` (in document order; cards without a wanted top last) from `start` down, with at
 * least `gap` pixels between two cards. A card sits at its wanted top unless the card above it
 * still reaches there; then it is pushed down just below it. The `active` card (an index) sits
 * exactly at its wanted top and the cards above it move up out of its way, as far as `start`
 * allows: only when they cannot fit above it is the active card pushed down too.
 */
export function stackCards(cards: Card[], options: { gap: number; start?: number; active?: number | null }): Stacked {
	const { gap, start = 0 } = options;
	const wanted = cards.map((card) => Math.max(start, card.top ?? -Infinity));
	const tops = new Array<number>(cards.length);
	const pushDown = (from: number) => {
		for (let i = from; i < cards.length; i++) tops[i] = i === 0 ? wanted[i]! : Math.max(wanted[i]!, tops[i - 1]! + cards[i - 1]!.height + gap);
	};
	pushDown(0);

	const active = options.active ?? null;
	if (active !== null && active >= 0 && active < cards.length && cards[active]!.top !== null) {
		tops[active] = wanted[active]!;
		for (let i = active - 1; i >= 0; i--) tops[i] = Math.min(tops[i]!, tops[i + 1]! - gap - cards[i]!.height);
		// Not enough room above the active card: everything from the top is pushed down again.
		if (tops[0]! < start) {
			tops[0] = start;
			for (let i = 1; i <= active; i++) tops[i] = Math.max(tops[i]!, tops[i - 1]! + cards[i - 1]!.height + gap);
		}
		pushDown(active + 1);
	}

	const last = cards.length - 1;
	return { tops, height: last < 0 ? 0 : tops[last]! + cards[last]!.height };
}
