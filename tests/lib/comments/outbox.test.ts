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

	it('drops a comment the server refuses for good and survives broken storage', async () => {
		const storage = memory();
		const outbox = new Outbox(storage, key, ids);
		outbox.add({ body: 'x' });
		await outbox.flush(async () => 'refused');
		expect(outbox.list()).toEqual([]);
		storage.data.set(key, '{not json');
		expect(outbox.list()).toEqual([]);
	});
});
