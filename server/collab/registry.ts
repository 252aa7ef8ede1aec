import type { Logger } from '../../src/lib/server/log';
import { Room, type RoomOptions } from './room';

/**
 * The live documents of this process. A document is loaded once (one shared promise however many
 * connect at once), kept while it has connections, and unloaded `unloadDelayMs` after the last one
 * leaves, only after its final flush succeeded (a failing store keeps it and retries).
 */
export class RoomRegistry {
	private readonly rooms = new Map<string, Promise<Room>>();
	private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
	/** Rooms whose unload is storing; `open` takes a room back out of here, and the unload then keeps it. */
	private readonly unloading = new Set<string>();

	constructor(
		private readonly options: RoomOptions & { unloadDelayMs: number; log: Logger }
	) {}

	/** The room of a document, loading it if needed. Throws when loading fails (nothing is kept). */
	async open(documentId: string, groupId: string): Promise<Room> {
		this.cancelUnload(documentId);
		this.unloading.delete(documentId);
		let pending = this.rooms.get(documentId);
		if (!pending) {
			const room = new Room(documentId, groupId, this.options);
			pending = room.load().then(
				() => room,
				(error) => {
					this.rooms.delete(documentId);
					room.destroy();
					throw error;
				}
			);
			this.rooms.set(documentId, pending);
		}
		return pending;
	}

	/** Live rooms (loaded), for pushing role and lock changes to their connections. */
	async loaded(): Promise<Room[]> {
		const settled = await Promise.allSettled(this.rooms.values());
		return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
	}

	get size(): number {
		return this.rooms.size;
	}

	/** Called when a connection leaves; starts the unload countdown once the room is empty. */
	released(room: Room): void {
		this.scheduleUnload(room, this.options.unloadDelayMs);
	}

	private scheduleUnload(room: Room, delayMs: number): void {
		if (room.members.size > 0 || this.unloadTimers.has(room.documentId)) return;
		const timer = setTimeout(() => void this.unload(room), delayMs);
		timer.unref();
		this.unloadTimers.set(room.documentId, timer);
	}

	private cancelUnload(documentId: string): void {
		const timer = this.unloadTimers.get(documentId);
		if (timer) clearTimeout(timer);
		this.unloadTimers.delete(documentId);
	}

	private async unload(room: Room): Promise<void> {
		this.unloadTimers.delete(room.documentId);
		if (room.members.size > 0) return;
		this.unloading.add(room.documentId);
		try {
			await room.close();
		} catch {
			this.unloading.delete(room.documentId);
			// Not stored: keep it in memory and try again, no sooner than the room's backoff (FT-15).
			this.scheduleUnload(room, Math.max(this.options.unloadDelayMs, room.retryDelayMs));
			return;
		}
		// Someone opened it while we were storing (and may not have joined yet): it stays.
		if (!this.unloading.delete(room.documentId) || room.members.size > 0) return;
		if (room.dirty) return this.scheduleUnload(room, this.options.unloadDelayMs); // changed meanwhile (e.g. by the server)
		this.rooms.delete(room.documentId);
		room.destroy();
	}

	/** Shutdown: store and compact every room; resolves when all are stored (or failed, logged). */
	async closeAll(): Promise<void> {
		for (const timer of this.unloadTimers.values()) clearTimeout(timer);
		this.unloadTimers.clear();
		const rooms = await this.loaded();
		await Promise.all(
			rooms.map((room) =>
				room.close().catch((error) => this.options.log.error({ err: error, documentId: room.documentId }, 'final store failed at shutdown'))
			)
		);
	}
}
