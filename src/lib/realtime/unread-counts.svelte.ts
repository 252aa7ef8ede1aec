import type { Socket } from 'socket.io-client';
import type { Comment, UnreadCounts } from '$lib/protocol/comments';
import type { ClientToServerEvents, ServerToClientEvents } from '$lib/protocol/live';

type AnySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How often the counts are asked again: they also correct what the live updates cannot know. */
const refreshMs = 15_000;
/** A burst of deletions or hidings is answered with one question to the server. */
const settleMs = 500;

/**
 * Unread comments of the documents a session room follows, for the badges on its tabs. The server's
 * counts (`comments:unread`) are asked on every connect and every 15 s; in between, a comment that
 * reaches this socket (`comment:added`: the server sends it only to those who see it) counts at
 * once, unless it is mine or on the document on screen, which is read as it arrives. A comment
 * removed or deleted asks the server again, since only it knows whether that one was read.
 */
export class RoomUnread {
	counts = $state<UnreadCounts>({ documents: {}, sessions: {} });

	private shown: string | null = null;
	/** For each question in flight, the documents shown since it was asked: their counts are stale in its answer. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
	private readonly asking = new Set<Set<string>>();
	private readonly off: (() => void)[] = [];
	private settleTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(
		private readonly socket: AnySocket,
		private readonly groupId: string,
		private readonly me: string,
		/** The documents whose streams the socket follows (the session's). */
		private readonly documentIds: string[]
	) {
		const refresh = () => this.refresh();
		const added = ({ comment }: { comment: Comment }) => this.added(comment);
		const changed = ({ comment }: { comment: Comment }) => comment.deleted && this.settle();
		const removed = () => this.settle();
		const timer = setInterval(refresh, refreshMs);
		socket.on('connect', refresh);
		socket.on('comment:added', added);
		socket.on('comment:updated', changed);
		socket.on('comment:removed', removed);
		this.off.push(
			() => clearInterval(timer),
			() => socket.off('connect', refresh),
			() => socket.off('comment:added', added),
			() => socket.off('comment:updated', changed),
			() => socket.off('comment:removed', removed)
		);
		refresh();
	}

	/** The document on screen: its comments are read as they arrive (its CommentStream marks them). */
	show(documentId: string | null): void {
		this.shown = documentId;
		if (!documentId) return;
		for (const shownMeanwhile of this.asking) shownMeanwhile.add(documentId);
		if (this.counts.documents[documentId]) this.counts.documents[documentId] = 0;
	}

	private added(comment: Comment): void {
		const documentId = comment.documentId;
		if (comment.sessionId !== null || !documentId || !this.documentIds.includes(documentId)) return;
		if (comment.authorId === this.me || documentId === this.shown || comment.deleted) return;
		this.counts.documents[documentId] = (this.counts.documents[documentId] ?? 0) + 1;
	}

	private settle(): void {
		if (this.settleTimer) clearTimeout(this.settleTimer);
		this.settleTimer = setTimeout(() => {
			this.settleTimer = null;
			this.refresh();
		}, settleMs);
	}

	private refresh(): void {
		if (!this.socket.connected) return;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
		const shownMeanwhile = new Set(this.shown ? [this.shown] : []);
		this.asking.add(shownMeanwhile);
		const emit = this.socket.timeout(10_000).emitWithAck as unknown as (e: string, p: object) => Promise<({ ok: true } & UnreadCounts) | { ok: false }>;
		emit
			.call(this.socket.timeout(10_000), 'comments:unread', { groupId: this.groupId })
			.then((answer) => {
				if (!answer.ok) return;
				const documents = { ...answer.documents };
				for (const documentId of shownMeanwhile) delete documents[documentId];
				this.counts = { documents, sessions: answer.sessions };
			})
			.catch(() => {})
			.finally(() => this.asking.delete(shownMeanwhile));
	}

	destroy(): void {
		if (this.settleTimer) clearTimeout(this.settleTimer);
		for (const off of this.off) off();
	}
}
