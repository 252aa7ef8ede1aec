import { hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { AppError } from '../errors';

/** argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1); memory is lowered only in tests. */
export type Passwords = {
	hash(password: string): Promise<string>;
	verify(hash: string, password: string): Promise<boolean>;
	/** Spends the same time as a real verify, so an unknown e-mail is not told apart by latency (AZ-58). */
	verifyNothing(password: string): Promise<void>;
	/** Hashes running and waiting now (for tests and metrics). */
	load(): { running: number; waiting: number };
};

/**
 * At most `running` argon2 computations at once for the whole process, and at most `waiting` in
 * line behind them; beyond that the caller is told to come back (RATE_LIMITED). Each hash holds
 * 19 MiB and a core for tens of milliseconds: 200 registrations at once used to run 200 of them
 * together and left /healthz unanswered for seconds (issue 12). Logins and registrations share it.
 */
export class HashQueue {
	private active = 0;
	private readonly line: (() => void)[] = [];

	constructor(
		readonly running: number,
		readonly waiting: number
	) {}

	async run<T>(work: () => Promise<T>): Promise<T> {
		if (this.active >= this.running) {
			if (this.line.length >= this.waiting) throw new AppError('RATE_LIMITED', 'The server is busy checking passwords; try again in a moment', { retryAfterSeconds: 2 });
			await new Promise<void>((resolve) => this.line.push(resolve));
		} else this.active++;
		try {
			return await work();
		} finally {
			const next = this.line.shift();
			// The slot passes straight to the next in line, so `active` never over-counts.
			if (next) next();
			else this.active--;
		}
	}

	load(): { running: number; waiting: number } {
		return { running: this.active, waiting: this.line.length };
	}
}

export async function createPasswords(memoryCost: number, queue = new HashQueue(Math.max(1, Math.min(4, availableParallelism())), 500)): Promise<Passwords> {
	const options = { memoryCost, timeCost: 2, parallelism: 1, outputLen: 32 };
	const dummy = await hash('not a password of anyone', options);
	return {
		hash: (password) => queue.run(() => hash(password, options)),
		verify: (stored, password) => queue.run(() => verify(stored, password).catch(() => false)),
		verifyNothing: (password) => queue.run(async () => void (await verify(dummy, password).catch(() => false))),
		load: () => queue.load()
	};
}
