import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const caretDiff = fileURLToPath(new URL('../src/lib/editor/caret-diff.ts', import.meta.url));

const original = `const { insert, remove, index } = simpleDiff(
    str,
    content.map((c) => c.insert).join('')
  );`;
const patched = `const { insert, remove, index } = __plenaryCaretAwareDiff(
    str,
    content.map((c) => c.insert).join(''),
    ptexts,
    meta
  );`;

/**
 * Patches @tiptap/y-tiptap (3.0.9) at build time: its `updateYText` diffs a paragraph's text around
 * the local caret (`src/lib/editor/caret-diff.ts` says why). The function is internal to the module,
 * so it cannot be replaced from outside. If the code changes upstream the build fails here instead
 * of silently losing the fix; check whether upstream fixed it, then update or drop this patch.
 */
export function patchYTiptap(): Plugin {
	const patchedIds = new Set<string>();
	const target = /[\\/]@tiptap[\\/]y-tiptap[\\/]dist[\\/]y-tiptap\.js$/;
	return {
		name: 'plenary-patch-y-tiptap',
		enforce: 'pre',
		// Served from source in development too, so the patch applies there (not pre-bundled).
		config: () => ({ optimizeDeps: { exclude: ['@tiptap/y-tiptap'] } }),
		transform(code, id) {
			if (!target.test(id.split('?')[0]!)) return null;
			if (!code.includes(original)) throw new Error('@tiptap/y-tiptap changed: updateYText no longer matches the caret-aware diff patch (scripts/vite-patch-y-tiptap.ts)');
			const body = code.replace(original, patched);
			patchedIds.add(id);
			return { code: `import { caretAwareDiff as __plenaryCaretAwareDiff } from ${JSON.stringify(caretDiff)};\n${body}`, map: null };
		},
		buildEnd() {
			// A copy of y-tiptap bundled from a path this plugin did not recognise would be unpatched (the
			// server build leaves it external: the editor only runs in the browser).
			const missed = [...this.getModuleIds()].filter((id) => /node_modules[\\/]@tiptap[\\/]y-tiptap[\\/].*\.m?js$/.test(id) && !patchedIds.has(id));
			if (missed.length) throw new Error(`@tiptap/y-tiptap bundled without the caret-aware diff patch: ${missed.join(', ')}`);
		}
	};
}
