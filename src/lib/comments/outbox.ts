import type { StreamRef } from '../protocol/comments';

/** What `comment:add` gets for a comment written offline (the stream is the outbox's). */
export type Draft = { body: string; anchor?: { from: string; to: string } | null; parentId?: string | null; recommendationId?: string | null; documentId?: string | null };
export type Unsent = Draft & { clientId: string; writtenAt: string };

/** The minimal Storage the outbox needs (localStorage in the browser, a Map in tests). */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The answer of one send: sent (or refused for good: never retried), or not reached (kept for later). */
export type SendResult = 'sent' | 'refused' | 'offline';

export function outboxKey(userId: string, stream: StreamRef): string {
	return 'documentId' in stream ? `plenary:outbox:${userId}:document:${stream.documentId}` : `plenary:outbox:${userId}:session:${stream.sessionId}`;
}

/**
 * Comments written while the socket is down, kept per user and stream (so another person on the
 * same browser never sends them). Each keeps the `clientId` it got when written; the server answers
 * a resend with the same clientId with the first comment, so a send that was delivered but whose
 * answer was lost is harmless. One flush at a time, in the order they were written.
 */
export class Outbox {
	private flushing: Promise<void> | null = null;

	constructor(
		private readonly storage: KeyValue | null,
		private readonly key: string,
		private readonly newId: () => string = () => crypto.randomUUID()
	) {}

	list(): Unsent[] {
		try {
			const raw = this.storage?.getItem(this.key);
			const parsed: unknown = raw ? JSON.parse(raw) : [];
			return Array.isArray(parsed) ? (parsed.filter((item) => item && typeof item.clientId === 'string' && typeof item.body === 'string') as Unsent[]) : [];
		} catch {
			return [];
		}
	}

	private save(items: Unsent[]): void {
		try {
			if (items.length) this.storage?.setItem(this.key, JSON.stringify(items));
			else this.storage?.removeItem(this.key);
		} catch {
			// Storage full or disabled: the comment stays in memory only for this page.
		}
	}

	/** Keeps a new comment with a fresh clientId; returns it. */
	add(draft: Draft, now = new Date()): Unsent {
		const item: Unsent = { ...draft, clientId: this.newId(), writtenAt: now.toISOString() };
		this.save([...this.list(), item]);
		return item;
	}

	remove(clientId: string): void {
		this.save(this.list().filter((item) => item.clientId !== clientId));
	}

	/**
	 * Sends every kept comment in order with its clientId; removes those sent or refused for good,
	 * stops at the first one not reached. A flush already under way is joined, not started again.
	 */
	flush(send: (item: Unsent) => Promise<SendResult>): Promise<void> {
		if (this.flushing) return this.flushing;
		// The list is read again after every send: a comment written while one is on its way joins
		// this flush, which would otherwise end without it and leave it "not yet sent".
		const run = async () => {
			for (let item = this.list()[0]; item; item = this.list()[0]) {
				const result = await send(item);
				if (result === 'offline') break;
				this.remove(item.clientId);
			}
		};
		// Cleared in a later microtask, after the assignment (an empty outbox finishes at once).
		this.flushing = run().finally(() => (this.flushing = null));
		return this.flushing;
	}
}
