import type { RequestEvent } from '@sveltejs/kit';
import { appContext } from './context';

/** The link an organizer copies; on the public origin when one is configured. */
export function invitationUrl(event: RequestEvent, token: string): string {
	return `${appContext().config.origin ?? event.url.origin}/invite/${token}`;
}
