import type { FirmUser } from '@firm-security/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../src/define/firm-require-2fa-toggle.js';
import '../src/define/firm-security-provider.js';
import type { FirmRequire2faToggle } from '../src/components/require-toggle/require-2fa-toggle.js';
import { registerLocaleLoader } from '../src/controllers/localize-controller.js';
import type { FirmErrorEvent, FirmRequirementChangeEvent } from '../src/events.js';
import { en } from '../src/i18n/en.js';
import { deepActive, expectAxeClean, faults, mount, part, XSS_NAME, xssSeed } from './helpers.js';
import { createPageServer, demo, until } from './page-server.js';

const input = (el: FirmRequire2faToggle) => el.shadowRoot?.querySelector('input') as HTMLInputElement;
const status = (el: FirmRequire2faToggle) => el.shadowRoot?.querySelector('[role=status]')?.textContent?.trim();
const isPut = (request: Request) => request.method === 'PUT';

afterEach(() => {
  document.body.replaceChildren();
});

describe('<firm-require-2fa-toggle>', () => {
  it('loads the user of `user-id` and renders a named, unchecked switch', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-require-2fa-toggle', page, { userId: page.ids[demo.plain] as string });
    await until(() => input(el));
    const sw = input(el);
    expect(sw.type).toBe('checkbox');
    expect(sw.getAttribute('role')).toBe('switch');
    expect(sw.checked).toBe(false);
    expect(sw.hasAttribute('aria-disabled')).toBe(false);
    expect(sw.labels?.[0]?.textContent?.trim()).toBe(en.requireFor('Oliver Bennett'));
    expect(part(el, 'label')).toBe(sw.labels?.[0]);
    await expectAxeClean(el);
  });

  it('shows a required user as checked', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-require-2fa-toggle', page, { userId: page.ids[demo.required] as string });
    await until(() => input(el));
    expect(input(el).checked).toBe(true);
  });

  it('paints the new position before it starts the request (and the optimistic update of every row)', async () => {
    let frames = 0;
    let framesAtPut = -1;
    const page = await createPageServer({
      wrap: (fetch) => async (input, init) => {
        const request = input instanceof Request ? input : new Request(input, init);
        if (isPut(request)) framesAtPut = frames;
        return fetch(input, init);
      },
    });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-require-2fa-toggle', page, { userId: page.ids[demo.plain] as string });
    await until(() => input(el));
    const count = () => {
      frames++;
      if (framesAtPut < 0) requestAnimationFrame(count);
    };
    input(el).click();
    requestAnimationFrame(count);
    await until(() => framesAtPut >= 0);
    expect(framesAtPut, 'frames rendered between the click and the PUT').toBeGreaterThanOrEqual(1);
    await until(() => !input(el).hasAttribute('aria-disabled'));
    expect(input(el).checked).toBe(true);
  });

  it('toggles with Space: optimistic and disabled while pending, then saved, announced and an event', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const id = page.ids[demo.plain] as string;
    const el = await mount('firm-require-2fa-toggle', page, { userId: id });
    await until(() => input(el));
    const events: FirmRequirementChangeEvent[] = [];
    document.addEventListener('firm-requirement-change', (event) => events.push(event), { once: true });

    fault.hold(isPut);
    el.focus();
    expect(deepActive()).toBe(input(el));
    await userEvent.keyboard(' ');
    await until(() => input(el).getAttribute('aria-disabled') === 'true');
    expect(input(el).checked, 'optimistic').toBe(true);
    expect(page.store.getUser(id)?.required).toBe(false);
    await expectAxeClean(el);
    // A second press while pending changes nothing.
    await userEvent.keyboard(' ');
    expect(input(el).checked, 'second press').toBe(true);

    fault.release();
    await until(() => events.length === 1);
    expect(events[0]?.user.requirement.status).toBe('required');
    expect(events[0]?.composed && events[0]?.bubbles).toBe(true);
    expect(page.store.getUser(id)?.required).toBe(true);
    await until(() => !input(el).hasAttribute('aria-disabled'));
    expect(input(el).checked).toBe(true);
    expect(status(el)).toBe(en.required('Oliver Bennett'));
    expect(deepActive()).toBe(input(el));

    await userEvent.keyboard(' ');
    await until(() => page.store.getUser(id)?.required === false);
    await until(() => status(el) === en.notRequired('Oliver Bennett'));
    expect(input(el).checked).toBe(false);
  });

  it('toggles with Enter too (a native checkbox takes only Space), and not while pending', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const id = page.ids[demo.plain] as string;
    const el = await mount('firm-require-2fa-toggle', page, { userId: id });
    await until(() => input(el));
    el.focus();
    fault.hold(isPut);
    await userEvent.keyboard('{Enter}');
    await until(() => input(el).getAttribute('aria-disabled') === 'true');
    expect(input(el).checked, 'optimistic').toBe(true);
    await userEvent.keyboard('{Enter}');
    expect(input(el).checked, 'second press while pending').toBe(true);
    fault.release();
    await until(() => page.store.getUser(id)?.required === true);
    await until(() => !input(el).hasAttribute('aria-disabled'));
    await userEvent.keyboard('{Enter}');
    await until(() => page.store.getUser(id)?.required === false);
    expect(input(el).checked).toBe(false);
    // Holding Enter down does not flip it back and forth on auto-repeat.
    await until(() => !input(el).hasAttribute('aria-disabled'));
    const puts = () => fault.requests.filter((request) => request.startsWith('PUT')).length;
    const before = puts();
    input(el).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', repeat: true, bubbles: true }));
    await el.updateComplete;
    expect(input(el).checked).toBe(false);
    expect(puts()).toBe(before);
  });

  it('takes a `user` property without loading it, and keeps it current', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const id = page.ids[demo.plain] as string;
    const user = await page.client.users.get(id);
    fault.requests.length = 0;
    const el = await mount('firm-require-2fa-toggle', page, { user });
    expect(input(el).checked).toBe(false);
    input(el).click();
    await until(() => el.user?.requirement.status === 'required');
    expect(el.user?.version).toBe(user.version + 1);
    expect(fault.requests).toEqual([`PUT /api/v1/firm/users/${id}/requirement`]);
  });

  it('works inside <firm-security-provider> without its own client', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const provider = document.createElement('firm-security-provider');
    provider.client = page.client;
    provider.queryClient = page.queryClient;
    provider.innerHTML = `<firm-require-2fa-toggle user-id="${page.ids[demo.required]}"></firm-require-2fa-toggle>`;
    document.body.append(provider);
    const el = provider.querySelector('firm-require-2fa-toggle') as FirmRequire2faToggle;
    await until(() => input(el)?.checked === true);
  });

  it('shows N/A with an explanation, and no switch, for a user not yet migrated', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.append(before);
    const el = await mount('firm-require-2fa-toggle', page, { userId: page.ids[demo.notMigrated] as string });
    await until(() => part(el, 'na'));
    expect(el.shadowRoot?.querySelector('[role=switch]')).toBeNull();
    const na = part(el, 'na') as HTMLElement;
    expect(na.textContent?.trim()).toBe(en.requirementNotAvailable);
    const tip = el.shadowRoot?.getElementById(na.getAttribute('aria-describedby') as string) as HTMLElement;
    expect(tip.textContent?.trim()).toBe(en.notAvailableExplanation);
    expect(getComputedStyle(tip).display).toBe('none');
    await expectAxeClean(el);

    before.focus();
    await userEvent.keyboard('{Tab}');
    expect(deepActive()).toBe(na);
    expect(getComputedStyle(tip).display).toBe('block');
    await expectAxeClean(el);
    await userEvent.keyboard('{Escape}');
    await until(() => getComputedStyle(tip).display === 'none');
  });

  it('disables the switch and describes why when the requirement may not be changed', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const real = await page.client.users.get(page.ids[demo.plain] as string);
    const user: FirmUser = {
      ...real,
      allowedActions: { ...real.allowedActions, setRequirement: { allowed: false, reason: 'forbidden' } },
    };
    const changes: Event[] = [];
    document.addEventListener('firm-requirement-change', (event) => changes.push(event));
    const el = await mount('firm-require-2fa-toggle', page, { user });
    const sw = input(el);
    expect(sw.getAttribute('aria-disabled')).toBe('true');
    const description = el.shadowRoot?.getElementById(sw.getAttribute('aria-describedby') as string);
    expect(description?.textContent?.trim()).toBe(en.reason_forbidden);
    sw.focus();
    await userEvent.keyboard(' ');
    await el.updateComplete;
    expect(sw.checked).toBe(false);
    sw.click();
    await el.updateComplete;
    expect(sw.checked).toBe(false);
    expect(changes).toEqual([]);
    expect(page.store.getUser(real.id)?.required).toBe(false);
    await expectAxeClean(el);
  });

  it('rolls back and explains a network failure, firing firm-error', async () => {
    const fault = faults();
    const page = await createPageServer({ wrap: fault.wrap });
    await page.signIn(demo.adminWith2fa);
    const id = page.ids[demo.plain] as string;
    const el = await mount('firm-require-2fa-toggle', page, { userId: id });
    await until(() => input(el));
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    fault.offline(isPut);
    input(el).click();
    expect(input(el).checked).toBe(true);
    await until(() => errors.length === 1);
    expect((errors[0]?.error as { code?: string } | undefined)?.code).toBe('network_error');
    await el.updateComplete;
    expect(input(el).checked).toBe(false);
    const message = part(el, 'message') as HTMLElement;
    expect(message.getAttribute('role')).toBe('alert');
    expect(message.textContent?.trim()).toBe(en.networkError);
    expect(page.store.getUser(id)?.required).toBe(false);
    await expectAxeClean(el);
  });

  it('rolls back a 412 conflict and shows the current state of the user', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const id = page.ids[demo.plain] as string;
    const el = await mount('firm-require-2fa-toggle', page, { userId: id });
    await until(() => input(el));
    // Someone else renames the user meanwhile (a new version).
    const record = page.store.getUser(id);
    if (!record) throw new Error('no user');
    page.store.updateUser({ ...record, name: 'Oliver B. Bennett', version: record.version + 1 });
    const errors: FirmErrorEvent[] = [];
    el.addEventListener('firm-error', (event) => errors.push(event));
    input(el).click();
    await until(() => errors.length === 1);
    expect((errors[0]?.error as { status?: number } | undefined)?.status).toBe(412);
    await until(() => input(el).labels?.[0]?.textContent?.trim() === en.requireFor('Oliver B. Bennett'));
    expect(input(el).checked).toBe(false);
    expect(part(el, 'message')?.textContent?.trim()).toBe(en.conflictReloaded);
    expect(page.store.getUser(id)?.required).toBe(false);
  });

  it('reloads a `user` property after a 412', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    const id = page.ids[demo.plain] as string;
    const user = await page.client.users.get(id);
    const record = page.store.getUser(id);
    if (!record) throw new Error('no user');
    page.store.updateUser({ ...record, required: true, version: record.version + 1 });
    const el = await mount('firm-require-2fa-toggle', page, { user });
    input(el).click();
    await until(() => el.user?.version === user.version + 1);
    await el.updateComplete;
    expect(input(el).checked).toBe(true);
    expect(part(el, 'message')?.textContent?.trim()).toBe(en.conflictReloaded);
  });

  it('renders a name with markup as text', async () => {
    const page = await createPageServer({ seed: xssSeed() });
    await page.signIn(demo.adminWith2fa);
    const el = await mount('firm-require-2fa-toggle', page, { userId: page.ids['xss@hartwell-reyes.test'] as string });
    await until(() => input(el));
    expect(input(el).labels?.[0]?.textContent?.trim()).toBe(en.requireFor(XSS_NAME));
    expect(el.shadowRoot?.querySelector('img')).toBeNull();
  });

  it('stays in English for a French document until the page registers French (define files ship English only)', async () => {
    const page = await createPageServer();
    await page.signIn(demo.adminWith2fa);
    document.documentElement.lang = 'fr-CA';
    try {
      const el = await mount('firm-require-2fa-toggle', page, { userId: page.ids[demo.plain] as string });
      await until(() => input(el)?.labels?.[0]?.textContent?.trim() === en.requireFor('Oliver Bennett'));
      // As docs/elements.md tells a page that imports single elements: the catalog loads on demand.
      registerLocaleLoader('fr-CA', () => import('../src/i18n/fr-CA.js').then((module) => module.frCA));
      await until(() => input(el)?.labels?.[0]?.textContent?.trim() === 'Exiger la 2FA pour Oliver Bennett');
    } finally {
      document.documentElement.lang = 'en';
    }
  });
});
