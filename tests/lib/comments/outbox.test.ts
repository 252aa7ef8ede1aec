import { describe, expect, it } from 'vitest';
import { Outbox, outboxKey, type KeyValue, type SendResult, type Unsent } from '../../../src/lib/comments/outbox';

function memory(): KeyValue & { data: Map<string, string> } {
	const data = new Map<string, string>();
	return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('the offline outbox', () => {
	const key = outboxKey('user-1', { documentId: 'doc-1' });
	let n = 0;
	const ids = () => `id-${++n}`;

	it('keeps comments per user and stream, with their clientId, across page loads', () => {
		const storage = memory();
		new Outbox(storage, key, ids).add({ body: 'first' });
		expect(new Outbox(storage, key).list()).toMatchObject([{ body: 'first', clientId: expect.stringMatching(/^id-/) }]);
		expect(new Outbox(storage, outboxKey('user-2', { documentId: 'doc-1' })).list()).toEqual([]);
		expect(outboxKey('user-1', { sessionId: 's' })).not.toBe(key);
	});

	it('sends each once in order, keeps what was not reached, and a second flush joins the first', async () => {
		const storage = memory();
		const outbox = new Outbox(storage, key, ids);
		const a = outbox.add({ body: 'a' });
		const b = outbox.add({ body: 'b' });
		const sent: string[] = [];
		let online = false;
		const send = async (item: Unsent): Promise<SendResult> => {
			await Promise.resolve();
			if (!online) return 'offline';
			sent.push(item.clientId);
			return 'sent';
		};
		await outbox.flush(send);
		expect(outbox.list().map((i) => i.clientId)).toEqual([a.clientId, b.clientId]);
		online = true;
		await Promise.all([outbox.flush(send), outbox.flush(send)]);
		expect(sent).toEqual([a.clientId, b.clientId]);
		expect(outbox.list()).toEqual([]);
		expect(storage.data.size).toBe(0);
	});

	it('a comment written while another is on its way is sent by the flush it joins (two questions asked in quick succession)', async () => {
		const outbox = new Outbox(memory(), key, ids);
		const sent: string[] = [];
		let release!: () => void;
		const slow = new Promise<void>((resolve) => (release = resolve));
		const send = async (item: Unsent): Promise<SendResult> => {
			if (item.body === 'first') await slow;
			sent.push(item.body);
			return 'sent';
		};
		outbox.add({ body: 'first' });
		const first = outbox.flush(send);
		outbox.add({ body: 'second' });
		const second = outbox.flush(send);
		release();
		await Promise.all([first, second]);
		expect(sent).toEqual(['first', 'second']);
		expect(outbox.list()).toEqual([]);
	});

	it('sends what is added after an empty flush', async () => {
		const outbox = new Outbox(memory(), key, ids);
		const sent: string[] = [];
		await outbox.flush(async () => 'sent');
		outbox.add({ body: 'later' });
		await outbox.flush(async (item) => (sent.push(item.body), 'sent'));
		expect(sent).toEqual(['later']);
	});

	it('keeps a comment the server refuses for good on a resend, with its text and the reason, and sends it no more', async () => {
		const storage = memory();
		const outbox = new Outbox(storage, key, ids);
		const refused = outbox.add({ body: 'Written offline; the writer was made an observer meanwhile.', parentId: 'thread-1' });
		const next = outbox.add({ body: 'the next one' });
		const sent: string[] = [];
		await outbox.flush(async (item) => {
			sent.push(item.body);
			return item.clientId === refused.clientId ? { refused: 'FORBIDDEN' } : 'sent';
		});
		expect(sent).toEqual(['Written offline; the writer was made an observer meanwhile.', 'the next one']);
		// The text survives a reload of the page (a new outbox on the same storage), marked refused.
		const reloaded = new Outbox(storage, key, ids);
		expect(reloaded.list()).toEqual([{ ...refused, refused: 'FORBIDDEN' }]);
		expect(reloaded.list().map((i) => i.clientId)).not.toContain(next.clientId);
		expect(reloaded.pending()).toEqual([]);
		await reloaded.flush(async (item) => (sent.push(item.body), 'sent'));
		expect(sent).toHaveLength(2);

		// Changed by its writer it is kept so; sent again, it goes out with its clientId and leaves.
		reloaded.revise(refused.clientId, 'Changed text');
		expect(reloaded.list()).toMatchObject([{ body: 'Changed text', refused: 'FORBIDDEN' }]);
		reloaded.retry(refused.clientId, 'Changed again');
		const resent: Unsent[] = [];
		await reloaded.flush(async (item) => (resent.push(item), 'sent'));
		expect(resent).toEqual([{ clientId: refused.clientId, writtenAt: refused.writtenAt, body: 'Changed again', parentId: 'thread-1' }]);
		expect(reloaded.list()).toEqual([]);
		expect(storage.data.size).toBe(0);
	});

	it('discards a refused comment only when told to, and survives broken storage', async () => {
		const storage = memory();
		const outbox = new Outbox(storage, key, ids);
		const item = outbox.add({ body: 'x' });
		await outbox.flush(async () => ({ refused: 'VALIDATION' }));
		expect(outbox.list()).toMatchObject([{ body: 'x', refused: 'VALIDATION' }]);
		outbox.remove(item.clientId);
		expect(outbox.list()).toEqual([]);
		storage.data.set(key, '{not json');
		expect(outbox.list()).toEqual([]);
	});

	it('keeps comments in memory while storage refuses to write, or there is none', async () => {
		const full: KeyValue = { getItem: () => null, setItem: () => { throw new DOMException('full', 'QuotaExceededError'); }, removeItem: () => {} };
		for (const storage of [full, null]) {
			const outbox = new Outbox(storage, key, ids);
			outbox.add({ body: 'kept in memory' });
			expect(outbox.list()).toMatchObject([{ body: 'kept in memory' }]);
			await outbox.flush(async () => ({ refused: 'NOT_FOUND' }));
			expect(outbox.list()).toMatchObject([{ body: 'kept in memory', refused: 'NOT_FOUND' }]);
		}
	});
});
