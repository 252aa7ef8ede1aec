import type { Session, SessionUser } from '$lib/server/auth/sessions';
import type { Locale } from '$lib/protocol/roles';

declare global {
	namespace App {
		interface Error {
			message: string;
			code: string;
		}
		interface Locals {
			user: SessionUser | null;
			session: Session | null;
			locale: Locale;
		}
	}
}

export {};
