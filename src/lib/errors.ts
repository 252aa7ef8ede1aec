import { m } from '$lib/paraglide/messages';
import type { FieldIssue } from '$lib/protocol/api';
import type { ErrorCode } from '$lib/protocol/errors';

/** The one place where wire error codes become words for people (STYLE rule 5). */
export function errorText(code: ErrorCode | string | null | undefined): string {
	switch (code) {
		case 'VALIDATION':
		case 'TOO_LONG':
			return m.error_validation();
		case 'INVALID_CREDENTIALS':
			return m.error_invalid_credentials();
		case 'EMAIL_TAKEN':
			return m.error_email_taken();
		case 'RATE_LIMITED':
			return m.error_rate_limited();
		case 'ALREADY_UPVOTED':
			return m.error_already_upvoted();
		case 'ALREADY_VOTED':
			return m.error_already_voted();
		case 'ALREADY_ADOPTED':
			return m.error_already_adopted();
		case 'FORBIDDEN':
			return m.error_forbidden();
		case 'NOT_FOUND':
			return m.error_not_found();
		case 'INVITATION_USED':
			return m.error_invitation_used();
		case 'INVITATION_FOR_OTHER_ADDRESS':
			return m.error_invitation_for_other_address();
		case 'UNAUTHENTICATED':
			return m.error_unauthenticated();
		case 'CROSS_ORIGIN':
			return m.error_cross_origin();
		case 'PAYLOAD_TOO_LARGE':
			return m.error_too_large();
		case 'TOO_MANY_CONNECTIONS':
			return m.error_too_many_connections();
		case 'MEMBER_DECLINED':
			return m.error_member_declined();
		case 'LAST_ORGANIZER':
			return m.error_last_organizer();
		default:
			return m.error_internal();
	}
}

/**
 * A comment stream's last error (`CommentStream.lastError`): a refused text is the writer's to
 * change (it is back in its box), and OFFLINE is the stream's own code for an unanswered send.
 */
export function commentErrorText(code: string): string {
	if (code === 'VALIDATION' || code === 'TOO_LONG') return m.comment_refused();
	if (code === 'OFFLINE') return m.status_offline();
	return errorText(code);
}

/**
 * Why a comment kept as "not sent" was refused for good (`Unsent.refused`): `comment:add` answers
 * FORBIDDEN only for a role below participant, NOT_FOUND for a stream, thread, anchor or
 * recommendation that is gone.
 */
export function unsentRefusalText(code: string): string {
	if (code === 'FORBIDDEN') return m.comment_refused_role();
	if (code === 'NOT_FOUND') return m.comment_refused_gone();
	return commentErrorText(code);
}

export function issueText(issue: FieldIssue | undefined): string | null {
	if (!issue) return null;
	switch (issue.code) {
		case 'required':
			return m.issue_required();
		case 'too_short':
			return m.issue_too_short({ limit: issue.limit ?? 0 });
		case 'too_long':
			return m.issue_too_long({ limit: issue.limit ?? 0 });
		case 'invalid_email':
			return m.issue_invalid_email();
		case 'control_characters':
			return m.issue_control_characters();
		case 'invalid_date':
			return m.issue_invalid_date();
		case 'date_order':
			return m.issue_date_order();
		case 'taken':
			return m.issue_email_taken();
		default:
			return m.issue_invalid();
	}
}
