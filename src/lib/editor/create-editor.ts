import { Editor } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { TableKit } from '@tiptap/extension-table';
import StarterKit from '@tiptap/starter-kit';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import { CommentHighlights } from './comment-highlights';
import type { ResolvedAnchor } from './comment-anchors';
import { Recommendation, type RecommendationLabels } from './recommendation';
import { readPendingInput, RemoteSelection } from './remote-selection';
import { messageSync } from '$lib/protocol/collab';

export type EditorUser = { name: string; color: string };

/** Links may only point to the web or to e-mail (no `javascript:` and friends, BI-22). */
export function isSafeLink(url: string): boolean {
	try {
		return ['http:', 'https:', 'mailto:'].includes(new URL(url.trim()).protocol);
	} catch {
		return false;
	}
}

/**
 * The TipTap editor of a document, bound to the shared Y.Doc (fragment "default") and showing the
 * other editors' carets. History is Yjs's (undo only undoes one's own changes).
 */
export function createEditor(options: {
	element: HTMLElement;
	doc: Y.Doc;
	provider: WebsocketProvider;
	user: EditorUser;
	editable: boolean;
	labels: RecommendationLabels;
	canSetStatus: () => boolean;
	/** Called on every change of content or selection (also while the editor is being created). */
	onUpdate?: (editor: Editor) => void;
	/** Comment highlights: where each thread's words are now, a thread activated from its words, words this editor moved. */
	comments?: {
		onResolved: (resolved: Map<string, ResolvedAnchor>) => void;
		onActivate: (id: string) => void;
		onMoved: (id: string, range: { from: number; to: number }) => void;
	};
}): Editor {
	const editor = new Editor({
		element: options.element,
		editable: options.editable,
		extensions: [
			StarterKit.configure({
				undoRedo: false,
				heading: { levels: [2, 3, 4] },
				link: {
					openOnClick: false,
					autolink: true,
					protocols: ['http', 'https', 'mailto'],
					defaultProtocol: 'https',
					isAllowedUri: (url) => isSafeLink(url)
				}
			}),
			TableKit.configure({ table: { resizable: false } }),
			Recommendation.configure({ labels: options.labels, canSetStatus: options.canSetStatus }),
			CommentHighlights.configure(options.comments ?? {}),
			Collaboration.configure({ document: options.doc, field: 'default' }),
			RemoteSelection,
			CollaborationCaret.configure({
				provider: options.provider,
				user: options.user,
				render: (user) => {
					const caret = document.createElement('span');
					caret.className = 'collaboration-carets__caret';
					caret.style.borderColor = user.color;
					const label = document.createElement('span');
					label.className = 'collaboration-carets__label';
					label.style.backgroundColor = user.color;
					label.textContent = user.name;
					caret.append(label);
					return caret;
				}
			})
		],
		editorProps: { attributes: { class: 'document-body', spellcheck: 'true' } },
		onUpdate: ({ editor }) => options.onUpdate?.(editor),
		onSelectionUpdate: ({ editor }) => options.onUpdate?.(editor),
		onTransaction: ({ editor }) => options.onUpdate?.(editor)
	});
	const handleSync = options.provider.messageHandlers[messageSync]!;
	options.provider.messageHandlers[messageSync] = (...args) => {
		readPendingInput(editor.view);
		handleSync(...args);
	};
	return editor;
}
