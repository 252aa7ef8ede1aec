import type { IncomingMessage } from 'node:http';

/**
 * Security seam against cross-site WebSocket hijacking (AZ-40/41): a browser always sends Origin on
 * a WebSocket or XHR handshake, and it must be ours — the configured ORIGIN, else the Host the
 * request came to. No Origin at all means a non-browser client, which carries no victim's cookie.
 */
export function isAllowedOrigin(req: IncomingMessage, configured: string | null): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	if (configured) return origin === configured;
	const host = req.headers.host;
	if (!host) return false;
	try {
		return new URL(origin).host === host;
	} catch {
		return false;
	}
}
