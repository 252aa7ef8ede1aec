import { z } from 'zod';
import { groupRoles, locales } from './roles';

/**
 * Schemas of the JSON API bodies (DESIGN.md "Automation API"). The same schemas validate the form
 * actions, so a page and a script get the same rules. Unknown fields are refused (`strict`).
 */

// C0/C1 control characters (tab and newline included) have no place in a one-line name.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

export const limits = {
	title: 200,
	name: 80,
	passwordMin: 10,
	passwordMax: 256,
	email: 254,
	/** Addresses in one bulk addition: a real roster, pasted or from a CSV file. */
	bulkMembers: 500,
	jsonBodyBytes: 1024 * 1024
} as const;

export const oneLine = (max: number) =>
	z
		.string()
		.transform((value) => value.normalize('NFC').trim())
		.pipe(
			z
				.string()
				.min(1, 'required')
				.max(max, `at most ${max} characters`)
				.refine((value) => !controlCharacters.test(value), 'must not contain control characters')
				// A lone surrogate would be stored as U+FFFD: silently changed text (BI-24).
				.refine((value) => value.isWellFormed(), 'must be valid Unicode text')
		);

export const email = z
	.string()
	.max(limits.email, `at most ${limits.email} characters`)
	.transform((value) => value.trim().toLowerCase())
	.pipe(z.email('not an e-mail address'));

export const password = z
	.string()
	.min(limits.passwordMin, `at least ${limits.passwordMin} characters`)
	.max(limits.passwordMax, `at most ${limits.passwordMax} characters`);

const isoDate = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
	.refine((value) => !Number.isNaN(Date.parse(value + 'T00:00:00Z')) && new Date(value + 'T00:00:00Z').toISOString().startsWith(value), 'not a real date');

export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not an id');

export const registerBody = z.strictObject({ email, password, name: oneLine(limits.name) });
export const loginBody = z.strictObject({ email, password: z.string().min(1, 'required').max(limits.passwordMax, `at most ${limits.passwordMax} characters`) });

export const eventBody = z
	.strictObject({
		title: oneLine(limits.title),
		startsOn: isoDate.nullish(),
		endsOn: isoDate.nullish(),
		venue: oneLine(limits.title).nullish(),
		languages: z
			.array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language code such as "kk"'))
			.max(20)
			.nullish()
	})
	.refine((e) => !e.startsOn || !e.endsOn || e.endsOn >= e.startsOn, {
		message: 'must not be before the start date',
		path: ['endsOn']
	});

export const groupBody = z.strictObject({ name: oneLine(limits.title) });

export const role = z.enum(groupRoles, 'one of observer, participant, member, moderator');

export const memberBody = z.strictObject({
	email,
	role,
	delegation: oneLine(limits.title).nullish()
});

/** Roles a link invitation may grant: anyone with the link joins, so never editing or moderation. */
export const linkInvitationRoles = ['participant', 'observer'] as const;

/** POST /api/groups/:groupId/invitations: a link for anyone, up to participant (issue 12 item 9). */
export const linkInvitationBody = z.strictObject({
	role: z.enum(linkInvitationRoles, 'one of participant, observer (a link anyone may use grants no more)'),
	delegation: oneLine(limits.title).nullish()
});

/** The bulk form of POST /api/groups/:groupId/members: one role (and delegation) for every address. */
export const memberBulkBody = z.strictObject({
	emails: z.array(email).min(1, 'at least one address').max(limits.bulkMembers, `at most ${limits.bulkMembers} addresses at once`),
	role,
	delegation: oneLine(limits.title).nullish()
});

/**
 * What became of each address of a bulk addition: `added` (an account, now a member), `invited` (no
 * account: a pending invitation), `already_member` (left as it was), `declined` (they left a group
 * or event this adder had put them in and refuse being added by them again).
 */
export const memberAddStatuses = ['added', 'invited', 'already_member', 'declined'] as const;
export type MemberAddStatus = (typeof memberAddStatuses)[number];

export const memberUpdateBody = z
	.strictObject({ role: role.optional(), delegation: oneLine(limits.title).nullish() })
	.refine((b) => b.role !== undefined || b.delegation !== undefined, { message: 'nothing to change' });

/** Form posts that name things by id (the page's forms; the API has them in the path). */
export const invitationRef = z.strictObject({ groupId: uuid, invitationId: uuid });
export const memberRef = z.strictObject({ userId: uuid });
export const noticeRef = z.strictObject({ noticeId: uuid });
export const groupRef = z.strictObject({ groupId: uuid });
export const eventRef = z.strictObject({ eventId: uuid });
export const memberChangeForm = z.strictObject({ userId: uuid, role, delegation: oneLine(limits.title).nullable() });

export const passwordChangeBody = z.strictObject({
	currentPassword: z.string().min(1, 'required').max(limits.passwordMax, `at most ${limits.passwordMax} characters`),
	newPassword: password
});

export const documentKinds = ['recommendations', 'minutes', 'notes'] as const;
export type DocumentKind = (typeof documentKinds)[number];
export const documentBody = z.strictObject({
	title: oneLine(limits.title),
	kind: z.enum(documentKinds, 'one of recommendations, minutes, notes')
});
export const documentRenameBody = z.strictObject({ title: oneLine(limits.title) });
export const documentLockBody = z.strictObject({ locked: z.boolean() });

export const localeBody = z.strictObject({ locale: z.enum(locales) });

export type EventInput = z.infer<typeof eventBody>;
export type MemberInput = z.infer<typeof memberBody>;
export type LinkInvitationInput = z.infer<typeof linkInvitationBody>;
export type MemberBulkInput = z.infer<typeof memberBulkBody>;

/** Flattens a zod error into `{ field: message }` for forms and the API. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const issue of error.issues) {
		const key = issue.path.length ? issue.path.join('.') : '_';
		if (issue.code === 'unrecognized_keys') {
			for (const k of issue.keys) fields[k] ??= 'unknown field';
			continue;
		}
		fields[key] ??= issue.message;
	}
	return fields;
}

/** True when a field failed only because it was too long (BI-33: answered TOO_LONG). */
export function onlyTooLong(error: z.ZodError): boolean {
	return error.issues.every((issue) => issue.code === 'too_big');
}

/** A field problem as a code the UI translates (forms); the API sends the English message instead. */
export type FieldIssue = { code: FieldIssueCode; limit?: number };
export type FieldIssueCode =
	| 'required'
	| 'too_short'
	| 'too_long'
	| 'invalid_email'
	| 'invalid'
	| 'control_characters'
	| 'invalid_date'
	| 'date_order'
	| 'taken'
	| 'wrong_credentials';

const customCodes: Record<string, FieldIssueCode> = {
	'must not contain control characters': 'control_characters',
	'must be valid Unicode text': 'invalid',
	'not a real date': 'invalid_date',
	'must not be before the start date': 'date_order'
};

export function fieldIssues(error: z.ZodError): Record<string, FieldIssue> {
	const issues: Record<string, FieldIssue> = {};
	for (const issue of error.issues) {
		const key = issue.path.length ? issue.path.join('.') : '_';
		if (issues[key]) continue;
		if (issue.code === 'too_small') {
			const limit = Number(issue.minimum);
			issues[key] = limit <= 1 ? { code: 'required' } : { code: 'too_short', limit };
		} else if (issue.code === 'too_big') issues[key] = { code: 'too_long', limit: Number(issue.maximum) };
		else if (issue.code === 'invalid_format' && issue.format === 'email') issues[key] = { code: 'invalid_email' };
		else if (issue.code === 'invalid_format' && key.endsWith('On')) issues[key] = { code: 'invalid_date' };
		else if (issue.code === 'custom') issues[key] = { code: customCodes[issue.message] ?? 'invalid' };
		else issues[key] = { code: 'invalid' };
	}
	return issues;
}
