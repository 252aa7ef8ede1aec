import { stackCards } from './margin-layout';

export type AlignOptions = {
	/** The list whose children with `data-layout-key` are the cards, in document order. */
	list: HTMLElement;
	/** Elements whose size changes may move the words or the list: the text's frame, the margin. */
	watch: HTMLElement[];
	/** The viewport top of a card's words, or null when they are not in the text. */
	wordsTop: (key: string) => number | null;
	/** The key of the card to align exactly, if any. */
	active: () => string | null;
	/** Pixels between two cards. */
	gap: number;
};

/**
 * Keeps the cards of `list` beside their words: measures every card and its words in one
 * animation frame, stacks them (`stackCards`) and moves them with a transform. It measures again
 * when told (`update`, e.g. after the text or the threads changed) and by itself when the text or a
 * card changes size (typing, a window resize, fonts or images loading, a reply opening), when fonts
 * finish loading, and when a scroll container holding the text but not the margin scrolls — never
 * on a timer. Changes within one frame are measured once. `destroy` leaves the list as it found it
 * (a plain list).
 */
export function alignCards(options: AlignOptions): { update: () => void; destroy: () => void } {
	const { list } = options;
	let frame = 0;
	const observed = new Set<Element>();
	const sizes = new ResizeObserver(() => update());

	function update(): void {
		frame ||= requestAnimationFrame(place);
	}

	function place(): void {
		frame = 0;
		const cards = [...list.children].filter((child): child is HTMLElement => child instanceof HTMLElement && child.dataset.layoutKey !== undefined);
		// Reads first (one layout), then writes.
		const base = list.getBoundingClientRect().top;
		const measured = cards.map((card) => {
			const top = options.wordsTop(card.dataset.layoutKey!);
			return { top: top === null ? null : top - base, height: card.offsetHeight };
		});
		const active = options.active();
		const index = active === null ? -1 : cards.findIndex((card) => card.dataset.layoutKey === active);
		const { tops, height } = stackCards(measured, { gap: options.gap, active: index < 0 ? null : index });
		const fresh: HTMLElement[] = [];
		cards.forEach((card, i) => {
			card.style.transform = `translateY(${Math.round(tops[i]!)}px)`;
			if (card.dataset.placed === undefined) fresh.push(card);
		});
		list.style.height = `${Math.ceil(height)}px`;
		// A new card appears in place; only cards already placed glide to their next place.
		if (fresh.length) requestAnimationFrame(() => fresh.forEach((card) => (card.dataset.placed = '')));
		for (const card of observed) {
			if (card.parentElement === list) continue;
			sizes.unobserve(card);
			observed.delete(card);
		}
		for (const card of cards) {
			if (observed.has(card)) continue;
			sizes.observe(card);
			observed.add(card);
		}
	}

	const onScroll = (event: Event) => {
		const scrolled = event.target;
		const text = options.watch[0];
		if (scrolled instanceof Node && scrolled !== document && text && (scrolled.contains(text) || text.contains(scrolled)) && !scrolled.contains(list)) update();
	};
	for (const element of options.watch) sizes.observe(element);
	document.addEventListener('scroll', onScroll, { capture: true, passive: true });
	document.fonts?.addEventListener('loadingdone', update);
	update();

	return {
		update,
		destroy() {
			cancelAnimationFrame(frame);
			sizes.disconnect();
			document.removeEventListener('scroll', onScroll, { capture: true });
			document.fonts?.removeEventListener('loadingdone', update);
			list.style.removeProperty('height');
			for (const card of list.children) {
				if (!(card instanceof HTMLElement)) continue;
				card.style.removeProperty('transform');
				delete card.dataset.placed;
			}
		}
	};
}
