import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { noViewer } from '$lib/protocol/offline';

/**
 * Names a login session for the service worker's offline copies (`viewerHeader`): a hash of the
 * session's id, so the header never carries what the cookie does, stable for the session's life
 * and different for every login.
 */
export function viewerOf(sessionId: string | null): string {
	if (!sessionId) return noViewer;
	return encodeHexLowerCase(sha256(new TextEncoder().encode(`plenary-viewer:${sessionId}`))).slice(0, 32);
}
