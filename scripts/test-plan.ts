// Keeps the "tests" column of docs/TEST-PLAN.md true: for every BI-/AZ-/FT-/LD- id in its tables,
// the test files under tests/ and bench/ that name the id. `node scripts/test-plan.mjs` rewrites the
// file; `--check` exits 1 when it is stale or when a test names an id the plan does not define.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const planPath = join(root, 'docs/TEST-PLAN.md');
const idPattern = /\b(?:BI|AZ|FT|LD)-\d+b?\b/g;
const rowPattern = /^\| ((?:BI|AZ|FT|LD)-\d+b?) \|/;

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return filesUnder(path);
		return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
	});
}

/** id → test files naming it, for tests/ and bench/. */
export function referencesById(): Map<string, string[]> {
	const byId = new Map<string, string[]>();
	for (const file of [...filesUnder(join(root, 'tests')), ...filesUnder(join(root, 'bench'))]) {
		const rel = relative(root, file);
		for (const id of new Set(readFileSync(file, 'utf8').match(idPattern) ?? [])) {
			if (!byId.has(id)) byId.set(id, []);
			byId.get(id)!.push(rel);
		}
	}
	for (const files of byId.values()) files.sort();
	return byId;
}

/** The plan with each row's last cell set to the files naming its id. */
export function refreshPlan(text: string, byId: Map<string, string[]>): string {
	return text
		.split('\n')
		.map((line) => {
			const match = rowPattern.exec(line);
			if (!match) return line;
			const cells = line.slice(1, -1).split(' | ');
			const files = byId.get(match[1]!) ?? [];
			cells[cells.length - 1] = files.length ? files.map((f) => '`' + f + '`').join(', ') : 'not yet';
			return '| ' + cells.map((c) => c.trim()).join(' | ') + ' |';
		})
		.join('\n');
}

export function definedIds(text: string): Set<string> {
	return new Set(text.split('\n').flatMap((line) => rowPattern.exec(line)?.[1] ?? []));
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
	const plan = readFileSync(planPath, 'utf8');
	const byId = referencesById();
	const fresh = refreshPlan(plan, byId);
	const undefinedIds = [...byId.keys()].filter((id) => !definedIds(plan).has(id));
	if (process.argv.includes('--check')) {
		if (undefinedIds.length) console.error(`tests name ids the plan does not define: ${undefinedIds.join(', ')}`);
		if (fresh !== plan) console.error('docs/TEST-PLAN.md is stale: run npx tsx scripts/test-plan.ts');
		process.exit(undefinedIds.length || fresh !== plan ? 1 : 0);
	}
	writeFileSync(planPath, fresh);
	if (undefinedIds.length) console.warn(`tests name ids the plan does not define: ${undefinedIds.join(', ')}`);
}
