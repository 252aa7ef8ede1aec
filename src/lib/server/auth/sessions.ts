import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Db } from '../db/db';
import type { Locale } from '../../protocol/roles';

/**
 * Sessions as the current Lucia guide builds them: the cookie holds "<id>.<secret>", the database
 * holds the id and SHA-256(secret), compared in constant time. Expiry slides to 30 days of
 * inactivity and never passes 90 days after login.
 */
export const sessionCookieName = 'plenary_session';
const day = 24 * 60 * 60 * 1000;
export const idleLifetimeMs = 30 * day;
export const absoluteLifetimeMs = 90 * day;
const extendWhenLessThanMs = 15 * day;

export type SessionUser = { id: string; email: string; name: string; locale: Locale | null };
export type Session = { id: string; userId: string; createdAt: Date; expiresAt: Date };

function randomSecret(): string {
	const bytes = new Uint8Array(24); // 192 bits, above the guide's 120 and OWASP's 64
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

function hashSecret(secret: string): Uint8Array {
	return sha256(new TextEncoder().encode(secret));
}

/** Creates a session for a user who just proved who they are; returns the cookie value. */
export async function create(db: Db, userId: string, now = new Date()): Promise<{ token: string; session: Session }> {
	const id = randomSecret();
	const secret = randomSecret();
	const expiresAt = new Date(now.getTime() + idleLifetimeMs);
	await db.sql`
		insert into sessions (id, user_id, secret_hash, created_at, expires_at)
		values (${id}, ${userId}, ${hashSecret(secret)}, ${now}, ${expiresAt})`;
	return { token: `${id}.${secret}`, session: { id, userId, createdAt: now, expiresAt } };
}

type SessionRow = {
	id: string;
	secretHash: Uint8Array;
	createdAt: Date;
	expiresAt: Date;
	userId: string;
	email: string;
	name: string;
	locale: Locale | null;
};

/**
 * Resolves a cookie value to its session and user, sliding the expiry when due. Returns null for
 * anything that is not a live session (malformed, unknown, wrong secret, expired); an expired
 * session's row is deleted.
 */
export async function validate(
	db: Db,
	token: string | undefined,
	now = new Date()
): Promise<{ session: Session; user: SessionUser } | null> {
	if (!token || token.length > 200) return null;
	const [id, secret, ...rest] = token.split('.');
	if (!id || !secret || rest.length) return null;
	const [row]: [SessionRow?] = (await db.sql<SessionRow>`
		select s.id, s.secret_hash as "secretHash", s.created_at as "createdAt", s.expires_at as "expiresAt",
			u.id as "userId", u.email, u.name, u.locale
		from sessions s
		join users u on u.id = s.user_id
		where s.id = ${id}`) as [SessionRow?];
	if (!row) return null;
	if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.secretHash))) return null;
	const absoluteEnd = row.createdAt.getTime() + absoluteLifetimeMs;
	if (now.getTime() >= row.expiresAt.getTime() || now.getTime() >= absoluteEnd) {
		await db.sql`delete from sessions where id = ${id}`;
		return null;
	}
	let expiresAt = row.expiresAt;
	if (expiresAt.getTime() - now.getTime() < extendWhenLessThanMs) {
		expiresAt = new Date(Math.min(now.getTime() + idleLifetimeMs, absoluteEnd));
		await db.sql`update sessions set expires_at = ${expiresAt} where id = ${id}`;
	}
	return {
		session: { id: row.id, userId: row.userId, createdAt: row.createdAt, expiresAt },
		user: { id: row.userId, email: row.email, name: row.name, locale: row.locale }
	};
}

/**
 * Is the session with this id still live for this user (not logged out, not expired)? For a socket
 * that comes back without its cookie being read again (Socket.IO connection state recovery): there
 * the private session id of the dropped connection stands for the cookie.
 */
export async function isLive(db: Db, sessionId: string, userId: string, now = new Date()): Promise<boolean> {
	const [row] = await db.sql<{ createdAt: Date }>`
		select created_at as "createdAt" from sessions
		where id = ${sessionId} and user_id = ${userId} and expires_at > ${now}`;
	return Boolean(row) && now.getTime() < row!.createdAt.getTime() + absoluteLifetimeMs;
}

export async function invalidate(db: Db, sessionId: string): Promise<void> {
	await db.sql`delete from sessions where id = ${sessionId}`;
}

export async function invalidateAllOf(db: Db, userId: string): Promise<void> {
	await db.sql`delete from sessions where user_id = ${userId}`;
}

/** The id part of a cookie value, for matching open sockets to a revoked session. */
export function sessionIdOf(token: string): string {
	return token.split('.')[0] ?? '';
}
