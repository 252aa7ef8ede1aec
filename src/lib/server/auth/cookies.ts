import { idleLifetimeMs, sessionCookieName } from './sessions';

/** Reads one cookie from a raw `Cookie` header (sockets have no SvelteKit `cookies`). */
export function readCookie(header: string | undefined, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
		try {
			return decodeURIComponent(part.slice(eq + 1).trim());
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/** Cookie attributes of the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure behind HTTPS. */
export function sessionCookieOptions(secure: boolean, expiresAt: Date) {
	return {
		path: '/',
		httpOnly: true,
		sameSite: 'lax' as const,
		secure,
		expires: expiresAt,
		maxAge: Math.floor(Math.min(idleLifetimeMs, expiresAt.getTime() - Date.now()) / 1000)
	};
}

/**
 * Attributes that clear the session cookie (logout, a cookie that is no session). Secure only behind
 * HTTPS, as when it was set: a browser ignores a Secure Set-Cookie sent over plain http, so the dead
 * cookie would stay.
 */
export function clearedSessionCookieOptions(secure: boolean) {
	return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
}

export { sessionCookieName };

/** The UI-language cookie: readable by the browser bundle (Paraglide), kept for 400 days. */
export function localeCookieOptions(secure: boolean) {
	return { path: '/', httpOnly: false, sameSite: 'lax' as const, secure, maxAge: 400 * 24 * 3600 };
}
