import type { SubmitFunction } from '@sveltejs/kit';

/**
 * `use:enhance` for forms that log someone in (login, register): keeps the typed values on an
 * error, and after success loads the next page in full, so the account's saved language and a
 * fresh layout apply at once (a client-side navigation would keep this page's language).
 */
export function signInEnhance(setBusy: (busy: boolean) => void): SubmitFunction {
	return () => {
		setBusy(true);
		return async ({ result, update }) => {
			if (result.type === 'redirect') return location.assign(result.location);
			await update({ reset: false });
			setBusy(false);
		};
	};
}
