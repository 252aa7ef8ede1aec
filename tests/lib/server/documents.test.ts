import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/lib/server/db/db';
import * as documents from '../../../src/lib/server/documents';
import * as events from '../../../src/lib/server/events';
import * as groups from '../../../src/lib/server/groups';
import * as users from '../../../src/lib/server/users';
import { paragraphsOf } from '../../helpers/bystander';
import { openTestDb } from '../../helpers/db';
import { backends } from '../../helpers/services';

/** Three updates of one author, each adding a paragraph. */
function threeParagraphs(): Uint8Array[] {
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (update: Uint8Array) => updates.push(update));
	for (const text of ['First.', 'Second.', 'Third.']) {
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText(text)]);
		doc.getXmlFragment('default').push([paragraph]);
	}
	return updates;
}

function contentOf(updates: Uint8Array[]): string[] {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, Y.mergeUpdates(updates));
	return paragraphsOf(doc);
}

describe.each(backends())('stored document content on %s', (backend) => {
	let db: Db;
	let dispose: () => Promise<void>;
	let groupId: string;
	let userId: string;
	beforeAll(async () => {
		({ db, dispose } = await openTestDb(backend));
		const user = await users.create(db, { email: `writer-${crypto.randomUUID()}@example.org`, name: 'Writer', passwordHash: 'x', locale: null });
		const event = await events.create(db, user.id, { title: 'Seminar' });
		groupId = (await groups.create(db, event.id, 'Drafting')).id;
		userId = user.id;
	});
	afterAll(async () => dispose());

	it('loads as the snapshot plus the log rows after it', async () => {
		const { id } = await documents.create(db, groupId, userId, { title: 'Draft', kind: 'recommendations' });
		const [one, two, three] = threeParagraphs() as [Uint8Array, Uint8Array, Uint8Array];
		await documents.appendUpdate(db, id, one);
		const second = await documents.appendUpdate(db, id, two);
		const third = await documents.appendUpdate(db, id, three);
		await documents.compact(db, id, Y.mergeUpdates([one, two]), second);
		const loaded = await documents.loadContent(db, id);
		expect(loaded.logLength).toBe(1);
		expect(loaded.lastSeq).toBe(third);
		expect(contentOf(loaded.updates)).toEqual(['First.', 'Second.', 'Third.']);
	});

	it('a compaction that commits after a newer one does not take the snapshot back (nothing it folded in is lost)', async () => {
		const { id } = await documents.create(db, groupId, userId, { title: 'Draft', kind: 'recommendations' });
		const [one, two, three] = threeParagraphs() as [Uint8Array, Uint8Array, Uint8Array];
		await documents.appendUpdate(db, id, one);
		const second = await documents.appendUpdate(db, id, two);
		const third = await documents.appendUpdate(db, id, three);
		await documents.compact(db, id, Y.mergeUpdates([one, two, three]), third);
		await documents.compact(db, id, Y.mergeUpdates([one, two]), second);
		const loaded = await documents.loadContent(db, id);
		expect(loaded.logLength).toBe(0);
		expect(loaded.lastSeq).toBe(third);
		expect(contentOf(loaded.updates)).toEqual(['First.', 'Second.', 'Third.']);
	});
});
