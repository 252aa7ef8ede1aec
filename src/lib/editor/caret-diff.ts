import type { Node as PmNode } from '@tiptap/pm/model';
import type { EditorState } from '@tiptap/pm/state';
import { simpleDiff } from 'lib0/diff';

export type TextDiff = { index: number; remove: number; insert: string };

const highSurrogate = /[\uD800-\uDBFF]/;
const lowSurrogate = /[\uDC00-\uDFFF]/;

/**
 * The change from `before` to `after` of one run of text, placed where this person's caret says it
 * happened: the changed part ends at `caret` (its offset in `after`) when the text allows it.
 *
 * Why: y-tiptap turns each local change into Yjs operations by diffing the old and new text of a
 * paragraph (lib0's `simpleDiff`: longest common prefix first). When the typed character equals its
 * neighbour, the diff cannot tell which one is new and always says "the one further right". A space
 * typed just before another person's space, or a "B" just before their "Bakyt", was then recorded in
 * Yjs after their character, so everyone's concurrent text attached to the wrong side of it and
 * sentences typed at the same spot came out with their first character displaced.
 */
export function diffAroundCaret(before: string, after: string, caret: number): TextDiff {
	const limit = Math.min(before.length, after.length);
	let right = 0;
	// The unchanged tail lies after the caret: typing and deleting happen just before it.
	const tailRoom = Math.max(0, Math.min(limit, after.length - caret));
	while (right < tailRoom && before[before.length - right - 1] === after[after.length - right - 1]) right++;
	if (right > 0 && lowSurrogate.test(before[before.length - right]!)) right--;
	let left = 0;
	while (left + right < limit && before[left] === after[left]) left++;
	if (left > 0 && highSurrogate.test(before[left - 1]!)) left--;
	return { index: left, remove: before.length - left - right, insert: after.slice(left, after.length - right) };
}

type Binding = { prosemirrorView?: { state: EditorState } | null };

/**
 * Called by the patched y-tiptap (see `scripts/vite-patch-y-tiptap.ts`) in place of `simpleDiff`
 * for the text nodes `ptexts` of one paragraph: diffs around the local caret when it is in them.
 */
export function caretAwareDiff(before: string, after: string, ptexts: PmNode[], binding: Binding): TextDiff {
	const caret = caretIn(ptexts, binding);
	return caret === null ? simpleDiff(before, after) : diffAroundCaret(before, after, caret);
}

/** The caret's offset within the run of text nodes `ptexts`, or null when it is not in them. */
function caretIn(ptexts: PmNode[], binding: Binding): number | null {
	const selection = binding.prosemirrorView?.state.selection;
	const first = ptexts[0];
	if (!selection || !selection.empty || !first) return null;
	const { $head } = selection;
	let offset = 0;
	for (let i = 0; i < $head.parent.childCount; i++) {
		const child = $head.parent.child(i);
		if (child === first) {
			const length = ptexts.reduce((sum, text) => sum + (text.text?.length ?? 0), 0);
			const caret = $head.parentOffset - offset;
			return caret >= 0 && caret <= length ? caret : null;
		}
		offset += child.nodeSize;
	}
	return null;
}
