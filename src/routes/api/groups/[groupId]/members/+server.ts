import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { authorizeGroup } from '$lib/server/auth/authorize';
import { appContext } from '$lib/server/context';
import * as groups from '$lib/server/groups';
import { api, idParam, parse, readBody, requireUser } from '$lib/server/http';
import { invitationUrl } from '$lib/server/invitations';
import { memberBody, memberBulkBody } from '$lib/protocol/api';

/**
 * `{ email, role, delegation? }` adds one person (201 added, 200 updated, 201 with an invitation for
 * an unknown address, 409 MEMBER_DECLINED); `{ emails: [...], role, delegation? }` adds up to 500
 * and answers 200 with one result per address. Each address counts against the adder's allowance.
 */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { db, signals, memberAdditionLimiter } = appContext();
	const principal = await authorizeGroup(db, user.id, idParam(event, 'groupId'), 'moderator');
	const body = await readBody(event.request, z.unknown());
	if (typeof body === 'object' && body !== null && 'emails' in body) {
		const input = parse(memberBulkBody, body);
		groups.chargeAdditions(memberAdditionLimiter, user.id, new Set(input.emails).size);
		const results = await groups.addMembers(db, principal, input);
		for (const result of results) {
			if (result.status === 'added') signals.emit('membershipChanged', { groupId: principal.groupId, userId: result.membership.userId });
		}
		return json({
			results: results.map((result) => {
				if (result.status !== 'invited') return result;
				const { token, ...invitation } = result.invitation;
				return { ...result, invitation: { ...invitation, url: invitationUrl(event, token) } };
			})
		});
	}
	const input = parse(memberBody, body);
	groups.chargeAdditions(memberAdditionLimiter, user.id, 1);
	const result = await groups.addMember(db, principal, input);
	if (result.kind === 'invited') {
		const { token, ...invitation } = result.invitation;
		return json({ membership: null, invitation: { ...invitation, url: invitationUrl(event, token) } }, { status: 201 });
	}
	signals.emit('membershipChanged', { groupId: principal.groupId, userId: result.membership.userId });
	return json({ membership: result.membership }, { status: result.kind === 'added' ? 201 : 200 });
});
