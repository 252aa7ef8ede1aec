import { hash, verify } from '@node-rs/argon2';

/** argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1); memory is lowered only in tests. */
export type Passwords = {
	hash(password: string): Promise<string>;
	verify(hash: string, password: string): Promise<boolean>;
	/** Spends the same time as a real verify, so an unknown e-mail is not told apart by latency (AZ-58). */
	verifyNothing(password: string): Promise<void>;
};

export async function createPasswords(memoryCost: number): Promise<Passwords> {
	const options = { memoryCost, timeCost: 2, parallelism: 1, outputLen: 32 };
	const dummy = await hash('not a password of anyone', options);
	return {
		hash: (password) => hash(password, options),
		verify: async (stored, password) => {
			try {
				return await verify(stored, password);
			} catch {
				return false;
			}
		},
		verifyNothing: async (password) => {
			await verify(dummy, password).catch(() => false);
		}
	};
}
