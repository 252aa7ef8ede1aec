import type { Db } from '../db/db';
import { AppError } from '../errors';
import * as users from '../users';
import type { User } from '../users';
import type { Passwords } from './passwords';
import type { FailureWindow, LoginLimiter } from './rate-limit';
import * as sessions from './sessions';
import type { Locale } from '../../protocol/roles';

export type AccountDeps = { db: Db; passwords: Passwords; loginLimiter: LoginLimiter; registrationLimiter: FailureWindow };

/**
 * Creates an account and logs it in. Throws EMAIL_TAKEN, or RATE_LIMITED beyond the registrations
 * allowed per address (counted before the hash, so a burst meets the limit too). `address` is
 * null for accounts the server makes itself (the demo).
 */
export async function register(
	deps: AccountDeps,
	input: { email: string; password: string; name: string; locale: Locale | null },
	address: string | null
): Promise<{ user: User; token: string; expiresAt: Date }> {
	if (address !== null) {
		const wait = deps.registrationLimiter.retryAfter(address);
		if (wait > 0) throw new AppError('RATE_LIMITED', 'Too many new accounts from this address; try again later', { retryAfterSeconds: wait });
		deps.registrationLimiter.fail(address);
	}
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
 * Throttled as `LoginLimiter` says; the attempt is counted before argon2 runs and taken back on
 * success, so 300 guesses sent at once meet the limit exactly as 300 in a row would (AZ-59).
 * Unknown e-mail and wrong password answer the same, after the same argon2 work.
 */
export async function login(
	deps: AccountDeps,
	input: { email: string; password: string },
	address: string
): Promise<{ user: User; token: string; expiresAt: Date }> {
	const limits = deps.loginLimiter;
	const account = input.email.toLowerCase();
	const pair = `${account}\n${address}`;
	const wait = Math.max(limits.perAccountAndAddress.retryAfter(pair), limits.perAccount.retryAfter(account), limits.perAddress.retryAfter(address));
	if (wait > 0) throw throttled(wait);
	if (!limits.accountsInFlight.enter(account)) throw throttled(1);
	if (!limits.addressesInFlight.enter(address)) {
		limits.accountsInFlight.leave(account);
		throw throttled(1);
	}
	const counted = { pair: limits.perAccountAndAddress.fail(pair), account: limits.perAccount.fail(account), address: limits.perAddress.fail(address) };
	try {
		const found = await users.findByEmail(deps.db, input.email);
		const ok = found ? await deps.passwords.verify(found.passwordHash, input.password) : (await deps.passwords.verifyNothing(input.password), false);
		if (!found || !ok) throw wrongCredentials();
		limits.perAccountAndAddress.reset(pair);
		limits.perAccount.reset(account);
		limits.perAddress.forgive(address, counted.address);
		const { token, session } = await sessions.create(deps.db, found.id);
		return { user: { id: found.id, email: found.email, name: found.name, locale: found.locale }, token, expiresAt: session.expiresAt };
	} catch (error) {
		// Only a wrong password is a failure: a busy queue or a database error takes the attempt back.
		if (!(error instanceof AppError && error.code === 'INVALID_CREDENTIALS')) {
			limits.perAccountAndAddress.forgive(pair, counted.pair);
			limits.perAccount.forgive(account, counted.account);
			limits.perAddress.forgive(address, counted.address);
		}
		throw error;
	} finally {
		limits.accountsInFlight.leave(account);
		limits.addressesInFlight.leave(address);
	}
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
	const account = user.email.toLowerCase();
	const wait = deps.loginLimiter.perAccount.retryAfter(account);
	if (wait > 0) throw throttled(wait);
	const counted = deps.loginLimiter.perAccount.fail(account);
	if (!(await deps.passwords.verify(user.passwordHash, input.currentPassword))) {
		throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong', { fields: { currentPassword: 'wrong password' } });
	}
	deps.loginLimiter.perAccount.forgive(account, counted);
	const passwordHash = await deps.passwords.hash(input.newPassword);
	await users.setPasswordHash(deps.db, userId, passwordHash);
	const revokedBefore = Date.now();
	await sessions.invalidateAllOf(deps.db, userId);
	// The new session must count as created after the revocation, even within the same millisecond.
	const { token, session } = await sessions.create(deps.db, userId, new Date(revokedBefore + 1));
	return { token, expiresAt: session.expiresAt, revokedBefore };
}
