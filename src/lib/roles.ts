import { m } from '$lib/paraglide/messages';
import type { Role } from '$lib/protocol/roles';

export function roleName(role: Role): string {
	switch (role) {
		case 'organizer':
			return m.role_organizer();
		case 'moderator':
			return m.role_moderator();
		case 'member':
			return m.role_member();
		case 'participant':
			return m.role_participant();
		case 'observer':
			return m.role_observer();
	}
}

export function roleDescription(role: Role): string {
	switch (role) {
		case 'organizer':
			return m.role_organizer_description();
		case 'moderator':
			return m.role_moderator_description();
		case 'member':
			return m.role_member_description();
		case 'participant':
			return m.role_participant_description();
		case 'observer':
			return m.role_observer_description();
	}
}
