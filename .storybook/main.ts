import type { StorybookConfig } from '@storybook/web-components-vite';

// Never phone home, whichever way Storybook is started (CLI, or Vitest through addon-vitest).
process.env.STORYBOOK_DISABLE_TELEMETRY = '1';

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest'],
  core: { disableTelemetry: true },
  async viteFinal(viteConfig) {
    return {
      ...viteConfig,
      resolve: {
        ...viteConfig.resolve,
        // Workspace packages resolve to their TypeScript sources (the `source` export condition).
        conditions: ['source', 'browser', 'module', 'import', 'default'],
      },
      define: {
        ...viteConfig.define,
        // @tanstack/query-core reads process.env.NODE_ENV unguarded.
        'process.env.NODE_ENV': JSON.stringify(process.env.NODE_ENV === 'production' ? 'production' : 'development'),
      },
    };
  },
};

export default config;
