import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		// SvelteKit's own CSRF check (on by default) covers form posts; src/hooks.server.ts adds the
		// same rule for the JSON API.
		adapter: adapter({ out: 'build' }),
		// Content Security Policy (issue 12): only our own scripts run — SvelteKit puts a nonce on its
		// inline start-up script — and no other site may frame a page. Styles allow inline because
		// ProseMirror and the collaboration carets set style attributes; no script can come in that way.
		// The rest of the security headers are set in src/hooks.server.ts.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'worker-src': ['self'],
				'manifest-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
