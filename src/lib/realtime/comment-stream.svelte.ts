import type { Socket } from 'socket.io-client';
import { Outbox, outboxKey, type Draft, type SendResult, type Unsent } from '$lib/comments/outbox';
import type { Comment, CommentAction, CommentAnchor, CommentList, StreamRef } from '$lib/protocol/comments';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '$lib/protocol/live';

type AnySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** commentLimits.windowMs, the rate limit's window (not imported: the protocol module brings Yjs and zod into the page). */
const rateWindowMs = 10_000;

/**
 * One comment stream in the browser (a document's comments or a session's questions) over a
 * Socket.IO connection: the comments as the server sends them, which ones I upvoted, and the
 * comments written while offline (kept in localStorage with their clientId, sent on reconnect).
 * Opening a stream marks it read, and so does every comment that arrives while it is open.
 */
export class CommentStream {
	comments = $state<Comment[]>([]);
	upvoted = $state<string[]>([]);
	unsent = $state<Unsent[]>([]);
	connected = $state(false);
	lastError = $state<string | null>(null);

	private readonly outbox: Outbox;
	private readonly off: (() => void)[] = [];
	private readTimer: ReturnType<typeof setTimeout> | null = null;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(
		private readonly socket: AnySocket,
		readonly stream: StreamRef,
		userId: string,
		/** Waits before sending anchored comments (the document's provider syncing first). */
		private readonly ready: () => Promise<void> = async () => {}
	) {
		this.outbox = new Outbox(typeof localStorage === 'undefined' ? null : localStorage, outboxKey(userId, stream));
		this.unsent = this.outbox.list();
		const onConnect = () => void this.open();
		const onDisconnect = () => (this.connected = false);
		const upsert = ({ comment }: { comment: Comment }) => {
			if (!this.mine(comment)) return;
			this.upsert(comment);
			this.markReadSoon();
		};
		const removed = ({ commentId }: { commentId: string }) => (this.comments = this.comments.filter((c) => c.id !== commentId));
		socket.on('connect', onConnect);
		socket.on('disconnect', onDisconnect);
		socket.on('comment:added', upsert);
		socket.on('comment:updated', upsert);
		socket.on('comment:removed', removed);
		this.off.push(
			() => socket.off('connect', onConnect),
			() => socket.off('disconnect', onDisconnect),
			() => socket.off('comment:added', upsert),
			() => socket.off('comment:updated', upsert),
			() => socket.off('comment:removed', removed)
		);
		if (socket.connected) void this.open();
	}

	private mine(comment: Comment): boolean {
		return 'documentId' in this.stream ? comment.sessionId === null && comment.documentId === this.stream.documentId : comment.sessionId === this.stream.sessionId;
	}

	private upsert(comment: Comment): void {
		const at = this.comments.findIndex((c) => c.id === comment.id);
		if (at === -1) this.comments = [...this.comments, comment];
		else this.comments = this.comments.map((c, i) => (i === at ? comment : c));
	}

	private async emit<T extends object>(event: keyof ClientToServerEvents, payload: object): Promise<Ack<T> | 'offline'> {
		if (!this.socket.connected) return 'offline';
		try {
			const emit = this.socket.timeout(10_000).emitWithAck as unknown as (e: string, p: object) => Promise<Ack<T>>;
			return await emit.call(this.socket.timeout(10_000), event, payload);
		} catch {
			return 'offline';
		}
	}

	/** (Re)joins the stream after every connect, then sends what was written offline. */
	private async open(): Promise<void> {
		const answer = 'documentId' in this.stream ? await this.emit<CommentList>('document:join', this.stream) : await this.emit<CommentList>('comments:list', this.stream);
		if (answer === 'offline') return;
		if (!answer.ok) {
			this.lastError = answer.error.code;
			return;
		}
		this.comments = answer.comments.filter((c) => this.mine(c));
		this.upvoted = answer.upvoted;
		this.connected = true;
		void this.emit('comment:read', this.stream);
		await this.flush();
	}

	private retrySoon(): void {
		if (this.retryTimer) return;
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			if (this.connected) void this.flush();
		}, rateWindowMs);
	}

	private markReadSoon(): void {
		if (this.readTimer) clearTimeout(this.readTimer);
		this.readTimer = setTimeout(() => {
			this.readTimer = null;
			void this.emit('comment:read', this.stream);
		}, 1000);
	}

	private async flush(): Promise<void> {
		await this.outbox.flush(async (item): Promise<SendResult> => {
			if (item.anchor) await this.ready();
			// Only the fields of `comment:add` (the server refuses any other as VALIDATION).
			const { writtenAt: _, refused: __, ...payload } = item;
			const answer = await this.emit<{ comment: Comment }>('comment:add', { ...this.stream, ...payload });
			if (answer === 'offline') return 'offline';
			if (answer.ok) {
				this.upsert(answer.comment);
				this.lastError = null;
				return 'sent';
			}
			if (answer.error.code === 'RATE_LIMITED' || answer.error.code === 'INTERNAL') {
				// Kept, and tried again once the window has passed (not only on the next reconnect).
				this.lastError = answer.error.code;
				this.retrySoon();
				return 'offline';
			}
			// The refused comment says why itself (in `unsent`, or in `lastError` once given back by `add`).
			this.lastError = null;
			return { refused: answer.error.code };
		});
		this.unsent = this.outbox.list();
	}

	/**
	 * Writes a comment: kept with a new clientId first, then sent (now, or on reconnect). `kept`
	 * means it waits for the connection (shown in `unsent`). `refused` means the server refused it
	 * for good: `giveBack` is offered the text and answers whether it put it back into the box it
	 * was written in (then the reason is in `lastError`); it answers false when that box is gone or
	 * holds new words, and the comment stays in `unsent`, marked refused with the reason, for its
	 * writer to copy, change and send again, or discard.
	 */
	async add(draft: Draft, giveBack: (body: string) => boolean = () => false): Promise<'sent' | 'refused' | 'kept'> {
		const { clientId } = this.outbox.add(draft);
		this.unsent = this.outbox.list();
		return this.settle(clientId, giveBack);
	}

	/** Sends a refused comment again with its text as its writer changed it; answers like `add`. */
	async resend(clientId: string, body: string): Promise<'sent' | 'refused' | 'kept'> {
		this.outbox.retry(clientId, body);
		this.unsent = this.outbox.list();
		return this.settle(clientId, () => false);
	}

	private async settle(clientId: string, giveBack: (body: string) => boolean): Promise<'sent' | 'refused' | 'kept'> {
		if (this.connected) await this.flush();
		const item = this.outbox.list().find((one) => one.clientId === clientId);
		if (!item) return 'sent';
		if (!item.refused) return 'kept';
		if (giveBack(item.body)) {
			this.discard(clientId);
			this.lastError = item.refused;
		}
		return 'refused';
	}

	/** Keeps what the writer typed into a refused comment, across reloads, before it is sent again. */
	revise(clientId: string, body: string): void {
		this.outbox.revise(clientId, body);
		this.unsent = this.outbox.list();
	}

	/** Forgets a comment that could not be sent (its writer chose to). */
	discard(clientId: string): void {
		this.outbox.remove(clientId);
		this.unsent = this.outbox.list();
	}

	private async change(event: keyof ClientToServerEvents, payload: object): Promise<boolean> {
		const answer = await this.emit<{ comment: Comment | null }>(event, payload);
		if (answer === 'offline') {
			this.lastError = 'OFFLINE';
			return false;
		}
		if (!answer.ok) {
			this.lastError = answer.error.code;
			return false;
		}
		this.lastError = null;
		const commentId = (payload as { commentId?: string }).commentId;
		if (answer.comment) this.upsert(answer.comment);
		else if (commentId) this.comments = this.comments.filter((c) => c.id !== commentId);
		return true;
	}

	edit(commentId: string, body: string): Promise<boolean> {
		return this.change('comment:edit', { commentId, body });
	}

	/** Moves a thread to the words of `anchor` (the same words, re-created by a split or join of paragraphs). */
	moveAnchor(commentId: string, anchor: CommentAnchor): Promise<boolean> {
		return this.change('comment:anchor', { commentId, anchor });
	}

	remove(commentId: string): Promise<boolean> {
		return this.change('comment:delete', { commentId });
	}

	async upvote(commentId: string): Promise<boolean> {
		const done = await this.change('comment:upvote', { commentId });
		if ((done || this.lastError === 'ALREADY_UPVOTED') && !this.upvoted.includes(commentId)) this.upvoted = [...this.upvoted, commentId];
		return done;
	}

	act(action: CommentAction, commentId: string): Promise<boolean> {
		return this.change(action, { commentId });
	}

	destroy(leave: boolean): void {
		if (this.readTimer) {
			// A comment that arrived just before the stream was closed was seen: it is marked read now.
			clearTimeout(this.readTimer);
			void this.emit('comment:read', this.stream);
		}
		if (this.retryTimer) clearTimeout(this.retryTimer);
		for (const off of this.off) off();
		if (leave && 'documentId' in this.stream && this.socket.connected) void this.emit('document:leave', this.stream);
	}
}
