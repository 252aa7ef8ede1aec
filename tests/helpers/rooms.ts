import pino from 'pino';
import * as Y from 'yjs';
import type { CollabPrincipal, SocketLike } from '../../server/collab/connection';
import type { RoomMember } from '../../server/collab/room';
import { memoryStore, type DocumentStore } from '../../server/collab/store';
import type { AccessState } from '../../src/lib/protocol/collab';
import type { Logger } from '../../src/lib/server/log';

/**
 * In-process doubles for unit tests of Room, RoomRegistry and Connection: no server, no database.
 */

/** A pino logger that keeps its lines (warn and above) for assertions. */
export function capturingLogger(): Logger & { lines: { level: number; msg: string; documentId?: string }[] } {
	const lines: { level: number; msg: string; documentId?: string }[] = [];
	const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
	return Object.assign(logger, { lines });
}

export type FlakyStore = DocumentStore & {
	rows: ReturnType<typeof memoryStore>['rows'];
	/** Switches and counters: while `failing.append` is true every append throws, and so on. */
	failing: { load: number; append: boolean; compact: boolean };
	attempts: { load: number; append: number; compact: number };
	/** While set, compactions wait for this promise (a slow transaction). */
	held: { compact: Promise<void> | null };
};

/** The in-memory store with fail-points (a full disk, a lost connection) that tests switch on and off. */
export function flakyStore(): FlakyStore {
	const inner = memoryStore();
	const failing = { load: 0, append: false, compact: false };
	const attempts = { load: 0, append: 0, compact: 0 };
	const held: FlakyStore['held'] = { compact: null };
	return {
		rows: inner.rows,
		failing,
		attempts,
		held,
		load: async (id) => {
			attempts.load++;
			if (failing.load > 0) {
				failing.load--;
				throw new Error('connection terminated unexpectedly');
			}
			return inner.load(id);
		},
		append: async (id, update, owners) => {
			attempts.append++;
			if (failing.append) throw new Error('could not extend file: No space left on device');
			return inner.append(id, update, owners);
		},
		compact: async (id, state, upToSeq) => {
			attempts.compact++;
			await held.compact;
			if (failing.compact) throw new Error('could not extend file: No space left on device');
			return inner.compact(id, state, upToSeq);
		}
	};
}

/** The socket side of a Connection: keeps what was sent and how it was closed. */
export class FakeSocket implements SocketLike {
	sent: Uint8Array[] = [];
	closed: { code: number; reason: string } | null = null;
	send(data: Uint8Array): void {
		this.sent.push(data);
	}
	close(code: number, reason: string): void {
		this.closed ??= { code, reason };
	}
}

/** A room member that is not a Connection (message 100 opt-in on), keeping what it was sent. */
export function listener(): RoomMember & { sent: Uint8Array[]; saved(): Uint8Array[] } {
	const sent: Uint8Array[] = [];
	return { optedIn: true, sent, send: (message) => void sent.push(message), saved: () => sent.filter((m) => m[0] === 100 && m[1] === 1) };
}

export function principal(role: CollabPrincipal['role'] = 'member'): CollabPrincipal {
	return { userId: crypto.randomUUID(), name: 'Dilnoza Karimova', role, groupId: crypto.randomUUID(), sessionId: 'session', sessionCreatedAt: Date.now() };
}

export const writer: AccessState = { canWrite: true, reason: null, lockedByName: null };
export const reader: AccessState = { canWrite: false, reason: 'role', lockedByName: null };

/** Timers and immediates alive in this process (for leak checks). */
export function activeTimers(): number {
	return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
}

/**
 * `count` small edits of one client, one update each, as a typist makes them: mostly appending a
 * letter, sometimes inserting a comma elsewhere or deleting a character (seeded, so repeatable).
 */
export function smallEdits(count: number, seed = 7): { doc: Y.Doc; updates: Uint8Array[] } {
	let state = seed;
	const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (update: Uint8Array) => updates.push(update));
	const text = new Y.XmlText();
	doc.transact(() => {
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [text]);
		doc.getXmlFragment('default').push([paragraph]);
	});
	const letters = 'Қазақстан әғқңөұүһі Republic ';
	for (let i = 1; i < count; i++) {
		const r = random();
		if (r < 0.8 || text.length < 2) text.insert(text.length, letters[i % letters.length]!);
		else if (r < 0.95) text.insert(Math.floor(random() * text.length), ',');
		else text.delete(Math.floor(random() * text.length), 1);
	}
	return { doc, updates };
}
