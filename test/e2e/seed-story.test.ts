/**
 * End to end: the story of the demo seed, through the demo host app's pages, against the BUILT server
 * CLI (a child process on 127.0.0.1, SQLite in a temp file, the dev mailbox on, a 1 s reminder cooldown),
 * in Debian's Chromium. Every step is what a person does: fill the forms, type the codes of an
 * authenticator app (computed from the seeded secrets, or from the setup key the page shows), click.
 *
 * The tests share one server and run in order: each continues the story where the one before left it.
 * The run also takes the screenshots of the docs: into docs/screenshots/ with SAVE_SCREENSHOTS=1
 * (`pnpm screenshots`), otherwise into the run's temp folder, so a test run leaves the tree clean.
 *
 * Replay protection: each user signs in with a TOTP code once (later steps reuse their browser
 * context), so no code is ever offered twice.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { totpCodeAt } from '@firm-security/server';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demoSeed from '../../packages/server/seeds/demo.json' with { type: 'json' };
import { assertCliBuilt, type Cli, killAllClis, startCli, stopCli } from '../../packages/server/test/cli-process.js';
import { DEMO_PASSWORD, demo } from '../../packages/server/test/demo-people.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
const demoDist = join(repoRoot, 'packages/demo/dist');
const screenshots = process.env.SAVE_SCREENSHOTS
  ? join(repoRoot, 'docs/screenshots')
  : join(tmpdir(), `firm-security-screenshots-${process.pid}`);

const WAIT = { timeout: 10_000 };
const ROWS = 'firm-security-table tr[part~="row"]';

const secretOf = (email: string): string => {
  const user = demoSeed.users.find((u) => u.email === email);
  if (user?.twoFactor.status !== 'enabled' || !('totpSecret' in user.twoFactor)) {
    throw new Error(`${email} has no seeded secret`);
  }
  return user.twoFactor.totpSecret as string;
};

/** A message of the dev mailbox, as mailbox.html shows it. */
interface Mail {
  subject: string;
  to: string;
  kind: string;
  body: string;
}

describe('the seed story, end to end (built CLI, demo pages, Chromium)', () => {
  let tempDir: string;
  let cli: Cli;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Morgan Hartwell (primary subscriber) and Priya Natarajan (administrator), signed in once each. */
  let morgan: Page;
  let priya: Page;
  let sofia: Page;

  const url = (path: string) => `${cli.origin}/${path}`;

  const newPage = async (viewport = { width: 1280, height: 900 }) => {
    const context = await browser.newContext({ viewport, colorScheme: 'light', locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  };

  /** The password step of sign-in.html; the page then goes where the session's stage leads. */
  const enterPassword = async (page: Page, email: string) => {
    await page.goto(url('sign-in.html'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  /** Signs in with the password and the current code of the user's seeded secret; ends on settings.html. */
  const signInWithTotp = async (email: string) => {
    const page = await newPage();
    await enterPassword(page, email);
    const code = page.getByLabel('Authentication code');
    await code.waitFor({ state: 'visible' });
    await code.fill(await totpCodeAt(secretOf(email), Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/settings.html');
    return page;
  };

  const row = (page: Page, name: string): Locator => page.locator(ROWS).filter({ hasText: name });

  const waitForTable = async (page: Page) => {
    await expect.poll(() => page.locator(ROWS).count(), WAIT).toBe(12);
  };

  /** The dev mailbox as mailbox.html shows it (reloaded), newest first. */
  const readMailbox = async (page: Page): Promise<Mail[]> => {
    await page.goto(url('mailbox.html'));
    await page
      .locator('#status')
      .filter({ hasText: /newest first|No messages/ })
      .waitFor();
    return page.locator('#messages > li').evaluateAll((items) =>
      items.map((item) => ({
        subject: item.querySelector('.mail__subject')?.textContent ?? '',
        kind: item.querySelector('.badge')?.textContent ?? '',
        to: item.querySelector('.mail__meta dd')?.textContent ?? '',
        body: item.querySelector('.mail__body')?.textContent ?? '',
      })),
    );
  };

  /** The setup page: reads the key shown, types its current code, and returns the backup codes shown. */
  const activateOnSetupPage = async (page: Page): Promise<string[]> => {
    await page.waitForURL('**/setup.html');
    const secretText = page.locator('#secret');
    await expect.poll(() => secretText.textContent(), WAIT).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const secret = ((await secretText.textContent()) ?? '').replace(/\s+/g, '');
    expect(secret.length).toBeGreaterThanOrEqual(16);
    // The QR code was drawn on the canvas (a dark module in the top-left finder pattern, past the quiet zone).
    const qr = page.getByRole('img', { name: /QR code for your authenticator app/ });
    expect(await qr.isVisible()).toBe(true);
    const finder = await qr.evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')?.getImageData(4, 4, 1, 1).data;
      return data ? [data[0], data[3]] : [];
    });
    expect(finder).toEqual([0, 255]);

    await page.getByLabel('6-digit code').fill(await totpCodeAt(secret, Date.now()));
    await page.getByRole('button', { name: 'Turn on 2FA' }).click();
    const codes = page.locator('#backup-codes li');
    await expect.poll(() => codes.count(), WAIT).toBe(10);
    expect(await page.locator('#setup-intro').textContent()).toBe(
      'Two-factor authentication is now on for your account.',
    );
    return (await codes.allTextContents()).map((code) => code.trim());
  };

  /** Disables a user's 2FA through the table's dialog, ticking the checkbox; returns the dialog. */
  const disableThroughDialog = async (page: Page, name: string, screenshot?: string) => {
    await row(page, name).getByRole('button', { name: 'Disable 2FA' }).click();
    const dialog = page.locator('firm-disable-2fa-dialog dialog[part="dialog"]');
    await expect.poll(() => dialog.evaluate((d: HTMLDialogElement) => d.open), WAIT).toBe(true);
    expect(await dialog.locator('[part="warning"]').textContent()).toContain(
      `${name} will be able to sign in with their password alone`,
    );
    const submit = dialog.locator('button[part="submit"]');
    // The submit stays disabled until the confirmation is ticked.
    expect(await submit.isDisabled()).toBe(true);
    await dialog.getByRole('checkbox', { name: `I confirm I want to disable 2FA for ${name}` }).check();
    await expect.poll(() => submit.isEnabled(), WAIT).toBe(true);
    if (screenshot) await page.screenshot({ path: join(screenshots, screenshot), animations: 'disabled' });
    await submit.click();
    await expect.poll(() => dialog.evaluate((d: HTMLDialogElement) => d.open), WAIT).toBe(false);
  };

  beforeAll(async () => {
    if (!existsSync(join(demoDist, 'index.html'))) {
      throw new Error(
        `${demoDist}/index.html is missing: the end-to-end tests serve the BUILT demo app. Build first: pnpm run build`,
      );
    }
    assertCliBuilt();
    mkdirSync(screenshots, { recursive: true });
    tempDir = mkdtempSync(join(tmpdir(), 'firm-e2e-'));
    cli = await startCli([
      '--db',
      join(tempDir, 'e2e.db'),
      '--seed',
      'demo',
      '--static',
      demoDist,
      '--dev-mailbox',
      '--reminder-cooldown',
      '1',
    ]);
    expect(new URL(cli.origin).hostname).toBe('127.0.0.1');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (cli && cli.proc.exitCode === null) await stopCli(cli);
    await killAllClis();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    if (!process.env.SAVE_SCREENSHOTS) rmSync(screenshots, { recursive: true, force: true });
  });

  it('an administrator (the primary subscriber) signs in with a TOTP code and sees the table', async () => {
    morgan = await signInWithTotp(demo.primary);
    await waitForTable(morgan);
    expect(await morgan.locator('#own-2fa-text').textContent()).toMatch(/^Two-factor authentication is on/);
    expect(await morgan.locator('firm-security-table caption').textContent()).toContain(
      'Firm Security: two-factor authentication (2FA) of active users',
    );
    expect(await morgan.locator('firm-security-table [part="summary"]').textContent()).toBe(
      '12 users · 4 enabled · 1 invited · 7 not enabled',
    );
    expect(await row(morgan, 'Morgan Hartwell').textContent()).toContain('Primary subscriber');
  });

  it('saves the light, dark and fr-CA screenshots of the settings page for the docs', async () => {
    const themeLoaded = (theme: 'light' | 'dark') =>
      morgan.evaluate((name) => {
        const link = document.getElementById('firm-theme') as HTMLLinkElement | null;
        return document.documentElement.dataset.theme === name && !!link?.sheet && link.href.includes(`/${name}-`);
      }, theme);
    const shoot = async (file: string) => {
      await morgan.evaluate(() => document.fonts.ready.then(() => undefined));
      await morgan.screenshot({ path: join(screenshots, file), animations: 'disabled' });
    };

    await morgan.locator('#prefs').getByText('Light', { exact: true }).click();
    await expect.poll(() => themeLoaded('light'), WAIT).toBe(true);
    await shoot('firm-security-light.png');

    await morgan.locator('#prefs').getByText('Dark', { exact: true }).click();
    await expect.poll(() => themeLoaded('dark'), WAIT).toBe(true);
    const background = () => morgan.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).not.toBe('rgb(255, 255, 255)');
    await shoot('firm-security-dark.png');

    await morgan.locator('#prefs').getByText('Light', { exact: true }).click();
    await expect.poll(() => themeLoaded('light'), WAIT).toBe(true);
    await morgan.getByLabel('Language').selectOption('fr-CA');
    await expect
      .poll(() => morgan.locator('firm-security-table caption').textContent(), WAIT)
      .toContain('Sécurité du cabinet : authentification à deux facteurs (2FA) des utilisateurs actifs');
    expect(await morgan.locator('h1').textContent()).toBe('Sécurité du cabinet');
    expect(await morgan.evaluate(() => document.documentElement.lang)).toBe('fr-CA');
    await shoot('firm-security-fr-CA.png');

    // Back to English for the rest of the story.
    await morgan.getByLabel('Langue').selectOption('en');
    await expect
      .poll(() => morgan.locator('firm-security-table caption').textContent(), WAIT)
      .toContain('Firm Security: two-factor authentication');
  });

  it('invites a user from the table (the email is in the mailbox), then sends a reminder', async () => {
    const oliver = row(morgan, 'Oliver Bennett');
    await oliver.getByRole('button', { name: 'Invite to enable 2FA' }).click();
    const remind = oliver.getByRole('button', { name: 'Send reminder' });
    await remind.waitFor();
    expect(await oliver.locator('[part~="badge"]').getAttribute('data-status')).toBe('invited');

    const mailbox = await newPage();
    let mails = await readMailbox(mailbox);
    const invitation = mails.find((mail) => mail.to === demo.plain);
    expect(invitation).toMatchObject({
      kind: 'Invitation',
      subject: 'Morgan Hartwell invited you to turn on two-factor authentication',
    });
    expect(invitation?.body).toContain('Hello Oliver Bennett,');
    expect(invitation?.body).toContain(`1. Sign in at ${cli.origin}`);
    expect(invitation?.body).toContain('Scan the QR code with an authenticator app');
    expect(invitation?.body).toContain('Save your backup codes');

    // The 1 s cooldown: the button is disabled with its reason, then enabled again by itself.
    await expect.poll(() => remind.getAttribute('aria-disabled'), WAIT).toBeNull();
    await remind.click();
    await expect.poll(() => oliver.locator('.detail').textContent(), WAIT).toMatch(/· 1 reminder$/);

    mails = await readMailbox(mailbox);
    const toOliver = mails.filter((mail) => mail.to === demo.plain);
    expect(toOliver.map((mail) => mail.kind)).toEqual(['Reminder', 'Invitation']);
    expect(toOliver[0]?.subject).toBe('Reminder: turn on two-factor authentication');
    expect(toOliver[0]?.body).toContain('Morgan Hartwell at Hartwell & Reyes LLP is reminding you');
  });

  it('requires 2FA for a user, who is forced through setup at their next sign-in', async () => {
    const amaraRow = row(morgan, 'Amara Nwosu');
    const toggle = amaraRow.getByRole('switch', { name: 'Require 2FA for Amara Nwosu' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await expect
      .poll(() => morgan.locator('firm-security-table [aria-live="polite"]').textContent(), WAIT)
      .toBe('Amara Nwosu must set up 2FA at their next sign-in.');

    // Amara, in a browser of her own: the password, then setup (no way around it).
    const amara = await newPage();
    await enterPassword(amara, demo.plain2);
    await amara.waitForURL('**/setup.html');
    await amara.locator('#setup-intro').filter({ hasText: 'Your firm requires two-factor authentication' }).waitFor();
    await expect.poll(() => amara.locator('#secret').textContent(), WAIT).not.toBe('');
    await amara.screenshot({ path: join(screenshots, 'setup.png'), animations: 'disabled' });
    // The settings page sends her back to setup until she is done.
    await amara.goto(url('settings.html'));
    const codes = await activateOnSetupPage(amara);
    expect(new Set(codes).size).toBe(10);

    // Done: the stage is complete, and the administrator's table shows her as enabled.
    await amara.getByRole('link', { name: 'Continue' }).click();
    await amara.waitForURL('**/settings.html');
    await amara.locator('#own-2fa-text').filter({ hasText: 'Two-factor authentication is on' }).waitFor();
    await morgan.reload();
    await waitForTable(morgan);
    expect(await row(morgan, 'Amara Nwosu').locator('[part~="badge"]').getAttribute('data-status')).toBe('enabled');
  });

  it('shows N/A, with its explanation, for the user not yet migrated', async () => {
    const hana = row(morgan, 'Hana Sato');
    expect(await hana.getByRole('switch').count()).toBe(0);
    const na = hana.getByRole('button', { name: 'N/A' });
    // The tooltip is hidden (display: none) until hover or focus, so it is found by its role attribute.
    const tip = hana.locator('[role="tooltip"]');
    expect(await tip.isVisible()).toBe(false);
    expect(await tip.textContent()).toBe(
      'Not yet migrated to the identity service that supports requiring 2FA. Try again the next day.',
    );
    expect(await na.getAttribute('aria-describedby')).toBe(await tip.getAttribute('id'));
    await na.hover();
    await expect.poll(() => tip.isVisible(), WAIT).toBe(true);
  });

  it("an administrator cannot disable the primary subscriber's 2FA", async () => {
    priya = await signInWithTotp(demo.adminWith2fa);
    await waitForTable(priya);
    const morganRow = row(priya, 'Morgan Hartwell');
    const button = morganRow.getByRole('button', { name: 'Disable 2FA' });
    expect(await button.getAttribute('aria-disabled')).toBe('true');
    expect(await morganRow.locator('.reason').textContent()).toBe(
      "The primary subscriber's 2FA cannot be disabled here; they need to contact support.",
    );
    // Clicking anyway (Playwright waits for an enabled button, so force it) opens no dialog.
    await button.click({ force: true });
    const dialog = priya.locator('firm-disable-2fa-dialog dialog[part="dialog"]');
    expect(await dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
  });

  it("an administrator without 2FA cannot disable anyone's", async () => {
    const daniel = await newPage();
    await enterPassword(daniel, demo.adminWithout2fa);
    await daniel.waitForURL('**/settings.html');
    await waitForTable(daniel);
    const buttons = daniel.locator(ROWS).getByRole('button', { name: 'Disable 2FA' });
    // Morgan, Priya, Sofia, Liam and (now) Amara have 2FA on: every button is disabled.
    expect(await buttons.count()).toBe(5);
    expect(new Set(await buttons.evaluateAll((all) => all.map((b) => b.getAttribute('aria-disabled'))))).toEqual(
      new Set(['true']),
    );
    for (const name of ['Priya Natarajan', 'Sofia Alvarez', 'Liam Chen', 'Amara Nwosu']) {
      expect(await row(daniel, name).locator('.reason').textContent()).toBe('Turn on 2FA for your own account first.');
    }
  });

  it("an administrator disables a locked-out user's 2FA through the dialog; the user is told by email", async () => {
    await disableThroughDialog(priya, 'Sofia Alvarez', 'disable-dialog.png');
    const sofiaRow = row(priya, 'Sofia Alvarez');
    await expect.poll(() => sofiaRow.locator('[part~="badge"]').getAttribute('data-status'), WAIT).toBe('not_enabled');
    expect(await sofiaRow.getByText('Not enabled', { exact: true }).isVisible()).toBe(true);
    expect(await sofiaRow.getByRole('button', { name: 'Disable 2FA' }).count()).toBe(0);
    expect(await sofiaRow.getByRole('button', { name: 'Invite to enable 2FA' }).count()).toBe(1);

    const mails = await readMailbox(await newPage());
    const notice = mails.find((mail) => mail.to === demo.userWith2fa);
    expect(notice).toMatchObject({
      kind: '2FA disabled',
      subject: 'Two-factor authentication was disabled on your account',
    });
    expect(notice?.body).toContain('Priya Natarajan, an administrator at Hartwell & Reyes LLP, disabled');
    expect(notice?.body).toContain('Your old backup codes no longer work');
  });

  it('the user signs in with the password alone, turns 2FA on again, and gets a new set of backup codes', async () => {
    const turnOn = async () => {
      sofia = await newPage();
      await enterPassword(sofia, demo.userWith2fa);
      // No code asked: straight to the settings page, which offers setup.
      await sofia.waitForURL('**/settings.html');
      await sofia.locator('#own-2fa-text').filter({ hasText: 'Two-factor authentication is off' }).waitFor();
      await sofia.getByRole('link', { name: 'Set up 2FA for your account' }).click();
      return activateOnSetupPage(sofia);
    };

    const first = await turnOn();
    // Locked out again: the administrator disables 2FA once more (the table reloaded to see her as enabled).
    await priya.reload();
    await waitForTable(priya);
    await disableThroughDialog(priya, 'Sofia Alvarez');
    const second = await turnOn();

    expect(new Set(first).size).toBe(10);
    expect(new Set(second).size).toBe(10);
    expect(second.filter((code) => first.includes(code))).toEqual([]);

    // An old backup code no longer works; a new one does.
    await sofia.goto(url('settings.html'));
    await sofia.getByRole('button', { name: 'Sign out' }).click();
    await sofia.waitForURL('**/sign-in.html');
    await enterPassword(sofia, demo.userWith2fa);
    await sofia.getByRole('button', { name: 'Use a backup code' }).click();
    const backup = sofia.getByLabel('Backup code');
    await backup.fill(first[0] as string);
    await sofia.getByRole('button', { name: 'Verify' }).click();
    await sofia.locator('#message').filter({ hasText: 'That backup code is not right.' }).waitFor();
    await backup.fill(second[0] as string);
    await sofia.getByRole('button', { name: 'Verify' }).click();
    await sofia.waitForURL('**/settings.html');
    await sofia.locator('#own-2fa-text').filter({ hasText: 'Two-factor authentication is on' }).waitFor();
  });

  it('a non-administrator sees no table', async () => {
    const liam = await signInWithTotp(demo.otherUserWith2fa);
    await liam.getByText('Firm Security is not available to you').waitFor();
    expect(await liam.locator('firm-security-table [part="state"]').textContent()).toContain(
      'Only users with administrator permissions and the primary subscriber can see the 2FA status',
    );
    expect(await liam.locator(ROWS).count()).toBe(0);
  });
});
