import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The suite drives the production build; `npm test` builds it first (scripts/ensure-build.mjs). */
export default function setup(): void {
	const root = join(import.meta.dirname, '..', '..');
	if (!existsSync(join(root, 'build-server/index.js')) || !existsSync(join(root, 'build/handler.js'))) {
		throw new Error('No build found: run the tests with `npm test` (it builds first) or run `npm run build`');
	}
}
