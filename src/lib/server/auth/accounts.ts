import type { Db } from '../db/db';
import { AppError } from '../errors';
import * as users from '../users';
import type { User } from '../users';
import type { Passwords } from './passwords';
import type { LoginLimiter } from './rate-limit';
import * as sessions from './sessions';
import type { Locale } from '../../protocol/roles';

export type AccountDeps = { db: Db; passwords: Passwords; loginLimiter: LoginLimiter };

/** Creates an account and logs it in. Throws EMAIL_TAKEN. */
export async function register(
	deps: AccountDeps,
	input: { email: string; password: string; name: string; locale: Locale | null }
): Promise<{ user: User; token: string; expiresAt: Date }> {
	const passwordHash = await deps.passwords.hash(input.password);
	const user = await users.create(deps.db, { email: input.email, name: input.name, passwordHash, locale: input.locale });
	const { token, session } = await sessions.create(deps.db, user.id);
	return { user, token, expiresAt: session.expiresAt };
}

const wrongCredentials = () => new AppError('INVALID_CREDENTIALS', 'Wrong e-mail or password');

function throttled(retryAfterSeconds: number): AppError {
	return new AppError('RATE_LIMITED', 'Too many failed logins; try again later', { retryAfterSeconds });
}

/**
 * Checks a password and opens a new session (never reusing one the browser brought: AZ-50).
 * Throttled per account (5 failures / 15 min, even with the right password afterwards) and per
 * address (100 failures / 15 min: a venue shares one address). Unknown e-mail and wrong password
 * answer the same, after the same argon2 work.
 */
export async function login(
	deps: AccountDeps,
	input: { email: string; password: string },
	address: string
): Promise<{ user: User; token: string; expiresAt: Date }> {
	const { perAccount, perAddress } = deps.loginLimiter;
	const wait = Math.max(perAccount.retryAfter(input.email), perAddress.retryAfter(address));
	if (wait > 0) throw throttled(wait);
	const found = await users.findByEmail(deps.db, input.email);
	const ok = found ? await deps.passwords.verify(found.passwordHash, input.password) : (await deps.passwords.verifyNothing(input.password), false);
	if (!found || !ok) {
		perAccount.fail(input.email);
		perAddress.fail(address);
		throw wrongCredentials();
	}
	perAccount.reset(input.email);
	const { token, session } = await sessions.create(deps.db, found.id);
	return { user: { id: found.id, email: found.email, name: found.name, locale: found.locale }, token, expiresAt: session.expiresAt };
}

/**
 * Changes a password after checking the current one (throttled like a login). Every session of
 * the account ends, on every device (AZ-52), and a new one is returned for the caller.
 */
export async function changePassword(
	deps: AccountDeps,
	userId: string,
	input: { currentPassword: string; newPassword: string }
): Promise<{ token: string; expiresAt: Date; revokedBefore: number }> {
	const user = await users.get(deps.db, userId);
	const wait = deps.loginLimiter.perAccount.retryAfter(user.email);
	if (wait > 0) throw throttled(wait);
	if (!(await deps.passwords.verify(user.passwordHash, input.currentPassword))) {
		deps.loginLimiter.perAccount.fail(user.email);
		throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong', { fields: { currentPassword: 'wrong password' } });
	}
	const passwordHash = await deps.passwords.hash(input.newPassword);
	await users.setPasswordHash(deps.db, userId, passwordHash);
	const revokedBefore = Date.now();
	await sessions.invalidateAllOf(deps.db, userId);
	// The new session must count as created after the revocation, even within the same millisecond.
	const { token, session } = await sessions.create(deps.db, userId, new Date(revokedBefore + 1));
	return { token, expiresAt: session.expiresAt, revokedBefore };
}
