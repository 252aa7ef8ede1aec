import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name, which is in parentheses and may contain spaces.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime
	} catch {
		return 0;
	}
}

/** Resident set size in MiB; 0 once the process is gone. */
export function rssMiB(pid: number): number {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) / 1024 : 0;
	} catch {
		return 0;
	}
}

/** CPU seconds all cores of the machine spent busy so far (user, nice, system, irq, softirq, steal). */
export function machineBusySeconds(): number {
	const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
	const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
	return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
}

/**
 * CPU the rest of the machine uses besides `ours` (and this process), as % of one core over
 * `ms`: another engineer's test run on a shared two-core machine shows up here.
 */
export async function otherCpuPercent(ours: number[], ms: number): Promise<number> {
	const measure = () => machineBusySeconds() - ours.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - selfCpuSeconds();
	const before = measure();
	await new Promise((resolve) => setTimeout(resolve, ms));
	return Math.max(0, ((measure() - before) / ms) * 1000 * 100);
}

export function selfCpuSeconds(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1e6;
}

export type ResourceReport = {
	cpuPercent: number;
	helperCpuPercent: number;
	/** The load generator's processes. */
	generatorCpuPercent: number;
	/** Everything else on the machine. */
	otherCpuPercent: number;
	rssPeakMiB: number;
	rssEndMiB: number;
};

/**
 * Watches a server process (and its helpers, e.g. PostgreSQL backends) over a window: CPU as a
 * percentage of one core over the window (also the generator's and everybody else's), RSS
 * sampled every 250 ms. `stop` ends the window.
 */
export function watchResources(pid: number, helpers: number[], generator: number[]): { stop: () => ResourceReport } {
	const startedAt = performance.now();
	const cpuStart = cpuSeconds(pid);
	const helperStart = new Map(helpers.map((helper) => [helper, cpuSeconds(helper)]));
	const sum = (pids: number[]) => pids.reduce((total, one) => total + cpuSeconds(one), 0);
	const generatorStart = sum(generator);
	const machineStart = machineBusySeconds();
	const selfStart = selfCpuSeconds();
	let peak = rssMiB(pid);
	const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 250);
	return {
		stop: () => {
			clearInterval(timer);
			const seconds = (performance.now() - startedAt) / 1000;
			let helperCpu = 0;
			for (const [helper, start] of helperStart) helperCpu += Math.max(0, cpuSeconds(helper) - start);
			const end = rssMiB(pid);
			const server = cpuSeconds(pid) - cpuStart;
			const generatorCpu = sum(generator) - generatorStart;
			const other = machineBusySeconds() - machineStart - server - helperCpu - generatorCpu - (selfCpuSeconds() - selfStart);
			return {
				cpuPercent: (server / seconds) * 100,
				helperCpuPercent: (helperCpu / seconds) * 100,
				generatorCpuPercent: (generatorCpu / seconds) * 100,
				otherCpuPercent: Math.max(0, (other / seconds) * 100),
				rssPeakMiB: Math.max(peak, end),
				rssEndMiB: end
			};
		}
	};
}
