import type { Db } from './db/db';
import { AppError } from './errors';
import type { Locale } from '../protocol/roles';

export type User = { id: string; email: string; name: string; locale: Locale | null };
type UserWithHash = User & { passwordHash: string };

/** Creates an account; throws EMAIL_TAKEN when the e-mail already has one. */
export async function create(
	db: Db,
	input: { email: string; name: string; passwordHash: string; locale: Locale | null }
): Promise<User> {
	const [user]: [User?] = (await db.sql<User>`
		insert into users (email, name, password_hash, locale)
		values (${input.email}, ${input.name}, ${input.passwordHash}, ${input.locale})
		on conflict (email) do nothing
		returning id, email, name, locale`) as [User?];
	if (!user) throw new AppError('EMAIL_TAKEN', 'An account with this e-mail already exists', { fields: { email: 'already registered' } });
	return user;
}

export async function findByEmail(db: Db, email: string): Promise<UserWithHash | null> {
	const [user]: [UserWithHash?] = (await db.sql<UserWithHash>`
		select id, email, name, locale, password_hash as "passwordHash"
		from users
		where email = ${email}`) as [UserWithHash?];
	return user ?? null;
}

export async function get(db: Db, userId: string): Promise<UserWithHash> {
	const [user]: [UserWithHash?] = (await db.sql<UserWithHash>`
		select id, email, name, locale, password_hash as "passwordHash"
		from users
		where id = ${userId}`) as [UserWithHash?];
	if (!user) throw new AppError('NOT_FOUND', 'Account not found');
	return user;
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
	await db.sql`update users set password_hash = ${passwordHash} where id = ${userId}`;
}

export async function setLocale(db: Db, userId: string, locale: Locale): Promise<void> {
	await db.sql`update users set locale = ${locale} where id = ${userId}`;
}
