import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/support/chromium.js';

// Workspace packages resolve to their TypeScript sources through the `source` export condition,
// so tests and type-checks never need a build first.
const conditions = ['source', 'module', 'browser', 'import', 'default'];
const nodeConditions = ['source', 'module', 'node', 'import', 'default'];

// Storybook (through addon-vitest) never sends telemetry.
process.env.STORYBOOK_DISABLE_TELEMETRY = '1';

/** Headless Debian Chromium through Playwright: a fresh block per project (they must not share one). */
const chromium = () => ({
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
  instances: [{ browser: 'chromium' as const }],
});

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: nodeConditions, externalConditions: ['source'] } },
  // @tanstack/query-core reads process.env.NODE_ENV unguarded.
  define: { 'process.env.NODE_ENV': JSON.stringify('development') },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['packages/elements/test/**', 'packages/mock/test/**', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Compiles examples/svelte's .svelte components.
        plugins: [svelte({ configFile: false })],
        // Vue's compile-time feature flags (what @vitejs/plugin-vue defines), for examples/vue.
        define: {
          __VUE_OPTIONS_API__: 'true',
          __VUE_PROD_DEVTOOLS__: 'false',
          __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
        },
        test: {
          name: 'browser',
          include: [
            'packages/elements/test/**/*.test.ts',
            'packages/mock/test/**/*.test.ts',
            'examples/**/*.test.{ts,tsx}',
          ],
          // The JSX transform adds react/jsx-dev-runtime after Vite's dependency scan: pre-bundle it up
          // front so Vite does not reload the page mid-run.
          deps: { optimizer: { client: { include: ['@firm-security/react > react/jsx-dev-runtime'] } } },
          testTimeout: 30_000,
          browser: chromium(),
        },
      },
      {
        // Every story in stories/ as a test (render, play function, a11y check) in Chromium.
        extends: true,
        plugins: [storybookTest({ configDir: '.storybook' })],
        test: {
          name: 'storybook',
          // After the node and browser projects, not beside them: two Chromium pages at once on a small
          // machine steal focus from each other's dialog and keyboard tests.
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          browser: chromium(),
        },
      },
    ],
  },
});
