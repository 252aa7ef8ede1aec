import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { initProseMirrorDoc } from '@tiptap/y-tiptap';
import type { Socket } from 'socket.io-client';
import { expect } from 'vitest';
import * as Y from 'yjs';
import { createAnchor } from '../../src/lib/editor/comment-anchors';
import { Recommendation } from '../../src/lib/editor/recommendation';
import type { CommentAnchor } from '../../src/lib/protocol/comments';
import type { ApiClient } from './client';
import { openEditor } from './collab';
import { eventually } from './retry';

const schema = getSchema([StarterKit.configure({ undoRedo: false }), Recommendation]);

/** The anchor of the first occurrence of `words` in a Y.Doc, made by the editor's own function. */
export function anchorOf(doc: Y.Doc, words: string): CommentAnchor {
	const fragment = doc.getXmlFragment('default');
	const { doc: pm, mapping } = initProseMirrorDoc(fragment, schema);
	let found: { from: number; to: number } | null = null;
	pm.descendants((node, pos) => {
		const at = node.isText ? node.text!.indexOf(words) : -1;
		if (!found && at !== -1) found = { from: pos + at, to: pos + at + words.length };
	});
	if (!found) throw new Error(`"${words}" is not in the document`);
	const { from, to } = found as { from: number; to: number };
	return createAnchor({ doc, fragment, mapping }, from, to)!;
}

/**
 * Writes a paragraph and a recommendation (with `recommendationId`) into a document as a member's
 * editor, and resolves once an observer's editor has them (so the server holds them). Returns the
 * writer's Y.Doc for making anchors.
 */
export async function writeDocument(baseUrl: string, writer: ApiClient, reader: ApiClient, documentId: string, text: string, recommendationId: string) {
	const editor = openEditor(baseUrl, writer, documentId);
	const fragment = editor.doc.getXmlFragment('default');
	editor.doc.transact(() => {
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText(text)]);
		const recommendation = new Y.XmlElement('recommendation');
		recommendation.setAttribute('id', recommendationId);
		recommendation.setAttribute('status', 'draft');
		const inside = new Y.XmlElement('paragraph');
		inside.insert(0, [new Y.XmlText('Judges are appointed for life.')]);
		recommendation.insert(0, [inside]);
		fragment.push([paragraph, recommendation]);
	});
	const check = openEditor(baseUrl, reader, documentId);
	await eventually(() => expect(check.text()).toContain(text), { timeoutMs: 15_000 });
	check.destroy();
	return editor;
}

/** Everything a socket receives of the comment events, in order. */
export function recorder(socket: Socket) {
	const heard: { event: string; id: string; status?: string; comment?: any }[] = [];
	for (const event of ['comment:added', 'comment:updated', 'comment:removed']) {
		socket.on(event, (payload: { comment?: any; commentId?: string }) =>
			heard.push({ event, id: payload.comment?.id ?? payload.commentId!, status: payload.comment?.status, comment: payload.comment })
		);
	}
	return {
		heard,
		/** What was heard about one comment, as "event status" strings. */
		about: (id: string) => heard.filter((h) => h.id === id).map((h) => (h.status ? `${h.event} ${h.status}` : h.event)),
		clear: () => void heard.splice(0)
	};
}
