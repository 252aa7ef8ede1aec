import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export type Child = {
	pid: number;
	/** The first capture group of `ready` in the output (the port or URL). */
	ready: string;
	/** The last 64 KiB of what it printed, for error messages. */
	output: () => string;
	/** Sends `signal` and resolves on exit (SIGKILL after 20 s). */
	stop: (signal?: NodeJS.Signals) => Promise<void>;
	exited: () => boolean;
};

/**
 * Starts a server under test as a child process of its own, so its CPU and memory are its own
 * (/proc/PID) and a crash cannot take the benchmark down. Resolves when its output matches `ready`.
 */
export async function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
	const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const append = (chunk: Buffer) => {
		output = (output + chunk.toString()).slice(-65536);
	};
	child.stdout!.on('data', append);
	child.stderr!.on('data', append);
	let exited = false;
	const exit = new Promise<void>((resolve) =>
		child.once('exit', () => {
			exited = true;
			resolve();
		})
	);
	const match = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in 60 s:\n${output}`)), 60_000);
		const check = () => {
			const found = ready.exec(output);
			if (found) {
				clearTimeout(timer);
				resolve(found[1]!);
			}
		};
		child.stdout!.on('data', check);
		child.stderr!.on('data', check);
		void exit.then(() => {
			clearTimeout(timer);
			reject(new Error(`${args.join(' ')} exited before it was ready:\n${output}`));
		});
	});
	return {
		pid: child.pid!,
		ready: match,
		output: () => output,
		exited: () => exited,
		stop: async (signal = 'SIGTERM') => {
			if (exited) return;
			child.kill(signal);
			const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
			await exit;
			clearTimeout(timer);
		}
	};
}

/** The environment a server child gets: only what it needs, nothing of ours. */
export function baseEnv(extra: Record<string, string>): Record<string, string> {
	return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}
