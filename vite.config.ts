/// <reference types="vitest/config" />
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { plenaryDevServer } from './server/dev-plugin.ts';
import { patchYTiptap } from './scripts/vite-patch-y-tiptap.ts';

export default defineConfig({
	plugins: [
		// The Paraglide plugin keeps Vitest from exiting (STACK.md pitfall 4); tests use `npm run paraglide` output.
		!process.env.VITEST &&
			paraglideVitePlugin({
				project: './project.inlang',
				outdir: './src/lib/paraglide',
				strategy: ['cookie', 'baseLocale']
			}),
		patchYTiptap(),
		sveltekit(),
		plenaryDevServer()
	],
	test: {
		include: ['tests/**/*.test.ts'],
		testTimeout: 30_000,
		hookTimeout: 120_000,
		fileParallelism: false,
		// Browser and socket assertions wait for other processes on a busy two-core machine.
		expect: { poll: { timeout: 10_000, interval: 100 } },
		globalSetup: ['tests/helpers/global-setup.ts'],
		reporters: ['default', './tests/helpers/summary-reporter.ts']
	}
});
