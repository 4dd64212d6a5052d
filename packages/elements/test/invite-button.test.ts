import type { FirmUser } from '@firm-security/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../src/define/firm-invite-button.js';
import type { FirmInviteButton } from '../src/components/invite-button/invite-button.js';
import type { FirmErrorEvent, FirmInviteEvent, FirmReminderEvent } from '../src/events.js';
import { en } from '../src/i18n/en.js';
import { deepActive, expectAxeClean, faults, mount, part, XSS_NAME, xssSeed } from './helpers.js';
import { createPageServer, demo, type PageServer, until } from './page-server.js';

const button = (el: FirmInviteButton) => part<HTMLButtonElement>(el, 'button');
const status = (el: FirmInviteButton) => el.shadowRoot?.querySelector('[role=status]')?.textContent?.trim();
const description = (el: FirmInviteButton) =>
  el.shadowRoot?.getElementById(button(el)?.getAttribute('aria-describedby') ?? '')?.textContent?.trim();
const userOf = (page: PageServer, email: string) => page.client.users.get(page.ids[email] as string);
const time = (iso: string) => new Intl.DateTimeFormat(navigator.language, { timeStyle: 'short' }).format(new Date(iso));

afterEach(() => {
  document.body.replaceChildren();
});

describe('<firm-invite-button>', () => {
  it('invites with Enter, announces it and fires firm-invite; then shows the reminder cooldown', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const user = await userOf(page, demo.plain);
    const el = await mount('firm-invite-button', page, { user });
    expect(button(el)?.textContent?.trim()).toBe(en.inviteAction);
    expect(button(el)?.hasAttribute('aria-disabled')).toBe(false);
    await expectAxeClean(el);

    const events: FirmInviteEvent[] = [];
    document.addEventListener('firm-invite', (event) => events.push(event), { once: true });
    fault.hold((request) => request.method === 'POST');
    el.focus();
    await userEvent.keyboard('{Enter}');
    await until(() => button(el)?.getAttribute('aria-disabled') === 'true');
    await expectAxeClean(el);
    fault.release();
    await until(() => events.length === 1);
    expect(events[0]?.user.twoFactor.status).toBe('invited');
    expect(page.store.getUser(user.id)?.invitation).not.toBeNull();
    expect(page.store.listMail({ limit: 50 }).filter((mail) => mail.to === demo.plain)).toHaveLength(1);
    await el.updateComplete;
    expect(status(el)).toBe(en.invited('Oliver Bennett'));

    // The reminder cooldown: right after the invitation the reminder is not possible yet.
    const remind = el.user?.allowedActions.remind;
    expect(remind).toMatchObject({ allowed: false, reason: 'reminder_too_soon' });
    const retryAt = (remind as { retryAt: string }).retryAt;
    expect(button(el)?.textContent?.trim()).toBe(en.remindAction);
    expect(button(el)?.getAttribute('aria-disabled')).toBe('true');
    // The localized time of retryAt (with the date too when that is another day).
    expect(description(el)).toMatch(new RegExp(`^${en.reminderAvailableAt('')}.*${time(retryAt)}$`));
    expect(deepActive()).toBe(button(el));
    await expectAxeClean(el);

    fault.requests.length = 0;
    const reminders: Event[] = [];
    document.addEventListener('firm-reminder', (event) => reminders.push(event));
    await userEvent.keyboard('{Enter}');
    button(el)?.click();
    await el.updateComplete;
    expect(fault.requests).toEqual([]);
    expect(reminders).toEqual([]);
  });

  it('sends a reminder to an invited user and fires firm-reminder', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const user = await userOf(page, demo.invited);
    expect(user.allowedActions.remind.allowed).toBe(true);
    const el = await mount('firm-invite-button', page, { user });
    expect(button(el)?.textContent?.trim()).toBe(en.remindAction);
    const events: FirmReminderEvent[] = [];
    el.addEventListener('firm-reminder', (event) => events.push(event));
    button(el)?.click();
    await until(() => events.length === 1);
    expect(events[0]?.user.invitation?.reminderCount).toBe(3);
    expect(page.store.getUser(user.id)?.invitation?.reminderCount).toBe(3);
    await el.updateComplete;
    expect(status(el)).toBe(en.reminded('Grace Kim'));
    expect(button(el)?.getAttribute('aria-disabled')).toBe('true');
  });

  it('enables the reminder again when the cooldown ends', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const real = await userOf(page, demo.invited);
    const retryAt = new Date(Date.now() + 300).toISOString();
    const user: FirmUser = {
      ...real,
      allowedActions: { ...real.allowedActions, remind: { allowed: false, reason: 'reminder_too_soon', retryAt } },
    };
    const el = await mount('firm-invite-button', page, { user });
    expect(button(el)?.getAttribute('aria-disabled')).toBe('true');
    await until(() => !button(el)?.hasAttribute('aria-disabled'), 2000);
    expect(description(el)).toBeUndefined();
  });

  it('renders no button for a user whose 2FA is on', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-invite-button', page, { user: await userOf(page, demo.userWith2fa) });
    expect(button(el)).toBeNull();
    await expectAxeClean(el);
  });

  it('describes any other refusal with the reason text', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const real = await userOf(page, demo.plain);
    const user: FirmUser = {
      ...real,
      allowedActions: { ...real.allowedActions, invite: { allowed: false, reason: 'forbidden' } },
    };
    const el = await mount('firm-invite-button', page, { user });
    expect(button(el)?.getAttribute('aria-disabled')).toBe('true');
    expect(description(el)).toBe(en.reason_forbidden);
    button(el)?.click();
    await el.updateComplete;
    expect(page.store.getUser(real.id)?.invitation).toBeNull();
    await expectAxeClean(el);
  });

  it('explains a 429 when someone else reminded the user meanwhile', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const stale = await userOf(page, demo.invited);
    await page.client.users.remind(stale.id);
    const el = await mount('firm-invite-button', page, { user: stale });
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    button(el)?.click();
    await until(() => errors.length === 1);
    expect(errors[0]?.error.name).toBe('RateLimitedError');
    expect((errors[0]?.error as { retryAfter?: number } | undefined)?.retryAfter).toBe(3600);
    await el.updateComplete;
    const message = part(el, 'message');
    expect(message?.getAttribute('role')).toBe('alert');
    // When the reminder is possible (in an hour), as the cooldown is shown elsewhere: not in seconds.
    expect(message?.textContent?.trim()).toMatch(new RegExp(`^${en.reminderAvailableAt('')}.*\\d`));
    expect(page.store.getUser(stale.id)?.invitation?.reminderCount).toBe(3);
    await expectAxeClean(el);
  });

  it('explains a network failure and fires firm-error', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const user = await userOf(page, demo.plain);
    const el = await mount('firm-invite-button', page, { user });
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    fault.offline((request) => request.url.endsWith('/invitation'));
    button(el)?.click();
    await until(() => errors.length === 1);
    expect((errors[0]?.error as { code?: string } | undefined)?.code).toBe('network_error');
    await el.updateComplete;
    expect(part(el, 'message')?.textContent?.trim()).toBe(en.networkError);
    expect(button(el)?.textContent?.trim()).toBe(en.inviteAction);
    expect(page.store.getUser(user.id)?.invitation).toBeNull();
    await expectAxeClean(el);

    // Back online, the same button works.
    fault.offline(undefined);
    button(el)?.click();
    await until(() => page.store.getUser(user.id)?.invitation);
  });

  it("forgets a user's error and announcement when handed another user, and keeps only that user's answer", async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const oliver = await userOf(page, demo.plain);
    const el = await mount('firm-invite-button', page, { user: oliver });
    fault.offline((request) => request.url.endsWith('/invitation'));
    button(el)?.click();
    await until(() => part(el, 'message')?.textContent?.trim() === en.networkError);

    // Handed Grace (as a host reusing the element would): nothing of Oliver's failure stays.
    el.user = await userOf(page, demo.invited);
    await el.updateComplete;
    expect(part(el, 'message')).toBeNull();
    expect(button(el)?.textContent?.trim()).toBe(en.remindAction);

    // Back to Oliver, the invitation succeeds; handed Grace again before the answer arrives, the
    // element keeps Grace (the answer about Oliver is not written over her).
    fault.offline(undefined);
    el.user = oliver;
    await el.updateComplete;
    expect(part(el, 'message')).toBeNull();
    fault.hold((request) => request.url.endsWith('/invitation'));
    button(el)?.click();
    await until(() => fault.requests.some((request) => request.endsWith('/invitation')));
    const grace = await userOf(page, demo.invited);
    el.user = grace;
    fault.release();
    await until(() => page.store.getUser(oliver.id)?.invitation);
    await until(() => status(el) === en.invited('Oliver Bennett'));
    expect(el.user).toBe(grace);
  });

  it('announces a name with markup as text', async () => {
    const page = await createPageServer({ seed: xssSeed() });
    await page.signIn(demo.adminWith2fa);
    const id = page.ids['xss@hartwell-reyes.test'] as string;
    const record = page.store.getUser(id);
    if (!record) throw new Error('no user');
    page.store.updateUser({ ...record, totpSecret: null, totpEnabledAt: null });
    const el = await mount('firm-invite-button', page, { user: await page.client.users.get(id) });
    button(el)?.click();
    await until(() => status(el) === en.invited(XSS_NAME));
    expect(el.shadowRoot?.querySelector('img')).toBeNull();
  });
});
