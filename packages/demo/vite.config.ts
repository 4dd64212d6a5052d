import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const pages = ['index', 'sign-in', 'setup', 'settings', 'mailbox'];

// A plain multi-page app served by the reference server (`--static packages/demo/dist`). Every page runs
// under a strict CSP: external module scripts only (no module-preload polyfill), stylesheets as files.
export default defineConfig({
  root,
  base: './',
  // Workspace packages resolve to their published dist, as in a host app: the end-to-end tests run what we
  // ship (minified templates included). `pnpm run build` builds them first (topological order).
  resolve: { conditions: ['browser', 'module', 'import', 'default'] },
  // @tanstack/query-core reads process.env.NODE_ENV unguarded.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: false,
    // Keep every asset a file: a data: URL would be blocked by img-src/style-src 'self'.
    assetsInlineLimit: 0,
    rollupOptions: { input: Object.fromEntries(pages.map((page) => [page, resolve(root, `${page}.html`)])) },
  },
});
