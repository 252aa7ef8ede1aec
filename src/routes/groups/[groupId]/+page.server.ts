import { fail, isActionFailure, redirect, type ActionFailure } from '@sveltejs/kit';
import { z } from 'zod';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import { blankToNull, formAction, formValues, type FormFailure } from '$lib/server/forms';
import * as documents from '$lib/server/documents';
import * as groups from '$lib/server/groups';
import * as sessions from '$lib/server/sessions';
import { sessionCreateBody } from '$lib/protocol/live';
import { invitationUrl } from '$lib/server/invitations';
import { orErrorPage, userOrLogin, uuidParam } from '$lib/server/pages';
import { AppError } from '$lib/server/errors';
import { documentBody, invitationRef, limits, linkInvitationBody, memberBody, memberBulkBody, memberChangeForm, memberRef } from '$lib/protocol/api';
import type { ErrorCode } from '$lib/protocol/errors';
import { atLeast } from '$lib/protocol/roles';
import { parseRoster } from '$lib/roster';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = userOrLogin(event);
	const groupId = uuidParam(event.params.groupId);
	const { db } = appContext();
	return orErrorPage(async () => {
		const principal = await authorizeGroup(db, user.id, groupId, 'observer');
		const manages = atLeast(principal.role, 'moderator');
		const members = await groups.members(db, groupId);
		const invitations = manages ? await groups.pendingInvitations(db, groupId) : [];
		const { presence } = appContext();
		return {
			sessions: await sessions.listOfGroup(db, groupId),
			documents: (await documents.listOfGroup(db, groupId)).map((doc) => ({ ...documents.view(doc), present: presence.inDocument(doc.id) })),
			group: await groups.get(db, groupId),
			role: principal.role,
			manages,
			members: members.map((member) => ({ ...member, email: manages ? member.email : null })),
			invitations: invitations.map(({ token, ...invitation }) => ({ ...invitation, url: invitationUrl(event, token) }))
		};
	});
};

/** Every action re-checks the role: layouts and loads do not guard actions. */
async function moderatorOf(event: Parameters<Actions[string]>[0]) {
	const user = userOrLogin(event);
	return authorizeGroup(appContext().db, user.id, uuidParam(event.params.groupId), 'moderator');
}

export const actions: Actions = {
	createSession: async (event) => {
		const user = userOrLogin(event);
		const form = await event.request.formData();
		const values = formValues(form, ['title', 'startsAt', 'timezoneOffset', 'agenda'], ['documentIds']);
		const input = {
			title: values.title,
			startsAt: localToIso(String(values.startsAt), Number(values.timezoneOffset) || 0),
			agenda: parseAgenda(String(values.agenda)),
			documentIds: values.documentIds
		};
		return formAction(input, sessionCreateBody, async (data) => {
			const principal = await authorizeGroup(appContext().db, user.id, uuidParam(event.params.groupId), 'moderator');
			const created = await sessions.create(appContext().db, principal, data);
			redirect(303, `/sessions/${created.sessionId}`);
		});
	},
	createDocument: async (event) => {
		const user = userOrLogin(event);
		const values = formValues(await event.request.formData(), ['title', 'kind']);
		return formAction(values, documentBody, async (input) => {
			const principal = await authorizeGroup(appContext().db, user.id, uuidParam(event.params.groupId), 'member');
			const created = await documents.create(appContext().db, principal.groupId, user.id, input);
			redirect(303, `/documents/${created.id}`);
		});
	},
	addMember: async (event) => {
		const values = formValues(await event.request.formData(), ['email', 'role', 'delegation']);
		return formAction({ ...values, delegation: blankToNull(values.delegation) }, memberBody, async (input) => {
			const principal = await moderatorOf(event);
			groups.chargeAdditions(appContext().memberAdditionLimiter, principal.userId, 1);
			const result = await groups.addMember(appContext().db, principal, input);
			if (result.kind === 'invited') {
				return { invited: { email: input.email, url: invitationUrl(event, result.invitation.token) } };
			}
			appContext().signals.emit('membershipChanged', { groupId: principal.groupId, userId: result.membership.userId });
			return { added: { name: result.membership.name, kind: result.kind } };
		});
	},
	addMembers: async (event) => {
		const form = await event.request.formData();
		const values = formValues(form, ['addresses', 'role', 'delegation']);
		const file = form.get('roster');
		// A roster file far above 500 addresses is not a roster; refuse before reading it.
		if (file instanceof File && file.size > limits.jsonBodyBytes) return bulkFailure(413, 'PAYLOAD_TOO_LARGE', values);
		const text = `${values.addresses}\n${file instanceof File ? await file.text() : ''}`;
		const roster = parseRoster(text);
		if (roster.unreadable.length) return bulkFailure(400, 'VALIDATION', values, { unreadable: roster.unreadable });
		if (roster.emails.length === 0) return bulkFailure(400, 'VALIDATION', values, { empty: true });
		if (roster.emails.length > limits.bulkMembers) return bulkFailure(400, 'TOO_LONG', values, { tooMany: roster.emails.length });
		const outcome = await formAction({ emails: roster.emails, role: values.role, delegation: blankToNull(values.delegation) }, memberBulkBody, async (input) => {
			const principal = await moderatorOf(event);
			const { db, signals, memberAdditionLimiter } = appContext();
			groups.chargeAdditions(memberAdditionLimiter, principal.userId, input.emails.length);
			const results = await groups.addMembers(db, principal, input);
			for (const result of results) {
				if (result.status === 'added') signals.emit('membershipChanged', { groupId: principal.groupId, userId: result.membership.userId });
			}
			return {
				bulk: {
					results: results.map((result) => ({
						email: result.email,
						status: result.status,
						name: 'membership' in result ? result.membership.name : null,
						url: result.status === 'invited' ? invitationUrl(event, result.invitation.token) : null
					}))
				}
			};
		});
		if (isActionFailure(outcome)) {
			const failure = (outcome as unknown as ActionFailure<FormFailure>).data;
			return bulkFailure(outcome.status, failure.error ?? 'VALIDATION', values, { issues: failure.issues });
		}
		return outcome;
	},
	leave: async (event) => {
		const user = userOrLogin(event);
		const { db, signals } = appContext();
		return formAction({}, z.strictObject({}), async () => {
			const principal = await authorizeGroup(db, user.id, uuidParam(event.params.groupId), 'observer');
			if (!(await groups.leave(db, principal.groupId, user.id))) throw new AppError('CONFLICT', 'Organizers leave the event, not a group');
			signals.emit('membershipChanged', { groupId: principal.groupId, userId: user.id });
			redirect(303, '/');
		});
	},
	updateMember: async (event) => {
		const values = formValues(await event.request.formData(), ['userId', 'role', 'delegation']);
		return formAction({ ...values, delegation: blankToNull(values.delegation) }, memberChangeForm, async ({ userId, role, delegation }) => {
			const principal = await moderatorOf(event);
			const membership = await groups.updateMember(appContext().db, principal.groupId, userId, { role, delegation });
			appContext().signals.emit('membershipChanged', { groupId: principal.groupId, userId });
			return { updated: membership.name };
		});
	},
	removeMember: async (event) => {
		const values = formValues(await event.request.formData(), ['userId']);
		return formAction(values, memberRef, async ({ userId }) => {
			const principal = await moderatorOf(event);
			await groups.removeMember(appContext().db, principal.groupId, userId);
			appContext().signals.emit('membershipChanged', { groupId: principal.groupId, userId });
			return { removed: true };
		});
	},
	createLinkInvitation: async (event) => {
		const values = formValues(await event.request.formData(), ['role', 'delegation']);
		return formAction({ ...values, delegation: blankToNull(values.delegation) }, linkInvitationBody, async (input) => {
			const principal = await moderatorOf(event);
			const invitation = await groups.createLinkInvitation(appContext().db, principal, input);
			return { linkCreated: { role: invitation.role, url: invitationUrl(event, invitation.token) } };
		});
	},
	revokeInvitation: async (event) => {
		const values = formValues(await event.request.formData(), ['groupId', 'invitationId']);
		return formAction(values, invitationRef, async ({ invitationId }) => {
			const principal = await moderatorOf(event);
			await groups.revokeInvitation(appContext().db, principal.groupId, invitationId);
			return { revoked: true };
		});
	}
};

/** The bulk form's own failure, so the page shows it there and not under the one-person form. */
function bulkFailure(status: number, error: ErrorCode, values: Record<string, unknown>, detail: Record<string, unknown> = {}) {
	return fail(status, { bulk: { error, values, ...detail } });
}

/** "Title | 15" per line → agenda items with planned minutes; blank lines are skipped. */
function parseAgenda(text: string): { title: string; plannedMinutes: number | null }[] {
	return text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter(Boolean)
		.map((line) => {
			const match = /^(.*?)\s*\|\s*(\d{1,4})\s*$/.exec(line);
			return match ? { title: match[1]!, plannedMinutes: Number(match[2]) } : { title: line, plannedMinutes: null };
		});
}

/** A datetime-local value plus the browser's offset (minutes, as getTimezoneOffset) → ISO; '' → null. */
function localToIso(local: string, offsetMinutes: number): string | null {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return local === '' ? null : local;
	const utc = Date.parse(local + ':00Z') + offsetMinutes * 60_000;
	return Number.isNaN(utc) ? local : new Date(utc).toISOString();
}
