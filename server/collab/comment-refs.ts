import * as Y from 'yjs';
import { decodeAnchorPart, type CommentAnchor } from '../../src/lib/protocol/comments';
import { AppError, notFound } from '../../src/lib/server/errors';
import type { RoomRegistry } from './registry';

/**
 * What a comment points at inside a document's text, checked against the server's copy (BI-23):
 * the two ends of an anchor and a recommendation id. Run before a comment is stored; throws
 * NOT_FOUND when they are not in that document.
 */

const pollMs = 50;

/** Whether the struct a position names is in the document (possibly deleted since: still its text). */
function known(doc: Y.Doc, position: Y.RelativePosition): boolean {
	const id = position.item ?? position.type;
	return id === null || Y.getState(doc.store, id.client) > id.clock;
}

/** The position lies in the editor's fragment `default`, or it was deleted with its paragraph. */
function inText(doc: Y.Doc, position: Y.RelativePosition): boolean {
	const fragment = doc.getXmlFragment('default');
	const absolute = Y.createAbsolutePositionFromRelativePosition(position, doc);
	if (!absolute) return true; // known but collected: text deleted since, which still resolves as deleted
	return absolute.type === fragment || (absolute.type._item !== null && Y.isParentOf(fragment, absolute.type._item));
}

/**
 * Both ends of `anchor` must be positions in this document's text. A client may comment on words
 * it typed a moment ago whose update travels on the other socket (/collab), so a position the
 * server does not know yet is waited for up to `waitMs` before it is refused.
 */
export async function checkAnchor(registry: RoomRegistry, documentId: string, groupId: string, anchor: CommentAnchor, waitMs = 1500): Promise<void> {
	const ends = [decodeAnchorPart(anchor.from), decodeAnchorPart(anchor.to)];
	if (ends.some((end) => end === null)) throw new AppError('VALIDATION', 'anchor: not a relative position', { fields: { anchor: 'not a relative position' } });
	const positions = ends as Y.RelativePosition[];
	const room = await registry.open(documentId, groupId);
	try {
		const deadline = Date.now() + waitMs;
		while (!positions.every((position) => known(room.doc, position))) {
			if (Date.now() > deadline) throw notFound('anchor: the commented text is not in this document');
			await new Promise((resolve) => setTimeout(resolve, pollMs));
		}
		if (!positions.every((position) => inText(room.doc, position))) throw notFound('anchor: the commented text is not in this document');
	} finally {
		registry.released(room);
	}
}

/**
 * The recommendation (a `recommendation` block with this `id`) must be in the document. Answers its
 * status in the server's copy (`draft` when it has none).
 */
export async function checkRecommendation(registry: RoomRegistry, documentId: string, groupId: string, recommendationId: string): Promise<string> {
	const room = await registry.open(documentId, groupId);
	try {
		const fragment = room.doc.getXmlFragment('default');
		const found = fragment.createTreeWalker((node) => node instanceof Y.XmlElement && node.nodeName === 'recommendation' && node.getAttribute('id') === recommendationId).next();
		if (found.done) throw notFound('recommendationId: no such recommendation in this document');
		return (found.value as Y.XmlElement).getAttribute('status') ?? 'draft';
	} finally {
		registry.released(room);
	}
}
