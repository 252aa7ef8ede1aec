import type { StreamRef } from '../protocol/comments';

/** What `comment:add` gets for a comment written offline (the stream is the outbox's). */
export type Draft = { body: string; anchor?: { from: string; to: string } | null; parentId?: string | null; recommendationId?: string | null; documentId?: string | null };
/** `refused`: the error code of the server's final refusal; such a comment is kept for its writer, never sent by a flush. */
export type Unsent = Draft & { clientId: string; writtenAt: string; refused?: string };

/** The minimal Storage the outbox needs (localStorage in the browser, a Map in tests). */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The answer of one send: sent, refused for good (with the error code), or not reached (kept for later). */
export type SendResult = 'sent' | 'offline' | { refused: string };

export function outboxKey(userId: string, stream: StreamRef): string {
	return 'documentId' in stream ? `plenary:outbox:${userId}:document:${stream.documentId}` : `plenary:outbox:${userId}:session:${stream.sessionId}`;
}

/**
 * Comments written while the socket is down, kept per user and stream (so another person on the
 * same browser never sends them). Each keeps the `clientId` it got when written; the server answers
 * a resend with the same clientId with the first comment, so a send that was delivered but whose
 * answer was lost is harmless. One flush at a time, in the order they were written. A comment the
 * server refuses for good stays, marked `refused`, until its writer sends it again or discards it:
 * the words someone typed are never thrown away by the outbox.
 */
export class Outbox {
	private flushing: Promise<void> | null = null;
	/** The list while storage is missing or refuses to write (full, disabled): kept for this page only. */
	private memory: Unsent[] | null;

	constructor(
		private readonly storage: KeyValue | null,
		private readonly key: string,
		private readonly newId: () => string = () => crypto.randomUUID()
	) {
		this.memory = storage ? null : [];
	}

	list(): Unsent[] {
		if (this.memory) return this.memory;
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
			if (!this.storage) throw new Error('no storage');
			if (items.length) this.storage.setItem(this.key, JSON.stringify(items));
			else this.storage.removeItem(this.key);
			this.memory = null;
		} catch {
			// Storage full or disabled: the comments stay in memory, for this page only.
			this.memory = items;
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

	/** The comments a flush sends: all but the refused ones, in the order they were written. */
	pending(): Unsent[] {
		return this.list().filter((item) => !item.refused);
	}

	private update(clientId: string, change: (item: Unsent) => Unsent): void {
		this.save(this.list().map((item) => (item.clientId === clientId ? change(item) : item)));
	}

	/** Keeps the writer's changes to a refused comment's text (it stays refused until `retry`). */
	revise(clientId: string, body: string): void {
		this.update(clientId, (item) => ({ ...item, body }));
	}

	/**
	 * A refused comment, as its writer changed it, waits to be sent again. It keeps its clientId:
	 * nothing was stored under it, and a resend of this try must still be recognised as one.
	 */
	retry(clientId: string, body: string): void {
		this.update(clientId, ({ refused: _, ...item }) => ({ ...item, body }));
	}

	/**
	 * Sends every pending comment in order with its clientId; removes those sent, marks those refused
	 * for good (kept, not sent again), stops at the first one not reached. A flush already under way
	 * is joined, not started again.
	 */
	flush(send: (item: Unsent) => Promise<SendResult>): Promise<void> {
		if (this.flushing) return this.flushing;
		// The list is read again after every send: a comment written while one is on its way joins
		// this flush, which would otherwise end without it and leave it "not yet sent".
		const run = async () => {
			for (let item = this.pending()[0]; item; item = this.pending()[0]) {
				const result = await send(item);
				if (result === 'offline') break;
				if (result === 'sent') this.remove(item.clientId);
				else this.update(item.clientId, (kept) => ({ ...kept, refused: result.refused }));
			}
		};
		// Cleared in a later microtask, after the assignment (an empty outbox finishes at once).
		this.flushing = run().finally(() => (this.flushing = null));
		return this.flushing;
	}
}
