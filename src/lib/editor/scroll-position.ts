import type { EditorView } from '@tiptap/pm/view';
import type { FocusPosition } from '$lib/protocol/live';

/**
 * Where a reader is in a text, the same on every screen: the top-level block at the top of what
 * they see, and how far it is scrolled past that line (0 = its top, 1 = its bottom). Every view of
 * a document holds the same blocks (one Y.Doc), so block i is the same paragraph everywhere,
 * however wide the screen and large the font. The page scrolls as a whole (the window).
 */

/**
 * The top edge of what the reader sees of the text, in viewport pixels: below the sticky toolbar if
 * there is one, and below anything else that stays over the top of the page (`data-covers-top`,
 * e.g. the projector's head).
 */
export function viewTop(frame: HTMLElement): number {
	const covering = [frame.querySelector('.toolbar'), ...document.querySelectorAll('[data-covers-top]')];
	return Math.max(0, ...covering.map((element) => element?.getBoundingClientRect().bottom ?? 0));
}

function blockAt(view: EditorView, index: number): HTMLElement | null {
	const { doc } = view.state;
	if (index >= doc.childCount) return null;
	let offset = 0;
	for (let i = 0; i < index; i++) offset += doc.child(i).nodeSize;
	const dom = view.nodeDOM(offset);
	return dom instanceof HTMLElement ? dom : null;
}

/** The place at `top` (viewport pixels); null while the text is empty. */
export function readPosition(view: EditorView, top: number): FocusPosition | null {
	const { doc } = view.state;
	let offset = 0;
	for (let block = 0; block < doc.childCount; block++) {
		const dom = view.nodeDOM(offset);
		offset += doc.child(block).nodeSize;
		if (!(dom instanceof HTMLElement)) continue;
		const box = dom.getBoundingClientRect();
		if (box.bottom <= top && block < doc.childCount - 1) continue;
		const fraction = box.height > 0 ? Math.min(1, Math.max(0, (top - box.top) / box.height)) : 0;
		return { block, fraction: Math.round(fraction * 1000) / 1000 };
	}
	return null;
}

/**
 * Scrolls the window smoothly so that `position` is at `top` (viewport pixels). Returns false when
 * the text has no such block yet (every view holds the same blocks, so it is still loading).
 */
export function scrollToPosition(view: EditorView, position: FocusPosition, top: number): boolean {
	const target = blockAt(view, position.block);
	if (!target) return false;
	const box = target.getBoundingClientRect();
	const delta = box.top + position.fraction * box.height - top;
	if (Math.abs(delta) > 2) window.scrollBy({ top: delta, behavior: 'smooth' });
	return true;
}
