import * as Y from 'yjs';
import type { RoomRegistry } from './registry';
import { serverOrigin } from './room';

export type Block = { type: 'heading'; text: string } | { type: 'paragraph'; text: string };

/**
 * Appends blocks to a document as the server (the minutes that write themselves). The change goes
 * through the room like any client's: broadcast to open editors and stored in the log.
 */
export async function appendBlocks(registry: RoomRegistry, documentId: string, groupId: string, blocks: Block[]): Promise<void> {
	const room = await registry.open(documentId, groupId);
	try {
		room.doc.transact(() => {
			const fragment = room.doc.getXmlFragment('default');
			for (const block of blocks) {
				const element = new Y.XmlElement(block.type);
				if (block.type === 'heading') element.setAttribute('level', 3 as unknown as string);
				element.insert(0, [new Y.XmlText(block.text)]);
				fragment.push([element]);
			}
		}, serverOrigin);
	} finally {
		registry.released(room);
	}
}

/**
 * Sets the `status` attribute of the recommendation with this id, as the server (a vote's outcome):
 * broadcast to open editors and stored like any edit. Resolves once the change is stored; false when
 * the recommendation is no longer in the text (deleted while the vote ran), then nothing is written.
 */
export async function setRecommendationStatus(
	registry: RoomRegistry,
	documentId: string,
	groupId: string,
	recommendationId: string,
	status: 'draft' | 'proposed' | 'adopted' | 'rejected'
): Promise<boolean> {
	const room = await registry.open(documentId, groupId);
	try {
		const fragment = room.doc.getXmlFragment('default');
		const found = fragment
			.createTreeWalker((node) => node instanceof Y.XmlElement && node.nodeName === 'recommendation' && node.getAttribute('id') === recommendationId)
			.next();
		if (found.done) return false;
		room.doc.transact(() => (found.value as Y.XmlElement).setAttribute('status', status), serverOrigin);
		// Resolves once stored, so the caller can record that the outcome is in the text.
		await room.flush();
		return true;
	} finally {
		registry.released(room);
	}
}
