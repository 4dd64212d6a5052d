// The three products of the bundle benchmark, each as the module a host app would write to ship it.
// Shared by bench/bundle.mjs and scripts/size.mjs so the budget gate measures exactly what the
// benchmark prints. `package` names the installed package whose version the benchmark reports.

/** Ours: the table element and an SDK client pointed at the host's API. */
export const ours = {
  key: 'ours',
  package: '@firm-security/elements',
  label: '<firm-security-table> + @firm-security/sdk',
  entry: [
    "import '@firm-security/elements/define/firm-security-table.js';",
    "import { createFirmSecurityClient } from '@firm-security/sdk';",
    "document.querySelector('firm-security-table').client = createFirmSecurityClient({ baseUrl: '/api/v1' });",
  ].join('\n'),
  notes: [
    'includes the data layer (SDK on ky, TanStack Query cache) and every row action (invite, remind, require switch); the disable dialog is a chunk loaded after the first rows',
  ],
};

/**
 * @vaadin/grid: the grid, plain columns (role, require, action) and sort columns (name and status sort
 * in ours), with the data provider the host must write itself: our table brings its own data layer.
 */
export const vaadinGrid = {
  key: 'vaadinGrid',
  package: '@vaadin/grid',
  label: '<vaadin-grid> + <vaadin-grid-column> + <vaadin-grid-sort-column>',
  entry: [
    "import '@vaadin/grid/vaadin-grid.js';",
    "import '@vaadin/grid/vaadin-grid-column.js';",
    "import '@vaadin/grid/vaadin-grid-sort-column.js';",
    "const grid = document.querySelector('vaadin-grid');",
    'grid.dataProvider = async ({ pageSize }, callback) => {',
    "  const page = await (await fetch('/api/v1/firm/users?limit=' + pageSize, { credentials: 'same-origin' })).json();",
    '  callback(page.items, page.total);',
    '};',
  ].join('\n'),
  notes: [
    "Vaadin 25's built-in base styles only: the Lumo or Aura theme is a separate package, not included",
    'no buttons, switch or dialog (the actions of our table would need @vaadin/button, checkbox, dialog)',
    'no data layer: the data provider above is a bare fetch (no cursor paging, typed errors, retries or CSRF)',
  ],
};

/** @descope/web-component: its main entry, which defines <descope-wc>. */
export const descope = {
  key: 'descope',
  package: '@descope/web-component',
  label: '<descope-wc>',
  entry: "import '@descope/web-component';",
  notes: [
    'loads at runtime, outside this bundle: its UI component library, @descope/web-components-ui (UMD build, version from the project config), from descopecdn.com, static.descope.com or cdn.jsdelivr.net',
    "fetches at runtime: the project's config.json, theme JSON and each flow screen (HTML) from static.descope.com/pages/<project>",
    'when configured: the FingerprintJS Pro agent, oidc-client-ts (from a CDN) and Google One Tap (accounts.google.com/gsi/client)',
    'the lazy chunks are its debugger element, loaded only in debug mode',
  ],
};

export const products = [ours, vaadinGrid, descope];
