import type { Node as PMNode } from '@tiptap/pm/model';
import type { EditorState } from '@tiptap/pm/state';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { decodeAnchorPart, type CommentAnchor } from '../protocol/comments';

/**
 * Comment anchors: the commented words as two Yjs relative positions, so that they stay on the
 * same words while others type around them. The start is tied to the first commented character and
 * the end to the last, so text typed just before or just after the words is not pulled in; text
 * typed between them is. When every commented character is deleted the anchor resolves to
 * `deleted` (the thread is then listed "on deleted text").
 *
 * y-prosemirror re-creates the text it moves when a paragraph is split (Enter) or joined to the
 * one before (Backspace at its start), so an anchor on moved words resolves as deleted. The editor
 * that made the change still maps the words through its own step and moves the thread onto the
 * new ones (comment-highlights.ts, `comment:anchor`). Known limit: an undo of such a change reaches
 * the editor through the Y.Doc, with no step to map through, so threads on words it re-creates
 * count as deleted.
 */

/** The Yjs side of an editor: its Y.Doc, the fragment the editor shows, and the binding's type → node map. */
export type AnchorBinding = { doc: Y.Doc; fragment: Y.XmlFragment; mapping: Map<Y.AbstractType<unknown>, PMNode | PMNode[]> };

export type ResolvedAnchor =
	| { state: 'live'; from: number; to: number }
	| { state: 'deleted' }
	/** Not (yet) placeable: the commented text has not reached this copy of the document, or the anchor is invalid. */
	| { state: 'unknown' };

/** The binding of a TipTap editor with the Collaboration extension, or null before it is set up. */
export function bindingOf(state: EditorState): AnchorBinding | null {
	const sync = ySyncPluginKey.getState(state) as { doc?: Y.Doc; type?: Y.XmlFragment; binding?: { mapping: AnchorBinding['mapping'] } } | undefined;
	if (!sync?.doc || !sync.type || !sync.binding) return null;
	return { doc: sync.doc, fragment: sync.type, mapping: sync.binding.mapping };
}

/** The anchor of the editor's current selection, or null when nothing is selected. */
export function anchorFromSelection(state: EditorState): CommentAnchor | null {
	const binding = bindingOf(state);
	const { from, to } = state.selection;
	return binding ? createAnchor(binding, from, to) : null;
}

function encode(position: Y.RelativePosition): string {
	return btoa(String.fromCharCode(...Y.encodeRelativePosition(position)));
}

/** The ProseMirror range [from, to) as an anchor; null for an empty range. */
export function createAnchor(binding: AnchorBinding, from: number, to: number): CommentAnchor | null {
	if (to <= from) return null;
	const start = absolutePositionToRelativePosition(from, binding.fragment, binding.mapping) as Y.RelativePosition;
	const end = absolutePositionToRelativePosition(to, binding.fragment, binding.mapping) as Y.RelativePosition;
	return { from: encode(tie(binding.doc, start, 0)), to: encode(tie(binding.doc, end, -1)) };
}

/**
 * y-tiptap ties every position to the character before it. Inside a text, tie the start to the
 * character after it instead (the first commented one) and the end to the one before (the last).
 */
function tie(doc: Y.Doc, position: Y.RelativePosition, assoc: 0 | -1): Y.RelativePosition {
	const absolute = Y.createAbsolutePositionFromRelativePosition(position, doc);
	if (!absolute || !(absolute.type instanceof Y.XmlText)) return position;
	const inside = assoc === 0 ? absolute.index < absolute.type.length : absolute.index > 0;
	return inside ? Y.createRelativePositionFromTypeIndex(absolute.type, absolute.index, assoc) : position;
}

function deleted(type: Y.AbstractType<unknown>): boolean {
	for (let item = type._item; item; item = (item.parent as Y.AbstractType<unknown>)._item) if (item.deleted) return true;
	return false;
}

type End = { pos: number; text: Y.AbstractType<unknown> } | 'gone' | 'unknown';

/** One end as a ProseMirror position, or gone (its text was deleted), or unknown (not in this copy). */
function resolveEnd(binding: AnchorBinding, position: Y.RelativePosition): End {
	const id = position.item ?? position.type;
	if (id && Y.getState(binding.doc.store, id.client) <= id.clock) return 'unknown';
	const absolute = Y.createAbsolutePositionFromRelativePosition(position, binding.doc);
	if (!absolute || deleted(absolute.type)) return 'gone';
	return at(binding, absolute.type, absolute.index);
}

function at(binding: AnchorBinding, type: Y.AbstractType<unknown>, index: number): End {
	// A fresh type-and-index position resolves exactly, whatever item the stored one named.
	const plain = Y.createRelativePositionFromTypeIndex(type, index, -1);
	const pos = relativePositionToAbsolutePosition(binding.doc, binding.fragment, plain, binding.mapping);
	return pos === null ? 'gone' : { pos, text: type };
}

/**
 * Where the anchor's words are now in the editor, `deleted` when they are all gone, or `unknown`.
 * When the paragraph of one end was deleted, the range keeps what is left in the other end's one.
 */
export function resolveAnchor(binding: AnchorBinding, anchor: CommentAnchor): ResolvedAnchor {
	const start = decodeAnchorPart(anchor.from);
	const end = decodeAnchorPart(anchor.to);
	if (!start || !end) return { state: 'unknown' };
	let from = resolveEnd(binding, start);
	let to = resolveEnd(binding, end);
	if (from === 'unknown' || to === 'unknown') return { state: 'unknown' };
	if (from === 'gone' && to === 'gone') return { state: 'deleted' };
	if (from === 'gone') from = at(binding, (to as Exclude<End, string>).text, 0);
	if (to === 'gone') to = at(binding, (from as Exclude<End, string>).text, (from as Exclude<End, string>).text._length);
	if (typeof from === 'string' || typeof to === 'string' || to.pos <= from.pos) return { state: 'deleted' };
	return { state: 'live', from: from.pos, to: to.pos };
}
