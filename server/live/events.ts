import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ClientToServerEvents } from '../../src/lib/protocol/live';
import type { ErrorCode } from '../../src/lib/protocol/errors';
import { AppError } from '../../src/lib/server/errors';
import type { Logger } from '../../src/lib/server/log';
import { parse } from '../../src/lib/server/validate';

type Answer = { ok: true } & object;
type Ack = (answer: Answer | { ok: false; error: { code: ErrorCode; message: string } }) => void;

/**
 * Registers one client → server event: the payload is validated against `schema` before the
 * handler runs, and every outcome is acknowledged — `{ ok: true, ...result }`, or `{ ok: false,
 * error }` with a code from the closed set (never a stack trace). Nothing throws out of here.
 */
export function on<S extends z.ZodType>(
	socket: Socket,
	event: keyof ClientToServerEvents,
	schema: S,
	handler: (payload: z.output<S>) => Promise<object>,
	log: Logger
): void {
	socket.on(event, async (payload: unknown, ack: unknown) => {
		const answer: Ack = typeof ack === 'function' ? (ack as Ack) : () => {};
		try {
			answer({ ok: true, ...(await handler(parse(schema, payload))) });
		} catch (error) {
			if (error instanceof AppError) return answer({ ok: false, error: { code: error.code, message: error.message } });
			log.error({ err: error, event }, 'socket event handler failed');
			answer({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on the server' } });
		}
	});
}

/** Answers events nobody registered (BI-26): UNKNOWN_EVENT, and the socket stays. */
export function refuseUnknown(socket: Socket, known: ReadonlySet<string>): void {
	socket.onAny((event: string, ...args: unknown[]) => {
		if (known.has(event)) return;
		const ack = args.at(-1);
		if (typeof ack === 'function') ack({ ok: false, error: { code: 'UNKNOWN_EVENT', message: `No such event: ${String(event).slice(0, 100)}` } });
	});
}
