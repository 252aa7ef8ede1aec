import { json, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { sessionCookieName, sessionCookieOptions } from './auth/cookies';
import { appContext } from './context';
import { AppError } from './errors';
import { limits } from '../protocol/api';
import { parse } from './validate';

export { parse };

/**
 * Helpers for the JSON API routes: read a body against a schema, require a user, and turn thrown
 * `AppError`s into `{ error: { code, message } }` with the right status.
 */
export async function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
	const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
	if (type !== 'application/json') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
	const declared = Number(request.headers.get('content-length') ?? 0);
	if (declared > limits.jsonBodyBytes) throw tooLarge();
	const text = await readLimited(request, limits.jsonBodyBytes);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new AppError('INVALID_JSON', 'The body is not valid JSON');
	}
	return parse(schema, value);
}

function tooLarge(): AppError {
	return new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limits.jsonBodyBytes} bytes`);
}

async function readLimited(request: Request, max: number): Promise<string> {
	if (!request.body) return '';
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		let chunk: ReadableStreamReadResult<Uint8Array>;
		try {
			chunk = await reader.read();
		} catch {
			// adapter-node errors the stream when its own BODY_SIZE_LIMIT is passed
			throw tooLarge();
		}
		if (chunk.done) break;
		size += chunk.value.byteLength;
		if (size > max) {
			await reader.cancel().catch(() => {});
			throw tooLarge();
		}
		chunks.push(chunk.value);
	}
	return new TextDecoder().decode(Buffer.concat(chunks));
}

export function requireUser(event: RequestEvent) {
	if (!event.locals.user) throw new AppError('UNAUTHENTICATED', 'Log in first');
	return event.locals.user;
}

/** Wraps a JSON API handler: AppError → its status and body; anything else → 500 INTERNAL, logged. */
export function api(handler: (event: RequestEvent) => Promise<Response>) {
	return async (event: RequestEvent): Promise<Response> => {
		const { probeLimiter } = appContext();
		const caller = event.locals.user?.id;
		try {
			const wait = caller ? probeLimiter.retryAfter(caller) : 0;
			if (wait > 0) throw new AppError('RATE_LIMITED', 'Too many requests for things that do not exist; slow down', { retryAfterSeconds: wait });
			return await handler(event);
		} catch (error) {
			// Someone walking through ids gets 404s; after 100 a minute they get 429 (AZ-31).
			if (caller && error instanceof AppError && error.code === 'NOT_FOUND') probeLimiter.fail(caller);
			return errorResponse(error, event);
		}
	};
}

export function errorResponse(error: unknown, event?: RequestEvent): Response {
	if (error instanceof AppError) {
		const headers: Record<string, string> = {};
		if (error.extra.retryAfterSeconds) headers['retry-after'] = String(error.extra.retryAfterSeconds);
		return json(error.toBody(), { status: error.status, headers });
	}
	appContext().log.error({ err: error, path: event?.url.pathname }, 'unhandled error in API route');
	return json({ error: { code: 'INTERNAL', message: 'Something went wrong on the server' } }, { status: 500 });
}

/** The address a login counts against; adapter-node resolves it (XFF only when configured). */
export function clientAddress(event: RequestEvent): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}

/** A path parameter that must be a uuid; anything else is answered like an unknown id (404). */
export function idParam(event: RequestEvent, name: string): string {
	const value = (event.params as Record<string, string | undefined>)[name]?.toLowerCase() ?? '';
	if (!uuidPattern.test(value)) throw new AppError('NOT_FOUND', 'Not found');
	return value;
}
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function startSession(event: RequestEvent, token: string, expiresAt: Date): void {
	event.cookies.set(sessionCookieName, token, sessionCookieOptions(event.url.protocol === 'https:', expiresAt));
}
