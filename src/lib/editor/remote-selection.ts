import { Extension } from '@tiptap/core';
import { Plugin, PluginKey, TextSelection, type EditorState } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import * as Y from 'yjs';

/** The part of y-tiptap's ProsemirrorBinding this extension reads (it is not exported as a type). */
type Binding = { doc: Y.Doc; type: Y.XmlFragment; mapping: Map<Y.AbstractType<unknown>, unknown> };
type Kept = { anchor: Y.RelativePosition; head: Y.RelativePosition };

const key = new PluginKey('remote-selection');

/**
 * Keeps this editor's caret and selection on the characters they were at when another person's
 * edit arrives, by Yjs relative positions alone.
 *
 * Why: y-tiptap 3.0.9 rebuilds the whole document on every remote update and restores the selection
 * with a content heuristic (`recoverSelectionEndpoint`): whenever the caret's paragraph text changed
 * (which is always the case when someone types in it) it looks for "the same block" and puts the caret
 * at its old numeric offset there. When the other person's characters landed before the caret, that
 * offset now points before this person's own last characters, so their next key goes in front of them:
 * two people typing at the end of one recommendation (found by its id, a distinctive attribute)
 * produced each other's words reversed and interleaved letter by letter; in plain paragraphs the
 * prefix rule of the same heuristic moved the caret past the other person's words.
 *
 * Here a collapsed caret is tied to the character before it (so it stays after my last character
 * whatever is inserted at the same spot), and a selection to its first and last characters (so text
 * typed next to it stays outside). Undo and redo keep y-tiptap's own restoration.
 */
export const RemoteSelection = Extension.create({
	name: 'remoteSelection',

	addProseMirrorPlugins() {
		let kept: Kept | null = null;
		return [
			new Plugin({
				key,
				view: (view) => {
					const binding = bindingOf(view.state);
					if (!binding) return {};
					const doc = binding.doc;
					// Taken as a Yjs transaction starts, before a remote change is integrated: the
					// positions must name the characters as they were (as y-tiptap's own capture does).
					const capture = () => {
						const origin = (doc as unknown as { _transaction: Y.Transaction | null })._transaction?.origin;
						if (kept === null && origin !== ySyncPluginKey) kept = keep(view.state, binding);
					};
					const release = () => (kept = null);
					doc.on('beforeAllTransactions', capture);
					doc.on('afterAllTransactions', release);
					return {
						destroy: () => {
							doc.off('beforeAllTransactions', capture);
							doc.off('afterAllTransactions', release);
						}
					};
				},
				appendTransaction: (transactions, _old, state) => {
					const remote = transactions.some((tr) => {
						const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean; isUndoRedoOperation?: boolean } | undefined;
						return tr.docChanged && meta?.isChangeOrigin && !meta.isUndoRedoOperation;
					});
					const binding = bindingOf(state);
					if (!remote || !kept || !binding) return null;
					const anchor = relativePositionToAbsolutePosition(binding.doc, binding.type, kept.anchor, binding.mapping as never);
					const head = relativePositionToAbsolutePosition(binding.doc, binding.type, kept.head, binding.mapping as never);
					if (anchor === null || head === null || Math.max(anchor, head) > state.doc.content.size) return null;
					const $anchor = state.doc.resolve(anchor);
					const $head = state.doc.resolve(head);
					if (!$anchor.parent.inlineContent || !$head.parent.inlineContent) return null;
					const selection = new TextSelection($anchor, $head);
					if (selection.eq(state.selection)) return null;
					// Marked as the sync plugin's own change: a selection only, nothing to write back to Yjs.
					return state.tr.setSelection(selection).setMeta(ySyncPluginKey, { isChangeOrigin: true }).setMeta('addToHistory', false);
				}
			})
		];
	}
});

function bindingOf(state: EditorState): Binding | null {
	return (ySyncPluginKey.getState(state) as { binding?: Binding } | undefined)?.binding ?? null;
}

function keep(state: EditorState, binding: Binding): Kept | null {
	const { selection } = state;
	if (!(selection instanceof TextSelection)) return null;
	if (selection.empty) {
		const caret = relative(binding, selection.head, -1);
		return { anchor: caret, head: caret };
	}
	const forward = selection.anchor < selection.head;
	const start = relative(binding, selection.from, 0);
	const end = relative(binding, selection.to, -1);
	return forward ? { anchor: start, head: end } : { anchor: end, head: start };
}

/**
 * A relative position for a ProseMirror position. y-tiptap's conversion ties a position inside text
 * to the character before it (assoc -1); with `assoc` 0 it is tied to the character after it.
 */
function relative(binding: Binding, pos: number, assoc: 0 | -1): Y.RelativePosition {
	const before = absolutePositionToRelativePosition(pos, binding.type, binding.mapping as never) as Y.RelativePosition;
	if (assoc < 0) return before;
	const at = Y.createAbsolutePositionFromRelativePosition(before, binding.doc);
	if (!at || !(at.type instanceof Y.XmlText)) return before;
	return Y.createRelativePositionFromTypeIndex(at.type, at.index, 0);
}

/**
 * Before a message from the server is applied, ProseMirror reads what the browser already changed in
 * the page but has not reported yet (a caret moved by End or a click fires `selectionchange` later;
 * y-prosemirror #146): otherwise the selection kept for the remote change is the one before that key,
 * and writing it back to the page undoes the key. Called by the document's socket before each sync
 * message, outside any Yjs transaction, so what the flush finds is sent as this person's own edit.
 */
export function readPendingInput(view: EditorView): void {
	if (view.isDestroyed || !view.editable) return;
	(view as unknown as { domObserver?: { flush(): void } }).domObserver?.flush();
}
