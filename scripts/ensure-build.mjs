// Builds Plenary when the build is missing or older than any source file, so `npm start` and
// `npm test` work on a fresh clone and after a `git pull` without a separate build step.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const stamp = 'build-server/index.js';
const sources = ['src', 'server', 'scripts', 'messages', 'static', 'project.inlang', 'migrations', 'package.json', 'svelte.config.js', 'vite.config.ts'];
const ignored = new Set(['node_modules', 'paraglide', '.svelte-kit']);

function newest(path) {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let latest = stat.mtimeMs;
	for (const entry of readdirSync(path)) if (!ignored.has(entry)) latest = Math.max(latest, newest(join(path, entry)));
	return latest;
}

const built = existsSync(stamp) && existsSync('build/handler.js') ? statSync(stamp).mtimeMs : 0;
if (built === 0 || sources.some((source) => newest(source) > built)) {
	console.error(built === 0 ? 'Building Plenary (first start)…' : 'Sources changed since the last build; rebuilding…');
	execSync('npm run build', { stdio: ['ignore', 'inherit', 'inherit'] });
}
