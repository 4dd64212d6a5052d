/**
 * Cross-package: the elements work on a host page with a strict Content Security Policy (`script-src 'self'`,
 * no `'unsafe-inline'` styles) and `require-trusted-types-for 'script'`, with zero violations.
 *
 * A tiny host app is built with Vite, served by the real server on the same origin as the API, and driven in
 * Debian's Chromium. A `securitypolicyviolation` listener (an external 'self' script that runs before the
 * elements load) records every violation in `window.__violations`.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, totpCodeAt } from '@firm-security/server';
import { type RunningServer, startServer } from '@firm-security/server/node';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demo, seedSecretOf } from '../packages/server/test/harness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium.js';

const repoRoot = new URL('..', import.meta.url).pathname;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${CSP}" />
    <title>Firm Security (strict CSP)</title>
    <script src="/violations.js"></script>
    <script type="module" src="./main.js"></script>
  </head>
  <body>
    <firm-security-table></firm-security-table>
  </body>
</html>
`;

// Classic script, so it runs while the document is parsed: before the (deferred) module of the elements.
const VIOLATIONS_JS = `window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push({
    directive: event.effectiveDirective,
    blockedURI: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber,
  });
});
`;

const MAIN_JS = `import '@firm-security/elements/all.js';\n`;

interface Violation {
  directive: string;
  blockedURI: string;
  sample: string;
  source: string;
}

const ROWS = 'firm-security-table tr[part~="row"]';

describe('elements under a strict CSP with Trusted Types', () => {
  let sourceDir: string;
  let outDir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  const violations = () => page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);
  const cspConsoleErrors = () => consoleErrors.filter((text) => /content security policy|trusted ?type/i.test(text));

  beforeAll(async () => {
    // Inside the repository, so '@firm-security/elements' resolves through the root node_modules.
    const cache = join(repoRoot, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    sourceDir = mkdtempSync(join(cache, 'csp-host-'));
    outDir = mkdtempSync(join(tmpdir(), 'firm-csp-dist-'));
    mkdirSync(join(sourceDir, 'public'));
    writeFileSync(join(sourceDir, 'index.html'), INDEX_HTML);
    writeFileSync(join(sourceDir, 'main.js'), MAIN_JS);
    writeFileSync(join(sourceDir, 'public/violations.js'), VIOLATIONS_JS);
    await build({
      root: sourceDir,
      logLevel: 'silent',
      configFile: false,
      // The published dist, as a host's bundler resolves it (npm test builds the packages first).
      resolve: { conditions: ['browser', 'module', 'import', 'default'] },
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        outDir,
        emptyOutDir: true,
        modulePreload: false,
        minify: false,
        rollupOptions: { input: join(sourceDir, 'index.html') },
      },
    });

    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      db: ':memory:',
      seed: 'demo',
      staticDir: outDir,
      scryptCost: { logN: 4, r: 8, p: 1 },
      log: silentLogger,
    });

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    // Sign in through the context's request API, so the page shares its session cookie.
    const started = await context.request.post(`${server.origin}/api/v1/session`, {
      data: { email: demo.primary, password: DEMO_PASSWORD },
    });
    expect(started.status()).toBe(200);
    const { stage, csrfToken } = (await started.json()) as { stage: string; csrfToken: string };
    expect(stage).toBe('two_factor');
    const verified = await context.request.post(`${server.origin}/api/v1/session/two-factor`, {
      headers: { 'x-csrf-token': csrfToken },
      data: { code: await totpCodeAt(seedSecretOf(demo.primary), Date.now()) },
    });
    expect(verified.status()).toBe(200);
    expect(((await verified.json()) as { stage: string }).stage).toBe('complete');

    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (sourceDir) rmSync(sourceDir, { recursive: true, force: true });
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('the built page has no inline script or style to allow', async () => {
    const response = await context.request.get(`${server.origin}/`);
    const html = await response.text();
    expect(html).toContain(`content="${CSP}"`);
    expect(CSP).not.toContain('unsafe-inline');
    // Every script is external ('self'), and nothing is styled inline.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle=/);
  });

  it('renders the table with zero CSP or Trusted Types violations', async () => {
    await page.goto(`${server.origin}/`);
    await expect.poll(() => page.locator(ROWS).count(), { timeout: 10_000 }).toBe(12);
    // The listener is installed, and the elements are defined.
    expect(
      await page.evaluate(() => Array.isArray((window as unknown as { __violations: unknown }).__violations)),
    ).toBe(true);
    expect(await page.evaluate(() => customElements.get('firm-security-table') !== undefined)).toBe(true);
    // The virtualisation spacers got their heights (through the CSSOM: a style attribute would be blocked).
    const spacers = await page
      .locator('firm-security-table tr.spacer td')
      .evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).style.height));
    expect(spacers).toEqual(['0px', '0px']);
    expect(await violations()).toEqual([]);
    expect(cspConsoleErrors()).toEqual([]);
  });

  it('stays clean while searching and opening and closing the disable dialog', async () => {
    const search = page.locator('firm-security-table input[part="search"]');
    await search.fill('sofia');
    await expect.poll(() => page.locator(ROWS).count(), { timeout: 10_000 }).toBe(1);
    await search.fill('');
    await expect.poll(() => page.locator(ROWS).count(), { timeout: 10_000 }).toBe(12);

    const row = page.locator(ROWS).filter({ hasText: demo.userWith2fa });
    await row.getByRole('button', { name: 'Disable 2FA' }).click();
    const dialog = page.locator('firm-disable-2fa-dialog dialog[part="dialog"]');
    await expect.poll(() => dialog.evaluate((d: HTMLDialogElement) => d.open), { timeout: 5_000 }).toBe(true);
    expect(await dialog.textContent()).toContain('Sofia');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.evaluate((d: HTMLDialogElement) => d.open), { timeout: 5_000 }).toBe(false);

    expect(await violations()).toEqual([]);
    expect(cspConsoleErrors()).toEqual([]);
  });

  it('control: the policy is enforced and the listener reports violations', async () => {
    // Trusted Types: a plain string into an HTML sink throws.
    const sink = await page.evaluate(() => {
      const div = document.createElement('div');
      try {
        div.innerHTML = '<b>x</b>';
        return { threw: false, name: '' };
      } catch (error) {
        return { threw: true, name: (error as Error).name, isTypeError: error instanceof TypeError };
      }
    });
    expect(sink).toEqual({ threw: true, name: 'TypeError', isTypeError: true });

    // An inline style attribute is blocked and reported.
    await page.evaluate(() => {
      const div = document.createElement('div');
      document.body.append(div);
      div.setAttribute('style', 'color: red');
    });
    await expect
      .poll(async () => (await violations()).map((v) => v.directive), { timeout: 5_000 })
      .toContain('style-src-attr');

    // Reset after the control, and check nothing else was recorded meanwhile.
    await page.evaluate(() => {
      (window as unknown as { __violations: unknown[] }).__violations.length = 0;
    });
    consoleErrors.length = 0;
    expect(await violations()).toEqual([]);
  });
});
