import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, uniqueEmail } from '../../../helpers/client';
import { startServer, type RunningServer } from '../../../helpers/server';
import { backends } from '../../../helpers/services';

const password = 'correct horse battery';

describe.each(backends())('registration limits on %s', (backend) => {
	let server: RunningServer;
	beforeAll(async () => {
		// The production defaults: 100 new accounts per address in 10 minutes, and real argon2 cost.
		server = await startServer(backend, { env: { REGISTRATIONS_PER_ADDRESS: '100', REGISTRATION_WINDOW_MINUTES: '10', PLENARY_ARGON2_MEMORY_KIB: '19456' } });
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('150 registrations at once from one address: 100 accounts, the rest 429 with Retry-After, and /healthz answers within a second throughout (AZ-61)', async () => {
		const from = '127.0.0.77';
		const healthTimes: number[] = [];
		let done = false;
		const probe = (async () => {
			while (!done) {
				const started = performance.now();
				const health = await fetch(`${server.url}/healthz`);
				healthTimes.push(performance.now() - started);
				expect(health.status).toBe(200);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		})();
		const answers = await Promise.all(
			Array.from({ length: 150 }, (_, i) => new ApiClient(server.url, { from }).post('/api/auth/register', { name: `Delegate ${i}`, email: uniqueEmail('venue'), password }))
		);
		done = true;
		await probe;
		const statuses = answers.map((a) => a.status);
		expect(statuses.filter((s) => s === 201).length).toBe(100);
		expect(statuses.filter((s) => s === 429).length).toBe(50);
		for (const refused of answers.filter((a) => a.status === 429)) {
			expect(refused.body.error.code).toBe('RATE_LIMITED');
			expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		}
		console.log(`[registrations ${backend}] /healthz during the burst: max ${Math.round(Math.max(...healthTimes))} ms over ${healthTimes.length} probes`);
		// A generous bound: the point is "answers", not a latency target (those live in npm run bench).
		expect(Math.max(...healthTimes)).toBeLessThan(1000);
		const elsewhere = await new ApiClient(server.url, { from: '127.0.0.78' }).post('/api/auth/register', { name: 'Another venue', email: uniqueEmail(), password });
		expect(elsewhere.status).toBe(201);
	}, 120_000);
});
