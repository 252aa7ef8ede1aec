// `npx tsx bench/measure/profile.ts FILE.cpuprofile|DIR [--top=N] [--inclusive=fnA,fnB]`: where a
// server's CPU went, from a V8 profile written by `npm run bench -- --profile` (node --cpu-prof).
// Prints self time by package (node_modules/<name>, node internals, GC), the busiest functions, and
// the total time spent inside the functions named with --inclusive.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

function packageOf(url: string, name: string): string {
	if (!url) return name.startsWith('(') ? name : '(native)';
	if (url.startsWith('node:')) return 'node internals';
	const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (match) return match[1]!;
	if (url.includes('/build-server/')) return 'Plenary (build-server)';
	if (url.includes('/build/')) return 'Plenary (SvelteKit build)';
	if (url.includes('/bench/')) return 'benchmark wrapper';
	return url;
}

/** Time spent inside each named function, callees included (a sample counts once per name). */
function inclusive(profile: Profile, names: string[]): string[] {
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const totals = new Map(names.map((name) => [name, 0]));
	profile.samples.forEach((id, i) => {
		const seen = new Set<string>();
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const name = byId.get(at)!.callFrame.functionName;
			if (totals.has(name) && !seen.has(name)) {
				seen.add(name);
				totals.set(name, totals.get(name)! + (profile.timeDeltas[i] ?? 0));
			}
		}
	});
	return [...totals].map(([name, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

function summarize(profile: Profile, top: number, names: string[]): string {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
	const total = [...self.values()].reduce((sum, us) => sum + us, 0);
	const byPackage = new Map<string, number>();
	const byFunction = new Map<string, number>();
	for (const [id, us] of self) {
		const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
		const pkg = packageOf(url, functionName);
		byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
		const key = `${functionName || '(anonymous)'}${url ? '  ' : ''}${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(build-server|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + us);
	}
	const busy = total - (byPackage.get('(idle)') ?? 0);
	const rows = (map: Map<string, number>) =>
		[...map]
			.filter(([key]) => key !== '(idle)')
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([key, us]) => `  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
	return [
		`profile: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((busy / total) * 100).toFixed(0)} %)`,
		'self time by package (share of busy time):',
		...rows(byPackage),
		`busiest functions (self):`,
		...rows(byFunction),
		...(names.length ? ['inclusive time of:', ...inclusive(profile, names)] : [])
	].join('\n');
}

const { values, positionals } = parseArgs({
	options: { top: { type: 'string', default: '25' }, inclusive: { type: 'string', default: '' } },
	allowPositionals: true
});
const names = values.inclusive ? values.inclusive.split(',') : [];
for (const target of positionals) {
	const files = statSync(target).isDirectory()
		? readdirSync(target)
				.filter((name) => name.endsWith('.cpuprofile'))
				.map((name) => join(target, name))
		: [target];
	for (const file of files) {
		process.stdout.write(`== ${file}\n${summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(values.top), names)}\n\n`);
	}
}
