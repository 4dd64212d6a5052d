import type { FirmUser } from '@firm-security/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../src/define/firm-disable-2fa-dialog.js';
import '../src/define/firm-security-provider.js';
import type { FirmDisable2faDialog } from '../src/components/disable-dialog/disable-2fa-dialog.js';
import type { FirmErrorEvent, FirmTwoFactorDisableEvent } from '../src/events.js';
import { en } from '../src/i18n/en.js';
import { deepActive, expectAxeClean, faults, mount, part, XSS_NAME, xssSeed } from './helpers.js';
import { createPageServer, demo, type PageServer, until } from './page-server.js';

const dialog = (el: FirmDisable2faDialog) => part<HTMLDialogElement>(el, 'dialog') as HTMLDialogElement;
const checkbox = (el: FirmDisable2faDialog) => part(el, 'confirm')?.querySelector('input') as HTMLInputElement;
const submit = (el: FirmDisable2faDialog) => part<HTMLButtonElement>(el, 'submit') as HTMLButtonElement;
const errorText = (el: FirmDisable2faDialog) => part(el, 'error')?.textContent?.trim();
const userOf = (page: PageServer, email: string) => page.client.users.get(page.ids[email] as string);
const enabled = (page: PageServer, email: string) => page.store.findUserByEmail(email)?.totpSecret != null;

/** A button outside the dialog that has focus when the dialog opens. */
const opener = () => {
  const button = document.createElement('button');
  button.textContent = 'Open';
  document.body.append(button);
  button.focus();
  return button;
};

const confirmAndSubmit = async (el: FirmDisable2faDialog) => {
  checkbox(el).click();
  await el.updateComplete;
  submit(el).click();
};

afterEach(() => {
  document.body.replaceChildren();
});

describe('<firm-disable-2fa-dialog>', () => {
  it('is closed until show(); opens modal with the warning, focus on the confirmation, submit disabled', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    expect(dialog(el).open).toBe(false);
    opener();
    void el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    expect(dialog(el).matches(':modal')).toBe(true);
    expect(part(el, 'title')?.textContent?.trim()).toBe(en.dialogTitle);
    expect(part(el, 'warning')?.textContent?.trim()).toBe(en.dialogWarning('Sofia Alvarez'));
    expect(el.shadowRoot?.textContent).toContain(en.dialogBackupTip);
    expect(part(el, 'confirm')?.textContent?.trim()).toBe(en.dialogConfirm('Sofia Alvarez'));
    expect(checkbox(el).checked).toBe(false);
    expect(submit(el).disabled).toBe(true);
    expect(submit(el).textContent?.trim()).toBe(en.dialogSubmit);
    expect(part(el, 'cancel')?.textContent?.trim()).toBe(en.dialogCancel);
    expect(deepActive()).toBe(checkbox(el));
    await expectAxeClean(el);
  });

  it('by keyboard: Space ticks the confirmation, Tab reaches Disable 2FA, Enter disables; focus returns', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const button = opener();
    const events: FirmTwoFactorDisableEvent[] = [];
    document.addEventListener('firm-two-factor-disable', (event) => events.push(event), { once: true });
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => deepActive() === checkbox(el));
    await userEvent.keyboard(' ');
    await el.updateComplete;
    expect(submit(el).disabled).toBe(false);
    await userEvent.keyboard('{Tab}');
    expect(deepActive()).toBe(part(el, 'cancel'));
    await userEvent.keyboard('{Tab}');
    expect(deepActive()).toBe(submit(el));
    await userEvent.keyboard('{Enter}');
    expect(await outcome).toBe('disabled');
    expect(events[0]?.user.twoFactor.status).toBe('not_enabled');
    expect(enabled(page, demo.userWith2fa)).toBe(false);
    expect(dialog(el).open).toBe(false);
    expect(document.activeElement).toBe(button);
    expect(el.shadowRoot?.querySelector('[role=status]')?.textContent?.trim()).toBe(en.disabled('Sofia Alvarez'));
  });

  it('keeps the submit button disabled until the confirmation is ticked', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    void el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    fault.requests.length = 0;
    submit(el).click();
    el.shadowRoot?.querySelector('form')?.requestSubmit();
    await el.updateComplete;
    expect(fault.requests).toEqual([]);
    checkbox(el).click();
    await el.updateComplete;
    expect(submit(el).disabled).toBe(false);
    checkbox(el).click();
    await el.updateComplete;
    expect(submit(el).disabled).toBe(true);
  });

  it('cancels with Escape, restoring focus into the shadow root it came from', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    // The opener lives in another element's shadow root (as the table's buttons do).
    const host = document.createElement('div');
    document.body.append(host);
    const inner = document.createElement('button');
    inner.textContent = 'Disable 2FA';
    host.attachShadow({ mode: 'open' }).append(inner);
    inner.focus();
    fault.requests.length = 0;
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => deepActive() === checkbox(el));
    await userEvent.keyboard('{Escape}');
    expect(await outcome).toBe('cancelled');
    expect(dialog(el).open).toBe(false);
    expect(deepActive()).toBe(inner);
    expect(fault.requests.filter((request) => request.startsWith('POST'))).toEqual([]);
    expect(enabled(page, demo.userWith2fa)).toBe(true);
  });

  it('cancels with the Cancel button', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const button = opener();
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    part(el, 'cancel')?.click();
    expect(await outcome).toBe('cancelled');
    expect(document.activeElement).toBe(button);
  });

  it('traps focus while open (modal): Tab never reaches the page behind', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const button = opener();
    void el.show(await userOf(page, demo.userWith2fa));
    await until(() => deepActive() === checkbox(el));
    checkbox(el).click();
    for (let i = 0; i < 6; i++) {
      await userEvent.keyboard('{Tab}');
      expect(deepActive()).not.toBe(button);
      if (el.shadowRoot?.activeElement) expect(dialog(el).contains(el.shadowRoot.activeElement)).toBe(true);
    }
    expect(button.matches(':focus')).toBe(false);
  });

  it("shows the server's refusal for the primary subscriber and stays open", async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const primary = await userOf(page, demo.primary);
    expect(primary.allowedActions.disableTwoFactor).toMatchObject({ reason: 'primary_subscriber_protected' });
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    const outcome = el.show(primary);
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);
    await until(() => errors.length === 1);
    expect((errors[0]?.error as { code?: string } | undefined)?.code).toBe('primary_subscriber_protected');
    await el.updateComplete;
    expect(part(el, 'error')?.getAttribute('role')).toBe('alert');
    expect(errorText(el)).toBe(en.reason_primary_subscriber_protected);
    expect(dialog(el).open).toBe(true);
    expect(enabled(page, demo.primary)).toBe(true);
    await expectAxeClean(el);
    el.hide();
    expect(await outcome).toBe('cancelled');
  });

  it('tells an administrator without 2FA to turn theirs on first', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWithout2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    void el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);
    await until(() => errorText(el));
    expect(errorText(el)).toBe(en.reason_viewer_two_factor_required);
    expect(dialog(el).open).toBe(true);
    expect(enabled(page, demo.userWith2fa)).toBe(true);
  });

  it('asks for a step-up code when the last verification is old, then disables', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    page.clock.advance(16 * 60_000);
    const el = await mount('firm-disable-2fa-dialog', page);
    const button = opener();
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);

    await until(() => part(el, 'code-input'));
    const input = part<HTMLInputElement>(el, 'code-input') as HTMLInputElement;
    expect(errors).toEqual([]);
    expect(part(el, 'title')?.textContent?.trim()).toBe(en.stepUpTitle);
    expect(el.shadowRoot?.textContent).toContain(en.stepUpPrompt);
    expect(input.labels?.[0]?.textContent?.trim()).toBe(en.stepUpLabel);
    expect(input.inputMode).toBe('numeric');
    expect(input.autocomplete).toBe('one-time-code');
    expect(input.pattern).toBe('\\d{6}');
    expect(input.required).toBe(true);
    expect(submit(el).textContent?.trim()).toBe(en.stepUpSubmit);
    await until(() => deepActive() === input);
    await expectAxeClean(el);

    // A wrong code: the error is shown, the dialog stays open in the step-up view.
    await userEvent.keyboard('000000{Enter}');
    await until(() => errorText(el));
    expect(errorText(el)).toBe(en.reason_invalid_code);
    expect((errors[0]?.error as { code?: string } | undefined)?.code).toBe('invalid_code');
    expect(dialog(el).open).toBe(true);
    expect(part(el, 'code-input')).toBe(input);
    expect(enabled(page, demo.userWith2fa)).toBe(true);
    await expectAxeClean(el);

    await userEvent.fill(input, await page.codeFor(demo.adminWith2fa));
    await userEvent.keyboard('{Enter}');
    expect(await outcome).toBe('disabled');
    expect(enabled(page, demo.userWith2fa)).toBe(false);
    expect(document.activeElement).toBe(button);
  });

  it('after a verified step-up code, a failed disable is retried without asking for a code again', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    page.clock.advance(16 * 60_000);
    const el = await mount('firm-disable-2fa-dialog', page);
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);
    await until(() => part(el, 'code-input'));
    let steppedUp = false;
    fault.offline((request) => {
      if (request.url.endsWith('/session/step-up')) steppedUp = true;
      return steppedUp && request.url.endsWith('/two-factor/disable');
    });
    await userEvent.fill(part(el, 'code-input') as HTMLInputElement, await page.codeFor(demo.adminWith2fa));
    submit(el).click();
    await until(() => errorText(el) === en.networkError);
    expect(part(el, 'code-input')).toBeNull();
    expect(part(el, 'title')?.textContent?.trim()).toBe(en.dialogTitle);
    expect(deepActive()).toBe(submit(el));
    fault.offline(undefined);
    fault.requests.length = 0;
    await userEvent.keyboard('{Enter}');
    expect(await outcome).toBe('disabled');
    expect(fault.requests.filter((request) => request.includes('step-up'))).toEqual([]);
  });

  it('shows 429 after too many wrong step-up codes', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    page.clock.advance(16 * 60_000);
    const el = await mount('firm-disable-2fa-dialog', page);
    void el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);
    await until(() => part(el, 'code-input'));
    const input = part<HTMLInputElement>(el, 'code-input') as HTMLInputElement;
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    for (let attempt = 1; attempt <= 6; attempt++) {
      input.value = '000000';
      submit(el).click();
      await until(() => errors.length === attempt);
    }
    expect(errors.slice(0, 5).map((event) => (event.error as { code?: string }).code)).toEqual(
      Array(5).fill('invalid_code'),
    );
    const limited = errors[5]?.error as { code?: string; retryAfter?: number };
    expect(limited.code).toBe('rate_limited');
    await el.updateComplete;
    expect(errorText(el)).toBe(
      // The lockout (15 minutes) in the page's words.
      en.rateLimited(
        new Intl.RelativeTimeFormat(navigator.language).format(Math.ceil((limited.retryAfter ?? 0) / 60), 'minute'),
      ),
    );
    expect(dialog(el).open).toBe(true);
  });

  it('shows a network failure inside the dialog and can retry', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    fault.offline((request) => request.url.endsWith('/two-factor/disable'));
    await confirmAndSubmit(el);
    await until(() => errorText(el));
    expect(errorText(el)).toBe(en.networkError);
    expect(dialog(el).open).toBe(true);
    expect(enabled(page, demo.userWith2fa)).toBe(true);
    fault.offline(undefined);
    submit(el).click();
    expect(await outcome).toBe('disabled');
  });

  it('shows "Disabling…" and ignores Escape while the request runs', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const outcome = el.show(await userOf(page, demo.userWith2fa));
    await until(() => dialog(el).open);
    fault.hold((request) => request.url.endsWith('/two-factor/disable'));
    await confirmAndSubmit(el);
    await until(() => submit(el).textContent?.trim() === en.dialogBusy);
    expect(submit(el).getAttribute('aria-disabled')).toBe('true');
    await expectAxeClean(el);
    await userEvent.keyboard('{Escape}');
    expect(dialog(el).open).toBe(true);
    fault.release();
    expect(await outcome).toBe('disabled');
  });

  it('works inside <firm-security-provider> and with a user from a 412-conflicting version', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const provider = document.createElement('firm-security-provider');
    provider.client = page.client;
    provider.queryClient = page.queryClient;
    const el = document.createElement('firm-disable-2fa-dialog');
    provider.append(el);
    document.body.append(provider);
    const stale: FirmUser = await userOf(page, demo.userWith2fa);
    const record = page.store.getUser(stale.id);
    if (!record) throw new Error('no user');
    page.store.updateUser({ ...record, version: record.version + 1 });
    const outcome = el.show(stale);
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);
    await until(() => errorText(el));
    expect(errorText(el)).toBe(en.conflictReloaded);
    expect(enabled(page, demo.userWith2fa)).toBe(true);
    // The dialog now holds the user as it is, and asks for the confirmation again before a retry.
    await until(() => el.user?.version === stale.version + 1);
    expect(checkbox(el).checked).toBe(false);
    expect(deepActive()).toBe(checkbox(el));
    expect(submit(el).disabled).toBe(true);
    await confirmAndSubmit(el);
    expect(await outcome).toBe('disabled');
    expect(enabled(page, demo.userWith2fa)).toBe(false);
  });

  it('after a 412 for a user whose 2FA someone else turned off, says so and offers no retry', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    const stale = await userOf(page, demo.userWith2fa);
    await page.client.users.disableTwoFactor(stale.id, { confirm: true });
    void el.show(stale);
    await until(() => dialog(el).open);
    await confirmAndSubmit(el);
    await until(() => errorText(el) === en.reason_two_factor_not_enabled);
    checkbox(el).click();
    await el.updateComplete;
    expect(submit(el).disabled).toBe(true);
    expect(dialog(el).open).toBe(true);
  });

  it('renders a name with markup as text', async () => {
    const page = await createPageServer({ seed: xssSeed() });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-disable-2fa-dialog', page);
    void el.show(await page.client.users.get(page.ids['xss@hartwell-reyes.test'] as string));
    await until(() => dialog(el).open);
    expect(part(el, 'warning')?.textContent?.trim()).toBe(en.dialogWarning(XSS_NAME));
    expect(part(el, 'confirm')?.textContent?.trim()).toBe(en.dialogConfirm(XSS_NAME));
    expect(el.shadowRoot?.querySelector('img')).toBeNull();
  });
});
