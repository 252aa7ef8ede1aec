/**
 * The closed set of error codes that cross the wire (HTTP `{ error: { code, message } }`,
 * Socket.IO acks, connect errors). The client maps each code to text in one place.
 */
export const ErrorCode = {
	VALIDATION: 'VALIDATION',
	TOO_LONG: 'TOO_LONG',
	INVALID_JSON: 'INVALID_JSON',
	PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
	UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
	METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
	UNAUTHENTICATED: 'UNAUTHENTICATED',
	INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
	EMAIL_TAKEN: 'EMAIL_TAKEN',
	FORBIDDEN: 'FORBIDDEN',
	CROSS_ORIGIN: 'CROSS_ORIGIN',
	NOT_FOUND: 'NOT_FOUND',
	CONFLICT: 'CONFLICT',
	INVITATION_USED: 'INVITATION_USED',
	/** An invitation made for one e-mail address, opened by an account with another (issue 12). */
	INVITATION_FOR_OTHER_ADDRESS: 'INVITATION_FOR_OTHER_ADDRESS',
	RATE_LIMITED: 'RATE_LIMITED',
	/** A second upvote of the same comment by the same person. */
	ALREADY_UPVOTED: 'ALREADY_UPVOTED',
	/** A second ballot in the same vote by the same person. */
	ALREADY_VOTED: 'ALREADY_VOTED',
	/** A vote called on a recommendation the text already marks adopted: the room has decided it. */
	ALREADY_ADOPTED: 'ALREADY_ADOPTED',
	UNKNOWN_EVENT: 'UNKNOWN_EVENT',
	/** The account holds as many simultaneous connections as a deployment allows (issue 12). */
	TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
	/** The person left a group or event this adder had put them in, and refuses being added by them again. */
	MEMBER_DECLINED: 'MEMBER_DECLINED',
	/** Leaving would leave the event without an organizer. */
	LAST_ORGANIZER: 'LAST_ORGANIZER',
	INTERNAL: 'INTERNAL'
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type ErrorBody = { error: { code: ErrorCode; message: string; fields?: Record<string, string> } };
