import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import {
	CollabClose,
	collabLimits,
	messageAuth,
	messageAwareness,
	messagePlenary,
	messageQueryAwareness,
	messageSync,
	plenaryAccess,
	plenaryError,
	plenaryHello,
	plenaryPing,
	plenaryPong,
	type AccessState,
	type CollabErrorCode
} from '../../src/lib/protocol/collab';
import { colorOf } from '../../src/lib/protocol/colors';
import type { Role } from '../../src/lib/protocol/roles';
import { writesOutsideSchema } from './update-checks';
import type { Room, RoomMember } from './room';

/** The transport: a `ws` WebSocket or a test double. */
export interface SocketLike {
	send(data: Uint8Array): void;
	close(code: number, reason: string): void;
}

export type CollabPrincipal = { userId: string; name: string; role: Role; groupId: string; sessionId: string; sessionCreatedAt: number };

const pong = (() => {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messagePlenary);
	encoding.writeVarUint(encoder, plenaryPong);
	return encoding.toUint8Array(encoder);
})();

class ProtocolError extends Error {
	constructor(
		readonly code: number,
		readonly reason: string
	) {
		super(reason);
	}
}

/**
 * One client on one document. Every inbound message passes here: decoded defensively (anything
 * malformed closes this connection, never the process), rate-limited, and checked against the
 * connection's current write access before it can touch the document.
 */
export class Connection implements RoomMember {
	optedIn = false;
	private access: AccessState;
	private awarenessClientId: number | null = null;
	private tokens: number = collabLimits.messageBurst;
	private refilledAt = Date.now();
	private closed = false;
	/** Messages beyond the rate, in order, processed as tokens come back (BI-19). */
	private waiting: Uint8Array[] = [];
	private waitingBytes = 0;
	private overBudgetSince: number | null = null;
	private drainTimer: NodeJS.Timeout | null = null;

	constructor(
		private readonly socket: SocketLike,
		readonly principal: CollabPrincipal,
		readonly room: Room,
		access: AccessState
	) {
		this.access = access;
	}

	get canWrite(): boolean {
		return this.access.canWrite;
	}

	send(message: Uint8Array): void {
		if (!this.closed) this.socket.send(message);
	}

	close(code: number, reason: string): void {
		if (this.closed) return;
		this.closed = true;
		this.stopWaiting();
		this.socket.close(code, reason);
	}

	/** Role or lock changed: applies to the very next message; opted-in clients are told. */
	setAccess(access: AccessState): void {
		const changed = access.canWrite !== this.access.canWrite || access.reason !== this.access.reason || access.role !== this.access.role;
		this.access = access;
		if (changed && this.optedIn) this.sendAccess();
	}

	/** Handles one frame. Never throws: protocol violations close this connection with a code. */
	receive(data: Uint8Array): void {
		if (this.closed) return;
		if (this.waiting.length || !this.takeToken()) return this.wait(data);
		this.handle(data);
	}

	private handle(data: Uint8Array): void {
		try {
			this.dispatch(data);
		} catch (error) {
			if (error instanceof ProtocolError) this.close(error.code, error.reason);
			else this.close(CollabClose.MALFORMED, 'MALFORMED');
		}
	}

	/**
	 * Over the rate: the message waits its turn, so a burst is slowed down rather than cut off.
	 * A client still over budget after `overBudgetMs` (or piling up too much) is closed 4429 and
	 * what still waits is dropped: everything handled before is applied and stored, nothing after.
	 */
	private wait(data: Uint8Array): void {
		const now = Date.now();
		this.overBudgetSince ??= now;
		this.waiting.push(data);
		this.waitingBytes += data.byteLength;
		if (
			now - this.overBudgetSince >= collabLimits.overBudgetMs ||
			this.waiting.length > collabLimits.maxQueuedMessages ||
			this.waitingBytes > collabLimits.maxQueuedBytes
		) {
			return this.close(CollabClose.RATE_LIMITED, 'RATE_LIMITED');
		}
		this.scheduleDrain();
	}

	private scheduleDrain(): void {
		if (this.drainTimer || this.closed) return;
		const untilToken = Math.max(1, Math.ceil(((1 - this.tokens) / collabLimits.messagesPerSecond) * 1000));
		this.drainTimer = setTimeout(() => {
			this.drainTimer = null;
			this.drain();
		}, untilToken);
	}

	private drain(): void {
		while (!this.closed && this.waiting.length && this.takeToken()) {
			const data = this.waiting.shift()!;
			this.waitingBytes -= data.byteLength;
			this.handle(data);
		}
		if (this.closed) return;
		if (!this.waiting.length) {
			this.overBudgetSince = null;
			return;
		}
		if (Date.now() - this.overBudgetSince! >= collabLimits.overBudgetMs) return this.close(CollabClose.RATE_LIMITED, 'RATE_LIMITED');
		this.scheduleDrain();
	}

	private stopWaiting(): void {
		if (this.drainTimer) clearTimeout(this.drainTimer);
		this.drainTimer = null;
		this.waiting = [];
		this.waitingBytes = 0;
	}

	/** Called once the socket is gone: its awareness entry leaves with it. */
	detach(): void {
		this.closed = true;
		this.stopWaiting();
		// A reconnect of the same client may have taken the id over already: its presence stays.
		if (this.awarenessClientId !== null && this.room.unclaim(this.awarenessClientId, this)) {
			awarenessProtocol.removeAwarenessStates(this.room.awareness, [this.awarenessClientId], this);
		}
	}

	private takeToken(): boolean {
		const now = Date.now();
		this.tokens = Math.min(collabLimits.messageBurst, this.tokens + ((now - this.refilledAt) / 1000) * collabLimits.messagesPerSecond);
		this.refilledAt = now;
		if (this.tokens < 1) return false;
		this.tokens -= 1;
		return true;
	}

	private dispatch(data: Uint8Array): void {
		if (data.byteLength === 0) throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
		const decoder = decoding.createDecoder(data);
		const type = decoding.readVarUint(decoder);
		switch (type) {
			case messageSync:
				return this.onSync(decoder);
			case messageAwareness:
				return this.onAwareness(decoding.readVarUint8Array(decoder));
			case messageQueryAwareness:
				return this.send(this.awarenessOf([...this.room.awareness.getStates().keys()]));
			case messageAuth:
				return; // clients have nothing to say on the auth channel
			case messagePlenary:
				return this.onPlenary(decoder);
			default:
				throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
		}
	}

	private onSync(decoder: decoding.Decoder): void {
		const kind = decoding.readVarUint(decoder);
		if (kind === syncProtocol.messageYjsSyncStep1) {
			const missing = this.room.missingFor(decoding.readVarUint8Array(decoder));
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, messageSync);
			encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
			encoding.writeVarUint8Array(encoder, missing);
			return this.send(encoding.toUint8Array(encoder));
		}
		if (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate) {
			throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
		}
		const update = decoding.readVarUint8Array(decoder);
		if (update.byteLength > collabLimits.maxUpdateBytes) return this.refuse('UPDATE_TOO_LARGE');
		// Security seam: the one place where write access is enforced, per message (AZ-02, AZ-03).
		if (!this.access.canWrite) {
			// A stock client answers our sync step 1 with a step 2 that usually changes nothing.
			if (kind === syncProtocol.messageYjsSyncStep2 && !this.room.wouldChange(update)) return;
			if (this.access.reason === 'locked') return this.refuse('LOCKED');
			this.room.rememberRefused(update, this.awarenessClientId);
			return this.refuse('READ_ONLY');
		}
		// Edits made while read-only stay refused after a promotion; the client starts afresh (AZ-23).
		if (this.room.revivesRefused(update)) return this.refuse('READ_ONLY');
		if (writesOutsideSchema(update)) return this.refuse('SCHEMA');
		const admitted = this.room.admit(update, this.principal.userId, this.awarenessClientId);
		if (admitted.forged) this.refuse('CLIENT_ID');
		if (!admitted.update) return;
		if (this.room.sizeEstimate + admitted.update.byteLength > collabLimits.maxDocumentBytes) {
			throw new ProtocolError(CollabClose.DOC_TOO_LARGE, 'DOC_TOO_LARGE');
		}
		this.room.apply(admitted.update, this);
	}

	private refuse(code: CollabErrorCode): void {
		const auth = encoding.createEncoder();
		encoding.writeVarUint(auth, messageAuth);
		authProtocol.writePermissionDenied(auth, code);
		this.send(encoding.toUint8Array(auth));
		if (!this.optedIn) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messagePlenary);
		encoding.writeVarUint(encoder, plenaryError);
		encoding.writeVarString(encoder, code);
		this.send(encoding.toUint8Array(encoder));
	}

	/**
	 * Awareness carries the name and colour others see. One client id per connection (the first it
	 * announces that no other person holds); entries for any other id are dropped (BI-16/17), and
	 * `user` is always the server's view of this account (BI-15).
	 */
	private onAwareness(update: Uint8Array): void {
		const decoder = decoding.createDecoder(update);
		const count = decoding.readVarUint(decoder);
		if (count > 100) throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
		const kept: { clientId: number; clock: number; state: string }[] = [];
		for (let i = 0; i < count; i++) {
			const clientId = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			const json = decoding.readVarString(decoder);
			if (json.length > collabLimits.maxAwarenessStateBytes) throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
			if (this.awarenessClientId === null) {
				// Someone else's id (their live connection's, or one they wrote with) is not taken over (BI-16).
				if (!this.room.claim(clientId, this.principal.userId, this)) continue;
				this.awarenessClientId = clientId;
			}
			if (clientId !== this.awarenessClientId) continue;
			kept.push({ clientId, clock, state: this.asserted(json) });
		}
		if (!kept.length) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, kept.length);
		for (const entry of kept) {
			encoding.writeVarUint(encoder, entry.clientId);
			encoding.writeVarUint(encoder, entry.clock);
			encoding.writeVarString(encoder, entry.state);
		}
		awarenessProtocol.applyAwarenessUpdate(this.room.awareness, encoding.toUint8Array(encoder), this);
	}

	private asserted(json: string): string {
		const state: unknown = JSON.parse(json);
		if (state === null) return 'null';
		if (typeof state !== 'object' || Array.isArray(state)) throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
		const { userId, name, role } = this.principal;
		return JSON.stringify({ ...state, user: { id: userId, name, role, color: colorOf(userId) } });
	}

	private onPlenary(decoder: decoding.Decoder): void {
		const subtype = decoding.readVarUint(decoder);
		if (subtype === plenaryPing) return this.send(pong);
		if (subtype !== plenaryHello) throw new ProtocolError(CollabClose.MALFORMED, 'MALFORMED');
		this.optedIn = true;
		this.sendAccess();
	}

	private sendAccess(): void {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messagePlenary);
		encoding.writeVarUint(encoder, plenaryAccess);
		encoding.writeVarString(encoder, JSON.stringify(this.access));
		this.send(encoding.toUint8Array(encoder));
	}

	private awarenessOf(clients: number[]): Uint8Array {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageAwareness);
		encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.room.awareness, clients));
		return encoding.toUint8Array(encoder);
	}
}
