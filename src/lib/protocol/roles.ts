/** Roles a membership can hold in a group, lowest first. */
export const groupRoles = ['observer', 'participant', 'member', 'moderator'] as const;
export type GroupRole = (typeof groupRoles)[number];

/** A caller's effective role in a group: an event's organizers rank above every membership. */
export type Role = GroupRole | 'organizer';
const rank: Record<Role, number> = { observer: 0, participant: 1, member: 2, moderator: 3, organizer: 4 };

export function atLeast(role: Role, minimum: Role): boolean {
	return rank[role] >= rank[minimum];
}

export const locales = ['en', 'fr', 'ru', 'kk'] as const;
export type Locale = (typeof locales)[number];
