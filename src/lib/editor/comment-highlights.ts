import { Extension } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view';
import type { CommentAnchor } from '../protocol/comments';
import { bindingOf, resolveAnchor, type ResolvedAnchor } from './comment-anchors';

/** A thread to highlight: its first comment's id and anchor; `resolved` threads are drawn lighter. */
export type HighlightedThread = { id: string; anchor: CommentAnchor; resolved: boolean };

/** A highlighted range; `words` is its text when its anchor was last resolved. */
type Range = { id: string; from: number; to: number; words?: string };
type HighlightState = { threads: HighlightedThread[]; active: string | null; ranges: Range[]; decorations: DecorationSet };
type Meta = { threads?: HighlightedThread[]; active?: string | null; ranges?: Range[] };

export const commentHighlightsKey = new PluginKey<HighlightState>('comment-highlights');

declare module '@tiptap/core' {
	interface Commands<ReturnType> {
		commentHighlights: {
			/** The threads whose words to highlight (decorations: the shared text is never changed). */
			setCommentThreads: (threads: HighlightedThread[]) => ReturnType;
			/** The thread shown as focused. */
			setActiveComment: (id: string | null) => ReturnType;
		};
	}
}

function decorate(state: EditorState | { doc: EditorState['doc'] }, ranges: Range[], threads: HighlightedThread[], active: string | null): DecorationSet {
	const size = state.doc.content.size;
	const found = ranges
		.filter((range) => range.from < range.to && range.to <= size)
		.map((range) => {
			const resolved = threads.find((thread) => thread.id === range.id)?.resolved ?? false;
			const classes = ['comment-highlight', resolved ? 'resolved' : '', range.id === active ? 'active' : ''].filter(Boolean).join(' ');
			return Decoration.inline(range.from, range.to, { class: classes, 'data-comment-id': range.id }, { id: range.id });
		});
	return DecorationSet.create(state.doc, found);
}

/** The thread whose words hold `pos`: the shortest range when ranges overlap. */
function threadAt(ranges: Range[], pos: number): string | null {
	let best: Range | null = null;
	for (const range of ranges) if (range.from <= pos && pos <= range.to && (!best || range.to - range.from < best.to - best.from)) best = range;
	return best?.id ?? null;
}

/**
 * Where a thread's words are in the editor's current document (mapped through every change since
 * their anchor was last resolved), or null when they are not highlighted.
 */
export function highlightedRange(state: EditorState, id: string): { from: number; to: number } | null {
	const range = commentHighlightsKey.getState(state)?.ranges.find((candidate) => candidate.id === id);
	return range ? { from: range.from, to: range.to } : null;
}

/**
 * Comment highlights: each thread's words as an inline decoration computed from its anchor (Yjs
 * relative positions), so they follow the words while anyone types, like `markDiscussed`. Between
 * two resolutions the decorations are mapped through each change; after every change of the text
 * (once y-prosemirror has written it to the Y.Doc) the anchors are resolved again and the
 * resolution is reported (`onResolved`, e.g. to list threads "on deleted text"). A click on
 * highlighted words, or the caret moved into them with the keyboard, activates their thread
 * (`onActivate`).
 */
export const CommentHighlights = Extension.create<{
	onResolved: (resolved: Map<string, ResolvedAnchor>) => void;
	onActivate: (id: string) => void;
	/** This editor moved a thread's words without changing them (a split or join of paragraphs): its anchor should follow. */
	onMoved: (id: string, range: { from: number; to: number }) => void;
}>({
	name: 'commentHighlights',

	addOptions() {
		return { onResolved: () => {}, onActivate: () => {}, onMoved: () => {} };
	},

	addCommands() {
		return {
			setCommentThreads:
				(threads) =>
				({ tr, dispatch }) => {
					if (dispatch) tr.setMeta(commentHighlightsKey, { threads } satisfies Meta).setMeta('addToHistory', false);
					return true;
				},
			setActiveComment:
				(id) =>
				({ tr, dispatch }) => {
					if (dispatch) tr.setMeta(commentHighlightsKey, { active: id } satisfies Meta).setMeta('addToHistory', false);
					return true;
				}
		};
	},

	addProseMirrorPlugins() {
		const options = this.options;
		let scheduled = false;
		const resolveNow = (view: EditorView) => {
			scheduled = false;
			if (view.isDestroyed) return;
			const state = commentHighlightsKey.getState(view.state);
			const binding = bindingOf(view.state);
			if (!state) return;
			const resolved = new Map<string, ResolvedAnchor>();
			const ranges: Range[] = [];
			const moved: Range[] = [];
			const { doc } = view.state;
			for (const thread of state.threads) {
				let where: ResolvedAnchor = binding ? resolveAnchor(binding, thread.anchor) : { state: 'unknown' };
				// Splitting or joining paragraphs here re-creates the moved text in the Y.Doc, so the anchor
				// resolves as deleted; the range, mapped through this editor's own step, still holds the
				// same words (a remote change replaces the whole document and maps no range through).
				const mapped = where.state === 'deleted' ? state.ranges.find((range) => range.id === thread.id) : undefined;
				if (mapped?.words && mapped.from < mapped.to && mapped.to <= doc.content.size && doc.textBetween(mapped.from, mapped.to, '\n') === mapped.words) {
					where = { state: 'live', from: mapped.from, to: mapped.to };
					moved.push(mapped);
				}
				resolved.set(thread.id, where);
				if (where.state === 'live') ranges.push({ id: thread.id, from: where.from, to: where.to, words: doc.textBetween(where.from, where.to, '\n') });
			}
			options.onResolved(resolved);
			for (const range of moved) options.onMoved(range.id, { from: range.from, to: range.to });
			if (JSON.stringify(ranges) !== JSON.stringify(state.ranges)) view.dispatch(view.state.tr.setMeta(commentHighlightsKey, { ranges } satisfies Meta).setMeta('addToHistory', false));
		};
		const schedule = (view: EditorView) => {
			if (scheduled) return;
			scheduled = true;
			// After this update: y-prosemirror writes local changes to the Y.Doc in its own view update.
			queueMicrotask(() => resolveNow(view));
		};
		return [
			new Plugin<HighlightState>({
				key: commentHighlightsKey,
				state: {
					init: (_, state) => ({ threads: [], active: null, ranges: [], decorations: DecorationSet.create(state.doc, []) }),
					apply: (tr, value, _old, state) => {
						const meta = tr.getMeta(commentHighlightsKey) as Meta | undefined;
						if (!meta && !tr.docChanged) return value;
						const threads = meta?.threads ?? value.threads;
						const active = meta?.active !== undefined ? meta.active : value.active;
						let ranges = meta?.ranges ?? value.ranges;
						if (!meta?.ranges && tr.docChanged) {
							ranges = ranges
								.map((range) => ({ ...range, from: tr.mapping.map(range.from, 1), to: tr.mapping.map(range.to, -1) }))
								.filter((range) => range.from < range.to);
						}
						if (meta?.threads) ranges = ranges.filter((range) => threads.some((thread) => thread.id === range.id));
						return { threads, active, ranges, decorations: decorate(state, ranges, threads, active) };
					}
				},
				view: (view) => {
					schedule(view);
					return {
						update: (updated, previous) => {
							const before = commentHighlightsKey.getState(previous);
							const now = commentHighlightsKey.getState(updated.state);
							if (updated.state.doc !== previous.doc || before?.threads !== now?.threads) schedule(updated);
							// The caret moved into commented words (arrow keys too): their thread comes forward.
							const { selection } = updated.state;
							if (now && selection.empty && !selection.eq(previous.selection) && updated.hasFocus()) {
								const inside = threadAt(now.ranges, selection.from);
								if (inside && inside !== threadAt(now.ranges, previous.selection.from)) options.onActivate(inside);
							}
						}
					};
				},
				props: {
					decorations: (state) => commentHighlightsKey.getState(state)?.decorations ?? null,
					handleClick: (view, pos) => {
						const hit = threadAt(commentHighlightsKey.getState(view.state)?.ranges ?? [], pos);
						if (hit) options.onActivate(hit);
						return false;
					}
				}
			})
		];
	}
});
