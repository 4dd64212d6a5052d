import '@firm-security/elements/all.js';
import { ForbiddenError, ServerError, StepUpRequiredError } from '@firm-security/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockServer, demoFirm, demoPeople, installMockFetch, scenarios } from '../src/index.js';

const until = async (check: () => unknown, timeout = 5000): Promise<void> => {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeout) throw new Error(`condition not met within ${timeout} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('@firm-security/mock scenarios', () => {
  it('describes every scenario', () => {
    expect(Object.keys(scenarios).sort()).toEqual(
      [
        'adminWithout2fa',
        'demo',
        'emptyFirm',
        'largeFirm',
        'nonAdmin',
        'serverErrors',
        'slowNetwork',
        'stepUpRequired',
      ].sort(),
    );
  });

  it('demo: lists the 12 people of the demo firm through the SDK client', async () => {
    const mock = await createMockServer();
    expect(mock.scenario).toBe('demo');
    const viewer = await mock.client.viewer.get();
    expect(viewer.user.email).toBe(demoPeople.primary);
    expect((await mock.client.users.list()).total).toBe(12);
  });

  it('adminWithout2fa: the viewer may not disable 2FA', async () => {
    const mock = await createMockServer({ scenario: 'adminWithout2fa' });
    const viewer = await mock.client.viewer.get();
    expect(viewer.user.email).toBe(demoPeople.adminWithout2fa);
    expect(viewer.permissions.disableTwoFactor).toEqual({ allowed: false, reason: 'viewer_two_factor_required' });
  });

  it('nonAdmin: the firm list is forbidden', async () => {
    const mock = await createMockServer({ scenario: 'nonAdmin' });
    await expect(mock.client.users.list()).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('largeFirm: 5,012 users', async () => {
    const mock = await createMockServer({ scenario: 'largeFirm' });
    expect((await mock.client.users.list({ limit: 10 })).total).toBe(5012);
  });

  it('slowNetwork: every call takes about 800 ms', async () => {
    const mock = await createMockServer({ scenario: 'slowNetwork' });
    const start = performance.now();
    await mock.client.viewer.get();
    expect(performance.now() - start).toBeGreaterThanOrEqual(700);
  });

  it('serverErrors: firm endpoints answer 503', async () => {
    const mock = await createMockServer({ scenario: 'serverErrors' });
    const error = await mock.client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, code: 'internal_error' });
    // The session endpoints still work.
    expect((await mock.client.viewer.get()).user.email).toBe(demoPeople.primary);
  });

  it('stepUpRequired: disabling a user’s 2FA asks for a fresh verification', async () => {
    const mock = await createMockServer({ scenario: 'stepUpRequired' });
    await mock.client.viewer.get();
    await expect(
      mock.client.users.disableTwoFactor(mock.idOf('sofia.alvarez@hartwell-reyes.test'), { confirm: true }),
    ).rejects.toBeInstanceOf(StepUpRequiredError);
  });

  it('emptyFirm: only the primary subscriber', async () => {
    const mock = await createMockServer({ scenario: 'emptyFirm' });
    const page = await mock.client.users.list();
    expect(page.total).toBe(1);
    expect(page.items[0]?.email).toBe(demoPeople.primary);
  });

  it('signIn: false boots with nobody signed in', async () => {
    const mock = await createMockServer({ signIn: false });
    await expect(mock.client.users.list()).rejects.toMatchObject({ status: 401 });
    await mock.signIn(demoPeople.adminWith2fa);
    expect((await mock.client.users.list()).total).toBe(12);
  });

  it("the server's time runs with the page's: a reminder cooldown of 1 s ends on its own", async () => {
    const mock = await createMockServer({
      scenario: () => ({ seed: demoFirm, viewer: demoPeople.primary, serverOptions: { reminderCooldownSeconds: 1 } }),
    });
    const invited = mock.idOf('grace.kim@hartwell-reyes.test');
    const first = await mock.client.users.remind(invited);
    // Refused for 1 s (429 with Retry-After: 1): the SDK waits that second out and asks again.
    const second = await mock.client.users.remind(invited);
    expect(second.invitation?.reminderCount).toBe((first.invitation?.reminderCount ?? 0) + 1);
  });
});

describe('installMockFetch', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => {
    uninstall?.();
    document.body.replaceChildren();
  });

  it('serves elements that use the same-origin default /api/v1', async () => {
    const original = globalThis.fetch;
    const mock = await createMockServer();
    uninstall = installMockFetch(mock);
    expect(globalThis.fetch).toBe(mock.fetch);
    const table = document.createElement('firm-security-table');
    document.body.append(table);
    await until(() => (table.shadowRoot?.textContent ?? '').includes('Priya Natarajan'));
    uninstall();
    uninstall = undefined;
    expect(globalThis.fetch).toBe(original);
  });

  it('passes other URLs to the real fetch', async () => {
    const mock = await createMockServer();
    const response = await mock.fetch(import.meta.url);
    expect(response.ok).toBe(true);
  });
});
