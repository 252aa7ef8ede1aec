import type { ErrorBody, ErrorCode } from '../protocol/errors';

const statusOf: Record<ErrorCode, number> = {
	VALIDATION: 400,
	TOO_LONG: 400,
	INVALID_JSON: 400,
	PAYLOAD_TOO_LARGE: 413,
	UNSUPPORTED_MEDIA_TYPE: 415,
	METHOD_NOT_ALLOWED: 405,
	UNAUTHENTICATED: 401,
	INVALID_CREDENTIALS: 401,
	EMAIL_TAKEN: 409,
	FORBIDDEN: 403,
	CROSS_ORIGIN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409,
	INVITATION_USED: 410,
	INVITATION_FOR_OTHER_ADDRESS: 403,
	RATE_LIMITED: 429,
	ALREADY_UPVOTED: 409,
	ALREADY_VOTED: 409,
	ALREADY_ADOPTED: 409,
	UNKNOWN_EVENT: 400,
	TOO_MANY_CONNECTIONS: 429,
	MEMBER_DECLINED: 409,
	LAST_ORGANIZER: 409,
	INTERNAL: 500
};

/**
 * An expected failure with a wire code. Aggregates and auth throw it; the edges (API wrapper, form
 * actions, Socket.IO wrapper) turn it into a response. Anything else thrown is a bug: logged, and
 * answered `INTERNAL` without detail.
 */
export class AppError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string,
		readonly extra: { fields?: Record<string, string>; retryAfterSeconds?: number } = {}
	) {
		super(message);
	}

	get status(): number {
		return statusOf[this.code];
	}

	toBody(): ErrorBody {
		return { error: { code: this.code, message: this.message, ...(this.extra.fields ? { fields: this.extra.fields } : {}) } };
	}
}

export const notFound = (what = 'Not found') => new AppError('NOT_FOUND', what);
export const forbidden = (what = 'Your role does not allow this') => new AppError('FORBIDDEN', what);
