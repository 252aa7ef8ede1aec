import { m } from '$lib/paraglide/messages';
import type { SessionStatus } from '$lib/protocol/live';

export function sessionStatusName(status: SessionStatus): string {
	switch (status) {
		case 'scheduled':
			return m.session_status_scheduled();
		case 'live':
			return m.session_status_live();
		case 'paused':
			return m.session_status_paused();
		case 'closed':
			return m.session_status_closed();
	}
}
