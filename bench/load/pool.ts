import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { WorkerMessage, WorkerRequest, WorkerResults } from './messages';

/**
 * The load generator's processes. Each runs bench/load/worker.ts under tsx, at a lower CPU
 * priority (nice +5) than the server under test: on two cores a busy generator must not take the
 * server's core away. Requests are answered in order of completion, matched by id.
 */
export class WorkerPool {
	private readonly workers: ChildProcess[] = [];
	private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	private nextId = 0;

	constructor(count: number, epoch: bigint) {
		for (let i = 0; i < count; i++) {
			const worker = fork(join(import.meta.dirname, 'worker.ts'), [String(epoch)], {
				execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
				serialization: 'advanced',
				stdio: ['ignore', 'inherit', 'inherit', 'ipc']
			});
			try {
				setPriority(worker.pid!, 5);
			} catch {
				// Not allowed here: the generator then competes with the server as an equal.
			}
			worker.on('message', (message: WorkerMessage) => {
				const waiter = this.pending.get(message.id);
				if (!waiter) return;
				this.pending.delete(message.id);
				if (message.error) waiter.reject(new Error(`worker ${i}: ${message.error}`));
				else waiter.resolve(message.result);
			});
			worker.on('error', () => {}); // a send after exit; the pending request is rejected on 'exit'
			worker.on('exit', (code) => {
				for (const [id, waiter] of this.pending) {
					waiter.reject(new Error(`worker ${i} exited with ${code}`));
					this.pending.delete(id);
				}
			});
			this.workers.push(worker);
		}
	}

	get size(): number {
		return this.workers.length;
	}

	get pids(): number[] {
		return this.workers.map((worker) => worker.pid!);
	}

	call<R extends WorkerRequest>(index: number, request: R): Promise<WorkerResults[R['op']]> {
		const id = this.nextId++;
		const worker = this.workers[index]!;
		if (!worker.connected) return Promise.reject(new Error(`worker ${index} is gone`));
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			worker.send({ id, request }, (error) => {
				if (!error) return;
				this.pending.delete(id);
				reject(error);
			});
		});
	}

	all<R extends WorkerRequest>(request: (index: number) => R): Promise<WorkerResults[R['op']][]> {
		return Promise.all(this.workers.map((_worker, index) => this.call(index, request(index))));
	}

	close(): void {
		for (const worker of this.workers) worker.kill('SIGTERM');
	}
}
