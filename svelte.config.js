import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		// SvelteKit's own CSRF check (on by default) covers form posts; src/hooks.server.ts adds the
		// same rule for the JSON API.
		adapter: adapter({ out: 'build' })
	}
};

export default config;
