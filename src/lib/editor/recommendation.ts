import { mergeAttributes, Node } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';

const discussedKey = new PluginKey<string | null>('recommendation-discussed');

export const recommendationStatuses = ['draft', 'proposed', 'adopted', 'rejected'] as const;
export type RecommendationStatus = (typeof recommendationStatuses)[number];

export type RecommendationLabels = {
	heading: string;
	status: Record<RecommendationStatus, string>;
	statusLabel: string;
};

declare module '@tiptap/core' {
	interface Commands<ReturnType> {
		recommendation: {
			/** Wraps the current block(s) in a new recommendation, or inserts an empty one. */
			insertRecommendation: () => ReturnType;
			setRecommendationStatus: (id: string, status: RecommendationStatus) => ReturnType;
			/** Marks one recommendation as under discussion (a decoration: the text is not changed). */
			markDiscussed: (id: string | null) => ReturnType;
		};
	}
}

/**
 * A recommendation: a block holding paragraphs, with a stable uuid `id` that votes, comments and
 * exports refer to, and a `status`. Shown as "Recommendation N" (numbered by CSS counters, so the
 * number follows the order in the text) with a status badge; members switch draft/proposed, the
 * outcome of a vote sets adopted/rejected on the server.
 */
export const Recommendation = Node.create<{ labels: RecommendationLabels; canSetStatus: () => boolean }>({
	name: 'recommendation',
	group: 'block',
	content: 'block+',
	defining: true,
	isolating: true,

	addOptions() {
		return {
			labels: {
				heading: 'Recommendation',
				statusLabel: 'Status',
				status: { draft: 'Draft', proposed: 'Proposed', adopted: 'Adopted', rejected: 'Rejected' }
			},
			canSetStatus: () => true
		};
	},

	addAttributes() {
		return {
			id: {
				default: null,
				parseHTML: (element) => element.getAttribute('data-id'),
				renderHTML: (attributes) => ({ 'data-id': attributes.id })
			},
			status: {
				default: 'draft',
				parseHTML: (element) => {
					const value = element.getAttribute('data-status');
					return recommendationStatuses.includes(value as RecommendationStatus) ? value : 'draft';
				},
				renderHTML: (attributes) => ({ 'data-status': attributes.status })
			}
		};
	},

	parseHTML() {
		return [{ tag: 'section[data-type="recommendation"]' }];
	},

	renderHTML({ HTMLAttributes }) {
		return ['section', mergeAttributes(HTMLAttributes, { 'data-type': 'recommendation' }), 0];
	},

	addCommands() {
		return {
			insertRecommendation:
				() =>
				({ commands }) =>
					commands.wrapIn(this.name, { id: crypto.randomUUID(), status: 'draft' }) ||
					commands.insertContent({ type: this.name, attrs: { id: crypto.randomUUID(), status: 'draft' }, content: [{ type: 'paragraph' }] }),
			markDiscussed:
				(id) =>
				({ tr, dispatch }) => {
					if (dispatch) tr.setMeta(discussedKey, id);
					return true;
				},
			setRecommendationStatus:
				(id, status) =>
				({ tr, state, dispatch }) => {
					let found = false;
					state.doc.descendants((node, pos) => {
						if (node.type.name !== this.name || node.attrs.id !== id) return !found;
						found = true;
						if (dispatch) tr.setNodeMarkup(pos, undefined, { ...node.attrs, status });
						return false;
					});
					return found;
				}
		};
	},

	addKeyboardShortcuts() {
		return { 'Mod-Alt-r': () => this.editor.commands.insertRecommendation() };
	},

	addNodeView() {
		return ({ node, editor, getPos }) => {
			const { labels } = this.options;
			const dom = document.createElement('section');
			dom.dataset.type = 'recommendation';
			const header = document.createElement('header');
			header.contentEditable = 'false';
			header.className = 'recommendation-header';
			const title = document.createElement('span');
			title.className = 'recommendation-title';
			title.dataset.label = labels.heading;
			const status = document.createElement('select');
			status.className = 'recommendation-status';
			status.setAttribute('aria-label', labels.statusLabel);
			for (const value of recommendationStatuses) {
				const option = document.createElement('option');
				option.value = value;
				option.textContent = labels.status[value];
				// Adopted and rejected come from a vote, not from a menu.
				option.disabled = value === 'adopted' || value === 'rejected';
				status.append(option);
			}
			status.addEventListener('change', () => {
				const pos = getPos();
				if (typeof pos !== 'number') return;
				editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...current.attrs, status: status.value }));
			});
			header.append(title, status);
			const content = document.createElement('div');
			content.className = 'recommendation-body';
			dom.append(header, content);
			let current = node;
			const render = () => {
				dom.dataset.id = current.attrs.id ?? '';
				dom.dataset.status = current.attrs.status;
				status.value = current.attrs.status;
				status.disabled = !editor.isEditable || !this.options.canSetStatus() || ['adopted', 'rejected'].includes(current.attrs.status);
			};
			render();
			return {
				dom,
				contentDOM: content,
				update: (updated) => {
					if (updated.type !== current.type) return false;
					current = updated;
					render();
					return true;
				},
				ignoreMutation: (mutation) => header.contains(mutation.target as globalThis.Node)
			};
		};
	},

	addProseMirrorPlugins() {
		const type = this.name;
		// Copy-paste or a split can duplicate an id; ids must stay unique for votes and comments.
		return [
			new Plugin<string | null>({
				key: discussedKey,
				state: {
					init: () => null,
					apply: (tr, value) => (tr.getMeta(discussedKey) === undefined ? value : (tr.getMeta(discussedKey) as string | null))
				},
				props: {
					decorations: (state) => {
						const id = discussedKey.getState(state);
						if (!id) return null;
						const found: Decoration[] = [];
						state.doc.descendants((node, pos) => {
							if (node.type.name !== type) return true;
							if (node.attrs.id === id) found.push(Decoration.node(pos, pos + node.nodeSize, { class: 'under-discussion' }));
							return false;
						});
						return DecorationSet.create(state.doc, found);
					}
				}
			}),
			new Plugin({
				key: new PluginKey('recommendation-ids'),
				appendTransaction: (transactions, _old, state) => {
					// Only this client's own edits: remote ones were fixed where they were made, and a
					// read-only client must never write.
					const local = transactions.some((tr) => tr.docChanged && !tr.getMeta('y-sync$'));
					if (!local || !this.editor.isEditable) return null;
					const seen = new Set<string>();
					const tr = state.tr;
					state.doc.descendants((node, pos) => {
						if (node.type.name !== type) return true;
						const id = node.attrs.id as string | null;
						if (!id || seen.has(id)) tr.setNodeMarkup(pos, undefined, { ...node.attrs, id: crypto.randomUUID() });
						else seen.add(id);
						return false;
					});
					return tr.docChanged ? tr.setMeta('addToHistory', false) : null;
				}
			})
		];
	}
});
