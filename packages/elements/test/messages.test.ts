// Error and reason texts: localized per kind of error (never the SDK's message), readable waits, fr-CA
// wording and plurals, and messages in the table's fixed-height rows that can be read in full.
import {
  createFirmSecurityClient,
  errorFromProblem,
  type FirmSecurityError,
  NetworkError,
  TimeoutError,
} from '@firm-security/sdk';
import { LitElement } from 'lit';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../src/define/firm-invite-button.js';
import '../src/define/firm-security-table.js';
import type { FirmInviteButton } from '../src/components/invite-button/invite-button.js';
import type { FirmSecurityTable } from '../src/components/security-table/security-table.js';
import { LocalizeController, registerLocale } from '../src/controllers/localize-controller.js';
import { errorMessage } from '../src/element-helpers.js';
import { en } from '../src/i18n/en.js';
import { frCA } from '../src/i18n/fr-CA.js';
import { faults, mount, part } from './helpers.js';
import { createPageServer, demo, type PageServer, until } from './page-server.js';
import { atViewport, cleanups, mountTable, rowOf, rows } from './table-dom.js';

registerLocale('fr-CA', frCA);

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  document.body.replaceChildren();
  document.documentElement.removeAttribute('lang');
});

const userOf = (page: PageServer, email: string) => page.client.users.get(page.ids[email] as string);
const PATH = '/api/v1/firm/users/usr_Z9gDq4FGN9u5OgCZhpcNBA/requirement';
const problem = (status: number, code: string, detail = 'Server English detail.', extra = {}) =>
  errorFromProblem(
    status,
    { type: `urn:x:${code}`, title: code, status, code, detail, ...extra },
    {
      method: 'PUT',
      path: PATH,
    },
  );

class L10nHost extends LitElement {
  l10n = new LocalizeController(this);
}
customElements.define('messages-l10n-host', L10nHost);

/** errorMessage as an element in `lang` says it. */
const say = async (lang: string, error: unknown) => {
  const host = document.createElement('messages-l10n-host') as L10nHost;
  host.lang = lang;
  document.body.append(host);
  await host.updateComplete;
  return errorMessage(host.l10n, error);
};

describe('error messages', () => {
  it('words every kind of error in the page language, never with the SDK message or the server detail', async () => {
    const cases: [FirmSecurityError | Error, keyof typeof en][] = [
      [errorFromProblem(502, '<html>Bad gateway</html>', { method: 'PUT', path: PATH }), 'reason_internal_error'],
      [problem(500, 'internal_error'), 'reason_internal_error'],
      [problem(503, 'some_future_code'), 'reason_internal_error'],
      [problem(401, 'unauthenticated'), 'reason_unauthenticated'],
      [problem(401, 'some_future_code'), 'failed'],
      [problem(403, 'csrf_failed'), 'reason_csrf_failed'],
      [problem(403, 'step_up_required'), 'reason_step_up_required'],
      [problem(403, 'two_factor_pending'), 'failed'],
      [problem(404, 'not_found'), 'reason_not_found'],
      [problem(412, 'version_conflict'), 'conflictReloaded'],
      [problem(429, 'rate_limited'), 'rateLimited'],
      [problem(429, 'reminder_too_soon'), 'reason_reminder_too_soon'],
      [problem(422, 'validation_failed'), 'failed'],
      [problem(409, 'idempotency_in_progress'), 'failed'],
      [new NetworkError({ status: 0, code: 'network_error', method: 'PUT', path: PATH }), 'networkError'],
      [new TimeoutError({ status: 0, code: 'timeout', method: 'PUT', path: PATH }), 'reason_timeout'],
      [new TypeError('Cannot read properties of undefined'), 'failed'],
    ];
    for (const [lang, catalog] of [
      ['en', en],
      ['fr-CA', frCA],
    ] as const) {
      for (const [error, key] of cases) {
        const text = await say(lang, error);
        const expected = catalog[key];
        expect(text, `${lang} ${error.message}`).toBe(
          typeof expected === 'function' ? (expected as () => string)() : expected,
        );
        expect(text).not.toContain(error.message);
        expect(text).not.toMatch(/PUT|\/api\/|detail|internal_error/);
      }
    }
    // fr-CA has its own text for every one of them.
    // (Functions are compared by what they say.)
    const said = (text: unknown) => (typeof text === 'function' ? (text as (wait: string) => string)('…') : text);
    for (const [, key] of cases) expect(said(frCA[key]), key).not.toBe(said(en[key]));
  });

  it('gives a rate limit wait in seconds, minutes or hours, rounded up, with plurals', async () => {
    const limited = (retryAfter: number) => problem(429, 'rate_limited', 'Too many.', { retryAfter });
    const waits: [number, string, string][] = [
      [1, 'in 1 second', 'dans 1 seconde'],
      [30, 'in 30 seconds', 'dans 30 secondes'],
      [60, 'in 1 minute', 'dans 1 minute'],
      [61, 'in 2 minutes', 'dans 2 minutes'],
      [900, 'in 15 minutes', 'dans 15 minutes'],
      [3600, 'in 1 hour', 'dans 1 heure'],
      [5400, 'in 2 hours', 'dans 2 heures'],
    ];
    for (const [seconds, inEnglish, inFrench] of waits) {
      expect(await say('en', limited(seconds))).toBe(en.rateLimited(inEnglish));
      expect((await say('fr-CA', limited(seconds))).replace(/\s/g, ' ')).toBe(frCA.rateLimited(inFrench));
    }
    expect(en.rateLimited('in 15 minutes')).toBe('Too many attempts. Try again in 15 minutes.');
    // A page in a language without a catalog reads English: the wait too, not "in 15 Minuten".
    expect(await say('de', limited(900))).toBe(en.rateLimited('in 15 minutes'));
  });

  it('says when a refused reminder is possible, as the row does ("Reminder available 10:49 AM")', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const stale = await userOf(page, demo.invited);
    // Another administrator reminds Grace meanwhile: this button still offers the reminder.
    await page.client.users.remind(stale.id);
    const el = await mount('firm-invite-button', page, { user: stale });
    const expected = (at: number) => {
      const date = new Date(at);
      const time = new Intl.DateTimeFormat(navigator.language, { timeStyle: 'short' }).format(date);
      const day = new Intl.DateTimeFormat(navigator.language, { dateStyle: 'medium' }).format(date);
      return en.reminderAvailableAt(time, date.toDateString() === new Date().toDateString() ? undefined : day);
    };
    const before = expected(Date.now() + 3600_000);
    part<HTMLButtonElement>(el, 'button')?.click();
    await until(() => part(el, 'message')?.getAttribute('role') === 'alert');
    const after = expected(Date.now() + 3600_000);
    const said = part(el, 'message')?.textContent?.trim();
    expect([before, after]).toContain(said);
    expect(part(el, 'message')?.textContent).not.toMatch(/seconds|3,600/);
    // Drawn again half an hour later, it still names the same time.
    const now = Date.now;
    Date.now = () => now() + 30 * 60_000;
    try {
      el.requestUpdate();
      await el.updateComplete;
      expect(part(el, 'message')?.textContent?.trim()).toBe(said);
    } finally {
      Date.now = now;
    }
  });

  it('shows the 502 of a gateway in the table as a server problem, without method, path or code', async () => {
    let gatewayDown = false;
    const page = await createPageServer({
      wrap: (fetch) => async (input, init) => {
        const request = input instanceof Request ? input : new Request(input, init);
        if (gatewayDown && request.method !== 'GET')
          return new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
        return fetch(input, init);
      },
    });
    await page.signIn(demo.adminWith2fa);
    const table = mountTable(page);
    await until(() => rowOf(table, 'Oliver Bennett'));
    gatewayDown = true;
    rowOf(table, 'Oliver Bennett')?.querySelector<HTMLInputElement>('[part~="switch"]')?.click();
    rowOf(table, 'Oliver Bennett')?.querySelector<HTMLButtonElement>('.invite [part~="button"]')?.click();
    const alerts = () =>
      [...(rowOf(table, 'Oliver Bennett')?.querySelectorAll('[role="alert"]') ?? [])].map((alert) =>
        alert.textContent?.trim(),
      );
    await until(() => alerts().length === 2, 15_000);
    expect(alerts()).toEqual([en.reason_internal_error, en.reason_internal_error]);
  });

  it('words a refused CSRF token and an expired session in French on a French page', async () => {
    document.documentElement.lang = 'fr-CA';
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-invite-button', page, { user: await userOf(page, demo.plain) });
    const click = () => part<HTMLButtonElement>(el, 'button')?.click();
    const message = () => part(el, 'message')?.textContent?.trim();

    el.client = createFirmSecurityClient({
      baseUrl: 'http://firm.test/api/v1',
      fetch: page.fetch,
      csrf: { token: () => 'not-the-token' },
    });
    await el.updateComplete;
    click();
    await until(() => message() === frCA.reason_csrf_failed);

    el.client = page.client;
    await page.client.session.signOut();
    await el.updateComplete;
    click();
    await until(() => message() === frCA.reason_unauthenticated);
    expect(message()).not.toMatch(/session has|Sign in/);
  });
});

describe('fr-CA wording and plurals', () => {
  it('says "à" before a time and "le" before a date in the reminder cooldown', async () => {
    document.documentElement.lang = 'fr-CA';
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const user = await page.client.users.invite(page.ids[demo.plain] as string);
    const el = (await mount('firm-invite-button', page, { user })) as FirmInviteButton;
    const retryAt = new Date((user.allowedActions.remind as { retryAt: string }).retryAt);
    const time = new Intl.DateTimeFormat('fr-CA', { timeStyle: 'short' }).format(retryAt);
    await until(() => part(el, 'message')?.textContent?.trim().startsWith('Rappel'));
    const today = retryAt.toDateString() === new Date().toDateString();
    expect(part(el, 'message')?.textContent?.trim()).toBe(
      today
        ? `Rappel possible à ${time}`
        : `Rappel possible le ${new Intl.DateTimeFormat('fr-CA', { dateStyle: 'medium' }).format(retryAt)} à ${time}`,
    );
    expect(frCA.reminderAvailableAt('10 h 49')).toBe('Rappel possible à 10 h 49');
    expect(frCA.reminderAvailableAt('10 h 49', '3 déc. 2026')).toBe('Rappel possible le 3 déc. 2026 à 10 h 49');
    expect(en.reminderAvailableAt('10:49 AM', 'Dec 3, 2026')).toBe('Reminder available Dec 3, 2026, 10:49 AM');
  });

  it('agrees the summary, the reminder count and the rows shown with their counts (Intl.PluralRules)', () => {
    const counts = (total: number, invited: number) => ({ total, enabled: 0, invited, notEnabled: 0 });
    expect(frCA.summary('12', '5', '1', '6', counts(12, 1))).toBe(
      '12 utilisateurs · 5 avec 2FA activée · 1 invité · 6 sans 2FA',
    );
    expect(frCA.summary('1', '0', '0', '1', counts(1, 0))).toBe(
      '1 utilisateur · 0 avec 2FA activée · 0 invité · 1 sans 2FA',
    );
    expect(frCA.summary('3', '1', '2', '0', counts(3, 2))).toBe(
      '3 utilisateurs · 1 avec 2FA activée · 2 invités · 0 sans 2FA',
    );
    expect(en.summary('1', '1', '0', '0', counts(1, 0))).toBe('1 user · 1 enabled · 0 invited · 0 not enabled');
    expect(en.summary('12', '4', '1', '7', counts(12, 1))).toBe('12 users · 4 enabled · 1 invited · 7 not enabled');

    // The count comes formatted by the element (LocalizeController.number); the plural from the number.
    expect(en.invitedDetails('Dec 3, 2026', 1, '1')).toBe('Invited Dec 3, 2026 · 1 reminder');
    expect(en.invitedDetails('Dec 3, 2026', 1200, '1,200')).toBe('Invited Dec 3, 2026 · 1,200 reminders');
    expect(en.invitedDetails('Dec 3, 2026', 0, '0')).toBe('Invited Dec 3, 2026');
    expect(frCA.invitedDetails('3 déc. 2026', 1, '1')).toBe('Invité le 3 déc. 2026 · 1 rappel');
    expect(frCA.invitedDetails('3 déc. 2026', 1200, '1 200')).toBe('Invité le 3 déc. 2026 · 1 200 rappels');

    expect(en.rowsShown('1', '1', 1)).toBe('Showing 1 of 1 user');
    expect(en.rowsShown('1,200', '1,200', 1200)).toBe('Showing 1,200 of 1,200 users');
    expect(frCA.rowsShown('1', '1', 1)).toBe('1 sur 1 utilisateur affiché');
    expect(frCA.rowsShown('12', '12', 12)).toBe('12 sur 12 utilisateurs affichés');
  });
});

// --- The table's rows -------------------------------------------------------------------------------

/** The boxes of a message's lines, hidden ones included. */
const lines = (element: Element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return [...range.getClientRects()].filter((rect) => rect.width > 0);
};
/** Whether every line of the message is on screen: nothing clipped, nothing drawn over it. */
const allShown = (table: FirmSecurityTable, element: Element) =>
  lines(element).every((line) =>
    [line.top + 2, line.bottom - 2].every((y) => {
      const hit = table.shadowRoot?.elementFromPoint(line.left + line.width / 2, y);
      return hit !== null && hit !== undefined && element.contains(hit);
    }),
  );

describe('messages in the table rows', () => {
  for (const [width, lang] of [
    [1100, 'en'],
    [800, 'fr-CA'],
  ] as const) {
    it(`wraps reasons and errors in their cell, rows keep their height, and each shows in full on hover and focus (${width}px, ${lang})`, async () => {
      await atViewport(width, 1400);
      document.documentElement.lang = lang;
      const fault = faults();
      const page = await createPageServer({ wrap: fault.wrap });
      // An administrator without 2FA: Disable is refused everywhere, with the primary subscriber's long reason.
      await page.signIn(demo.adminWithout2fa);
      const table = mountTable(page);
      // Every row drawn and on screen (the windowing's viewport is taller than the 12 rows).
      table.style.setProperty('--firm-table-height', '1000px');
      table.style.setProperty('--firm-table-max-height', 'none');
      await until(() => rows(table).length === 12 && rowOf(table, 'Morgan Hartwell')?.querySelector('.reason'), 8000);
      const oliver = () => rowOf(table, 'Oliver Bennett') as HTMLTableRowElement;
      fault.offline((request) => request.method !== 'GET');
      oliver().querySelector<HTMLInputElement>('[part~="switch"]')?.click();
      oliver().querySelector<HTMLButtonElement>('.invite [part~="button"]')?.click();
      await until(() => oliver().querySelectorAll('[role="alert"]').length === 2, 8000);
      (table.shadowRoot?.activeElement as HTMLElement | null)?.blur();
      await table.updateComplete;

      const catalog = lang === 'en' ? en : frCA;
      const morgan = rowOf(table, 'Morgan Hartwell') as HTMLTableRowElement;
      const messages = [
        morgan.querySelector('.reason') as HTMLElement,
        oliver().querySelector('.require [part~="message"]') as HTMLElement,
        oliver().querySelector('.invite [part~="message"]') as HTMLElement,
      ];
      expect(messages.map((message) => message.textContent?.trim())).toEqual([
        catalog.reason_primary_subscriber_protected,
        catalog.networkError,
        catalog.networkError,
      ]);
      // The windowing measures a row by its offsetHeight.
      const heights = () => rows(table).map((row) => row.offsetHeight);
      const rowHeight = heights()[0];
      expect(rowHeight).toBe(64);

      for (const message of messages) {
        const cell = message.closest('td') as HTMLTableCellElement;
        // At rest: wrapped inside its cell, its first line shown; every row as high as the others.
        const { left, right } = cell.getBoundingClientRect();
        for (const line of lines(message)) {
          expect(line.left).toBeGreaterThanOrEqual(left);
          expect(line.right).toBeLessThanOrEqual(right);
        }
        expect(lines(message).length).toBeGreaterThan(1);
        expect(heights().every((height) => height === rowHeight)).toBe(true);

        // Focus on its control: all of it shows, no row grows, nothing in the cell moves.
        const control = cell.querySelector<HTMLElement>('button, input') as HTMLElement;
        const place = () => [control.getBoundingClientRect().top, lines(message)[0]?.top];
        const atRest = place();
        control.focus();
        await until(() => allShown(table, message));
        expect(heights().every((height) => height === rowHeight)).toBe(true);
        expect(place()).toEqual(atRest);
        // Escape hides it again (it covers the rows below), until focus leaves the cell.
        await userEvent.keyboard('{Escape}');
        await until(() => !allShown(table, message));
        control.blur();
        control.focus();
        await until(() => allShown(table, message));
        control.blur();

        // The pointer on it: the same.
        await userEvent.hover(message);
        await until(() => allShown(table, message));
        expect(heights().every((height) => height === rowHeight)).toBe(true);
        expect(place()).toEqual(atRest);
        await userEvent.unhover(message);
      }
    });
  }
});
