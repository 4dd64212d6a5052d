import type { AllowedActions, FirmUser, UserPage } from '@firm-security/sdk';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, ServerError } from '@firm-security/sdk';
import {
  firmSecurityKeys,
  firmSecurityMutations,
  firmSecurityQueries,
  MAX_REFETCHED_PAGES,
} from '@firm-security/sdk/query';
import {
  focusManager,
  type InfiniteData,
  InfiniteQueryObserver,
  MutationObserver,
  onlineManager,
  QueryClient,
  QueryObserver,
} from '@tanstack/query-core';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, type Injector, type Match, matching } from './faults.js';
import { createSdkHarness, demo, type Fetch } from './setup.js';

/** Holds matching requests until released: lets a test look at the cache while a mutation is in flight. */
class Gates {
  #gates: { match: Match; open: Promise<void>; arrived: () => void; answered: boolean }[] = [];
  wrap = (next: Fetch): Fetch =>
    (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const gate = this.#gates.find((g) => g.match(request));
      if (!gate) return next(request);
      this.#gates.splice(this.#gates.indexOf(gate), 1);
      const response = gate.answered ? await next(request) : undefined;
      gate.arrived();
      await gate.open;
      return response ?? next(request);
    }) as Fetch;
  /**
   * The next request matching `match` waits for `release()`; `arrived` resolves when it is held. With
   * `answered`, the server answers it at once and the answer is held on its way back.
   */
  hold(match: Match, answered = false) {
    let release = () => {};
    let arrived = () => {};
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    this.#gates.push({ match, open, arrived, answered });
    return { release, arrived: reached };
  }
}

const clients: QueryClient[] = [];
afterEach(() => {
  for (const queryClient of clients.splice(0)) queryClient.clear();
});

const setup = async (options: { inject?: (next: Fetch) => Injector; as?: string } = {}) => {
  const gates = new Gates();
  let injector: Injector | undefined;
  const sdk = await createSdkHarness({
    wrap: (next) => {
      const gated = gates.wrap(next);
      if (!options.inject) return gated;
      injector = options.inject(gated);
      return injector.fetch;
    },
  });
  await sdk.signIn(options.as ?? demo.primary);
  // Defaults that would multiply attempts if the kit's options did not turn query retries off.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 3, retryDelay: 0, staleTime: 0 } } });
  clients.push(queryClient);
  const queries = firmSecurityQueries(sdk.client);
  const mutations = firmSecurityMutations(sdk.client, queryClient);
  return { ...sdk, gates, injector, queryClient, queries, mutations };
};

type Setup = Awaited<ReturnType<typeof setup>>;

/** Fetches every page of an infinite list through an InfiniteQueryObserver. */
const walkInfinite = async (s: Setup, query: { limit: number }) => {
  const observer = new InfiniteQueryObserver(s.queryClient, s.queries.usersInfinite(query));
  const unsubscribe = observer.subscribe(() => {});
  await observer.refetch();
  let result = observer.getCurrentResult();
  while (result.hasNextPage) result = await observer.fetchNextPage();
  return { result, observer, unsubscribe };
};

const infiniteKey = (limit: number) => firmSecurityKeys.userInfinite({ limit });

/** The user `id` as every cache entry under the users prefix holds it, by entry. */
const cachedCopies = (s: Setup, id: string) => {
  const copies: { key: string; user: FirmUser }[] = [];
  for (const [key, data] of s.queryClient.getQueriesData<unknown>({ queryKey: firmSecurityKeys.users() })) {
    const record = data as FirmUser | UserPage | InfiniteData<UserPage> | undefined;
    if (!record) continue;
    const users =
      'pages' in record ? record.pages.flatMap((p) => p.items) : 'items' in record ? record.items : [record];
    for (const user of users) if (user.id === id) copies.push({ key: JSON.stringify(key), user });
  }
  return copies;
};

/** Fills the cache with a full list page, a searched page, an infinite list (all pages) and the detail. */
const fillCache = async (s: Setup, ...ids: string[]) => {
  await s.queryClient.fetchQuery(s.queries.users({ limit: 100 }));
  await s.queryClient.fetchQuery(s.queries.users({ limit: 4, sort: '-name' }));
  const walked = await walkInfinite(s, { limit: 4 });
  walked.unsubscribe();
  for (const id of ids) await s.queryClient.fetchQuery(s.queries.user(id));
  return walked.result;
};

describe('firmSecurityKeys', () => {
  it('is one factory whose keys nest under users() and all()', () => {
    const users = firmSecurityKeys.users();
    const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) =>
      prefix.every((part, index) => key[index] === part);
    for (const key of [
      firmSecurityKeys.userList({ limit: 5 }),
      firmSecurityKeys.userInfinite({ limit: 5 }),
      firmSecurityKeys.user('usr_1'),
      firmSecurityKeys.userLists(),
      firmSecurityKeys.userInfiniteLists(),
    ]) {
      expect(startsWith(key, users)).toBe(true);
      expect(key.length).toBeGreaterThan(users.length);
    }
    expect(startsWith(firmSecurityKeys.userList(), firmSecurityKeys.userLists())).toBe(true);
    expect(startsWith(firmSecurityKeys.userInfinite(), firmSecurityKeys.userInfiniteLists())).toBe(true);
    for (const key of [users, firmSecurityKeys.viewer(), firmSecurityKeys.events(), firmSecurityKeys.eventList()]) {
      expect(startsWith(key, firmSecurityKeys.all())).toBe(true);
    }
    expect(startsWith(firmSecurityKeys.viewer(), users)).toBe(false);
    expect(startsWith(firmSecurityKeys.events(), users)).toBe(false);
    // Stable: the same query gives an equal key (so the cache finds it again).
    expect(firmSecurityKeys.userList({ limit: 5 })).toEqual(firmSecurityKeys.userList({ limit: 5 }));
    expect(firmSecurityKeys.userList({ limit: 5 })).not.toEqual(firmSecurityKeys.userList({ limit: 6 }));
  });

  it('invalidating users() reaches lists, infinite lists and details, but not the viewer or events', async () => {
    const s = await setup();
    const id = s.h.ids[demo.plain] as string;
    await fillCache(s, id);
    await s.queryClient.fetchQuery(s.queries.viewer());
    await s.queryClient.fetchQuery(s.queries.events());
    await s.queryClient.invalidateQueries({ queryKey: firmSecurityKeys.users() });
    const state = (key: readonly unknown[]) => s.queryClient.getQueryState(key)?.isInvalidated;
    expect(state(firmSecurityKeys.userList({ limit: 100 }))).toBe(true);
    expect(state(infiniteKey(4))).toBe(true);
    expect(state(firmSecurityKeys.user(id))).toBe(true);
    expect(state(firmSecurityKeys.viewer())).toBe(false);
    expect(state(firmSecurityKeys.eventList())).toBe(false);
  });
});

describe('firmSecurityQueries', () => {
  it('works with fetchQuery for the viewer, a page, a user and the events; retry is off', async () => {
    const s = await setup();
    const id = s.h.ids[demo.plain] as string;
    const viewer = await s.queryClient.fetchQuery(s.queries.viewer());
    expect(viewer.user.email).toBe(demo.primary);
    const page = await s.queryClient.fetchQuery(s.queries.users({ limit: 3 }));
    expect(page.items).toHaveLength(3);
    expect(page.total).toBeGreaterThan(3);
    expect(s.queryClient.getQueryData(firmSecurityKeys.userList({ limit: 3 }))).toEqual(page);
    const user = await s.queryClient.fetchQuery(s.queries.user(id));
    expect(user.email).toBe(demo.plain);
    const events = await s.queryClient.fetchQuery(s.queries.events({ limit: 2 }));
    expect(events.items.length).toBeLessThanOrEqual(2);
    for (const options of [
      s.queries.viewer(),
      s.queries.users(),
      s.queries.usersInfinite(),
      s.queries.user(id),
      s.queries.events(),
    ]) {
      expect(options.retry).toBe(false);
    }
  });

  it('the infinite list walks every page, each user once', async () => {
    const s = await setup();
    const first = await s.queryClient.fetchInfiniteQuery(s.queries.usersInfinite({ limit: 4 }));
    expect(first.pages).toHaveLength(1);
    const { result, unsubscribe } = await walkInfinite(s, { limit: 4 });
    unsubscribe();
    const data = result.data as InfiniteData<UserPage, string | null>;
    const total = data.pages[0]?.total ?? 0;
    expect(total).toBeGreaterThan(8);
    expect(data.pages.length).toBe(Math.ceil(total / 4));
    const ids = data.pages.flatMap((p) => p.items.map((u) => u.id));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(data.pageParams[0]).toBeNull();
    expect(data.pageParams.slice(1).every((p) => typeof p === 'string')).toBe(true);
    expect(result.hasNextPage).toBe(false);
  });

  it('a query does not add retries on top of the client: one call, 1 + 2 attempts, typed error', async () => {
    const s = await setup({
      inject: (next) => answer(next, matching('GET', '/firm/users'), 500, {}, Number.POSITIVE_INFINITY),
    });
    const observer = new QueryObserver(s.queryClient, s.queries.users({ limit: 2 }));
    const settled = new Promise<void>((resolve) => {
      const unsubscribe = observer.subscribe((result) => {
        if (result.status === 'error') {
          unsubscribe();
          resolve();
        }
      });
    });
    await settled;
    const result = observer.getCurrentResult();
    expect(result.error).toBeInstanceOf(ServerError);
    expect(result.failureCount).toBe(1);
    expect(s.injector?.seen).toHaveLength(3);
  });
});

describe('firmSecurityMutations: optimistic updates', () => {
  it('applies the change to every cached list page, infinite page and detail while in flight, then writes the answer', async () => {
    const s = await setup();
    const id = s.h.ids[demo.plain] as string;
    const other = s.h.ids[demo.plain2] as string;
    await fillCache(s, id, other);
    const before = cachedCopies(s, id);
    // The full list, the infinite list and the detail hold the user (the -name page may or may not).
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((c) => c.user.requirement.status === 'not_required')).toBe(true);
    const otherBefore = cachedCopies(s, other);

    const gate = s.gates.hold(matching('PUT', `/users/${id}/requirement`));
    const observer = new MutationObserver(s.queryClient, s.mutations.setRequirement);
    const done = observer.mutate({ id, required: true });
    await gate.arrived;

    const during = cachedCopies(s, id);
    expect(during.map((c) => c.key)).toEqual(before.map((c) => c.key));
    expect(during.every((c) => c.user.requirement.status === 'required')).toBe(true);
    expect(during.every((c) => c.user.version === before[0]?.user.version)).toBe(true);
    expect(cachedCopies(s, other)).toEqual(otherBefore);
    expect(observer.getCurrentResult().status).toBe('pending');

    gate.release();
    const user = await done;
    expect(user.requirement.status).toBe('required');
    expect(user.version).toBeGreaterThan(before[0]?.user.version ?? 0);
    const after = cachedCopies(s, id);
    expect(after.map((c) => c.key)).toEqual(before.map((c) => c.key));
    expect(after.every((c) => c.user.version === user.version && c.user.requirement.status === 'required')).toBe(true);
    expect(observer.getCurrentResult().status).toBe('success');
  });

  it('rolls back everywhere when the server rejects (identity_not_migrated)', async () => {
    const s = await setup();
    const id = s.h.ids[demo.notMigrated] as string;
    await fillCache(s, id);
    const before = cachedCopies(s, id);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((c) => c.user.requirement.status === 'not_available')).toBe(true);

    const gate = s.gates.hold(matching('PUT', `/users/${id}/requirement`));
    const observer = new MutationObserver(s.queryClient, s.mutations.setRequirement);
    const done = observer.mutate({ id, required: true });
    await gate.arrived;
    expect(cachedCopies(s, id).every((c) => c.user.requirement.status === 'required')).toBe(true);
    gate.release();

    const error = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: 'identity_not_migrated' });
    expect(observer.getCurrentResult().error).toBe(error);
    expect(cachedCopies(s, id)).toEqual(before);
  });

  it('rolls back a refused disable of the primary subscriber (primary_subscriber_protected)', async () => {
    // Another administrator (2FA on, freshly verified) tries to disable the primary subscriber's 2FA.
    const admin = await setup({ as: demo.adminWith2fa });
    const target = admin.h.ids[demo.primary] as string;
    await fillCache(admin, target);
    const before = cachedCopies(admin, target);
    expect(before.every((c) => c.user.twoFactor.status === 'enabled')).toBe(true);

    const gate = admin.gates.hold(matching('POST', `/users/${target}/two-factor/disable`));
    const observer = new MutationObserver(admin.queryClient, admin.mutations.disableTwoFactor);
    const done = observer.mutate({ id: target });
    await gate.arrived;
    expect(cachedCopies(admin, target).every((c) => c.user.twoFactor.status === 'not_enabled')).toBe(true);
    gate.release();

    await expect(done).rejects.toBeInstanceOf(ForbiddenError);
    expect(observer.getCurrentResult().error).toMatchObject({ code: 'primary_subscriber_protected' });
    expect(cachedCopies(admin, target)).toEqual(before);
    expect((await admin.client.users.get(target)).twoFactor.status).toBe('enabled');
  });

  it('a rollback does not undo a concurrent in-flight change to another user, even with an active list', async () => {
    const s = await setup();
    const good = s.h.ids[demo.plain] as string;
    const bad = s.h.ids[demo.notMigrated] as string;
    await fillCache(s, good, bad);
    // A mounted list, as in the UI: invalidation refetches it.
    const list = new QueryObserver(s.queryClient, s.queries.users({ limit: 100 }));
    const unsubscribe = list.subscribe(() => {});
    const goodBefore = cachedCopies(s, good);
    const badBefore = cachedCopies(s, bad);

    const goodGate = s.gates.hold(matching('PUT', `/users/${good}/requirement`));
    const goodDone = new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({
      id: good,
      required: true,
    });
    await goodGate.arrived;

    await expect(
      new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({ id: bad, required: true }),
    ).rejects.toMatchObject({ code: 'identity_not_migrated' });

    // The failed one is back to what it was; the one still in flight keeps its optimistic value everywhere.
    expect(cachedCopies(s, bad).map((c) => c.user.requirement)).toEqual(badBefore.map((c) => c.user.requirement));
    const goodDuring = cachedCopies(s, good);
    expect(goodDuring.map((c) => c.key)).toEqual(goodBefore.map((c) => c.key));
    expect(goodDuring.every((c) => c.user.requirement.status === 'required')).toBe(true);

    // Invalidation waits for the last mutation in flight to settle...
    expect(s.queryClient.getQueryState(firmSecurityKeys.user(bad))?.isInvalidated).toBe(false);

    goodGate.release();
    const saved = await goodDone;
    // ...which then invalidates everything (and refetches the mounted list).
    expect(s.queryClient.getQueryState(firmSecurityKeys.user(bad))?.isInvalidated).toBe(true);
    expect(s.queryClient.getQueryState(firmSecurityKeys.user(good))?.isInvalidated).toBe(true);
    expect(s.queryClient.getQueryState(firmSecurityKeys.userList({ limit: 100 }))?.isInvalidated).toBe(false);
    expect(cachedCopies(s, good).every((c) => c.user.version === saved.version)).toBe(true);
    expect(cachedCopies(s, good).every((c) => c.user.requirement.status === 'required')).toBe(true);
    expect(cachedCopies(s, bad).every((c) => c.user.requirement.status === 'not_available')).toBe(true);
    unsubscribe();
  });

  it('a failure settling after another user’s success keeps that success', async () => {
    const s = await setup();
    const good = s.h.ids[demo.plain] as string;
    const bad = s.h.ids[demo.notMigrated] as string;
    await fillCache(s, good, bad);
    const badBefore = cachedCopies(s, bad);

    const badGate = s.gates.hold(matching('PUT', `/users/${bad}/requirement`));
    const badDone = new MutationObserver(s.queryClient, s.mutations.setRequirement)
      .mutate({ id: bad, required: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await badGate.arrived;
    const saved = await new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({
      id: good,
      required: true,
    });
    badGate.release();
    expect(await badDone).toBeInstanceOf(ConflictError);

    expect(cachedCopies(s, bad)).toEqual(badBefore);
    const goodAfter = cachedCopies(s, good);
    expect(goodAfter.length).toBeGreaterThanOrEqual(3);
    expect(goodAfter.every((c) => c.user.version === saved.version && c.user.requirement.status === 'required')).toBe(
      true,
    );
  });

  it('predicts allowedActions as the server answers right after (but a retryAt it cannot know)', async () => {
    const s = await setup();
    const plain = s.h.ids[demo.plain] as string;
    const invited = s.h.ids[demo.invited] as string;
    const enabled = s.h.ids[demo.userWith2fa] as string;
    await fillCache(s, plain, invited, enabled);
    expect(cachedCopies(s, invited)[0]?.user.allowedActions.remind).toEqual({ allowed: true });
    const withoutRetryAt = ({ remind, ...actions }: AllowedActions): AllowedActions => ({
      ...actions,
      remind: remind.allowed ? remind : { allowed: false, reason: remind.reason },
    });

    /** The action with its request held: every cached copy's allowedActions meanwhile, then the server's answer. */
    const predicted = async (id: string, path: string, mutate: () => Promise<FirmUser>) => {
      const gate = s.gates.hold(matching('POST', `/users/${id}${path}`));
      const done = mutate();
      await gate.arrived;
      const during = cachedCopies(s, id).map((c) => c.user.allowedActions);
      gate.release();
      const answer = await done;
      expect(during.length).toBeGreaterThanOrEqual(3);
      for (const actions of during) expect(actions).toEqual(withoutRetryAt(answer.allowedActions));
      return answer.allowedActions;
    };

    const invite = await predicted(plain, '/invitation', () =>
      new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: plain }),
    );
    expect(invite.invite).toEqual({ allowed: false, reason: 'already_invited' });
    expect(invite.remind).toMatchObject({ allowed: false, reason: 'reminder_too_soon' });
    const remind = await predicted(invited, '/invitation/reminders', () =>
      new MutationObserver(s.queryClient, s.mutations.remind).mutate({ id: invited }),
    );
    expect(remind.remind).toMatchObject({ allowed: false, reason: 'reminder_too_soon' });
    const disable = await predicted(enabled, '/two-factor/disable', () =>
      new MutationObserver(s.queryClient, s.mutations.disableTwoFactor).mutate({ id: enabled }),
    );
    expect(disable.disableTwoFactor).toEqual({ allowed: false, reason: 'two_factor_not_enabled' });
    expect(disable.invite).toEqual({ allowed: true });
  });
});

describe('firmSecurityMutations: 412 and invalidation', () => {
  it('a stale ifMatch refetches the row, shows the server’s version and surfaces PreconditionFailedError', async () => {
    const s = await setup();
    const id = s.h.ids[demo.plain] as string;
    await fillCache(s, id);
    const stale = cachedCopies(s, id);
    const staleVersion = stale[0]?.user.version as number;
    expect(stale.every((c) => c.user.requirement.status === 'not_required')).toBe(true);

    // Someone else requires 2FA for the user meanwhile.
    const other = await s.h.signIn(demo.adminWith2fa);
    const changed = await other.put(`/firm/users/${id}/requirement`, { required: true });
    expect(changed.status).toBe(200);
    const current: FirmUser = changed.body;
    expect(current.version).toBeGreaterThan(staleVersion);

    // We, from the stale screen, set it to "not required" with the version we saw.
    const observer = new MutationObserver(s.queryClient, s.mutations.setRequirement);
    const error = await observer.mutate({ id, required: false, ifMatch: staleVersion }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(error).toMatchObject({ status: 412, code: 'version_conflict' });
    expect(observer.getCurrentResult().error).toBe(error);

    // Not the optimistic value, not the stale one: the server's current row, everywhere it is cached.
    const after = cachedCopies(s, id);
    expect(after.map((c) => c.key)).toEqual(stale.map((c) => c.key));
    for (const copy of after) {
      expect(copy.user.version).toBe(current.version);
      expect(copy.user.requirement.status).toBe('required');
    }
    // And the server was not overwritten.
    expect((await s.client.users.get(id)).requirement.status).toBe('required');
  });

  it('onSettled invalidates the users and events prefixes (and refetches what is observed), not the viewer', async () => {
    const s = await setup();
    const id = s.h.ids[demo.plain] as string;
    await fillCache(s, id);
    await s.queryClient.fetchQuery(s.queries.viewer());
    await s.queryClient.fetchQuery(s.queries.events({ limit: 5 }));
    const eventsObserver = new QueryObserver(s.queryClient, s.queries.events({ targetId: id }));
    const unsubscribe = eventsObserver.subscribe(() => {});
    await eventsObserver.refetch();
    expect(eventsObserver.getCurrentResult().data?.items).toHaveLength(0);

    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id });

    const state = (key: readonly unknown[]) => s.queryClient.getQueryState(key);
    expect(state(firmSecurityKeys.userList({ limit: 100 }))?.isInvalidated).toBe(true);
    expect(state(infiniteKey(4))?.isInvalidated).toBe(true);
    expect(state(firmSecurityKeys.user(id))?.isInvalidated).toBe(true);
    expect(state(firmSecurityKeys.eventList({ limit: 5 }))?.isInvalidated).toBe(true);
    expect(state(firmSecurityKeys.viewer())?.isInvalidated).toBe(false);
    // The observed events query was refetched and now shows the invitation.
    expect(state(firmSecurityKeys.eventList({ targetId: id }))?.isInvalidated).toBe(false);
    expect(eventsObserver.getCurrentResult().data?.items.map((e) => e.action)).toEqual(['two_factor.invited']);
    unsubscribe();
  });

  it('invalidates on error too', async () => {
    const s = await setup();
    const id = s.h.ids[demo.notMigrated] as string;
    await fillCache(s, id);
    await s.queryClient.fetchQuery(s.queries.events());
    await expect(
      new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({ id, required: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(s.queryClient.getQueryState(firmSecurityKeys.user(id))?.isInvalidated).toBe(true);
    expect(s.queryClient.getQueryState(firmSecurityKeys.eventList())?.isInvalidated).toBe(true);
  });
});

describe('deep infinite lists (more than MAX_REFETCHED_PAGES pages loaded)', () => {
  /** A setup that records the query string of every GET /firm/users. */
  const counted = async () => {
    const lists: string[] = [];
    const s = await setup({
      inject: (next) => ({
        seen: [],
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          const request = new Request(input, init);
          const url = new URL(request.url);
          if (request.method === 'GET' && url.pathname.endsWith('/firm/users')) lists.push(url.search);
          return next(request);
        }) as Fetch,
      }),
    });
    return { s, lists };
  };
  const until = async (check: () => boolean) => {
    for (let waited = 0; !check(); waited += 10) {
      if (waited > 3000) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** The firm summary once `count` not-enabled users have been invited. */
  const afterInvites = (before: UserPage['summary'], count: number): UserPage['summary'] => ({
    ...before,
    invited: before.invited + count,
    notEnabled: before.notEnabled - count,
  });
  const invitable = (data: InfiniteData<UserPage> | undefined) =>
    data?.pages.flatMap((page) => page.items).find((user) => user.allowedActions.invite.allowed) as FirmUser;

  it('after an action, refreshes only its counts (one request) and keeps its rows; the user shows the answer', async () => {
    const { s, lists } = await counted();
    // Observed, as the table observes its list, with every page loaded.
    const walked = await walkInfinite(s, { limit: 1 });
    const loaded = walked.result.data?.pages.length ?? 0;
    expect(loaded).toBeGreaterThan(MAX_REFETCHED_PAGES);
    const target = invitable(walked.result.data);
    const before = walked.result.data?.pages[0]?.summary as UserPage['summary'];
    lists.length = 0;

    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: target.id });

    // One request for the counts, instead of one per loaded page.
    expect(lists).toHaveLength(1);
    const data = s.queryClient.getQueryData<InfiniteData<UserPage>>(infiniteKey(1));
    expect(data?.pages).toHaveLength(loaded);
    for (const page of data?.pages ?? []) {
      expect(page.summary).toEqual(afterInvites(before, 1));
    }
    const copy = data?.pages.flatMap((page) => page.items).find((user) => user.id === target.id);
    expect(copy?.twoFactor.status).toBe('invited');
    // Stale: refetched whole when it is next mounted.
    expect(s.queryClient.getQueryState(infiniteKey(1))?.isInvalidated).toBe(true);
    walked.unsubscribe();
  });

  /** GET /firm/users with or without a cursor (a next page, or a first page such as the counts). */
  const list =
    (withCursor: boolean): Match =>
    (request) =>
      matching('GET', '/firm/users')(request) && new URL(request.url).searchParams.has('cursor') === withCursor;

  /** An observed list of one user per page, deep, with a page still to load. */
  const deepWithMore = async (s: Setup) => {
    const observer = new InfiniteQueryObserver(s.queryClient, s.queries.usersInfinite({ limit: 1 }));
    const unsubscribe = observer.subscribe(() => {});
    await observer.refetch();
    let result = observer.getCurrentResult();
    while ((result.data?.pages.length ?? 0) <= MAX_REFETCHED_PAGES) result = await observer.fetchNextPage();
    expect(result.hasNextPage).toBe(true);
    const data = result.data as InfiniteData<UserPage>;
    return { observer, unsubscribe, data, users: data.pages.flatMap((page) => page.items) };
  };
  const cachedUser = (s: Setup, id: string) =>
    s.queryClient
      .getQueryData<InfiniteData<UserPage>>(infiniteKey(1))
      ?.pages.flatMap((page) => page.items)
      .find((user) => user.id === id);

  /**
   * Runs `mutate` with the request `heldAt` held. Meanwhile the user scrolls on: a next page starts from the
   * cache as the action left it so far, and it comes back once that request is answered, while the counts
   * are on their way. Returns the mutation's answer, or its error.
   */
  const withPageInFlight = async (
    s: Setup,
    observer: { fetchNextPage: () => Promise<unknown> },
    heldAt: Match,
    mutate: () => Promise<FirmUser>,
  ): Promise<FirmUser | unknown> => {
    const held = s.gates.hold(heldAt);
    const outcome = mutate().catch((error: unknown) => error);
    await held.arrived;
    const nextPage = s.gates.hold(list(true));
    const fetching = observer.fetchNextPage();
    await nextPage.arrived;
    const counts = s.gates.hold(list(false));
    held.release();
    await counts.arrived;
    nextPage.release();
    await fetching;
    counts.release();
    return outcome;
  };

  it('keeps the refreshed counts when a next page was in flight as they arrived', async () => {
    const { s } = await counted();
    const { observer, unsubscribe, data } = await deepWithMore(s);
    const before = data.pages[0]?.summary as UserPage['summary'];

    const counts = s.gates.hold(list(false));
    const mutation = new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: invitable(data).id });
    await counts.arrived;
    // The user scrolls on: the next page is asked for while the counts are on their way.
    const nextPage = s.gates.hold(list(true));
    const fetching = observer.fetchNextPage();
    await nextPage.arrived;
    counts.release();
    await mutation;
    nextPage.release();
    await fetching;

    const after = s.queryClient.getQueryData<InfiniteData<UserPage>>(infiniteKey(1));
    expect(after?.pages[0]?.summary).toEqual(afterInvites(before, 1));
    unsubscribe();
  });

  it('a next page in flight when an action is refused does not bring the refused change back', async () => {
    const { s } = await counted();
    const { observer, unsubscribe, users } = await deepWithMore(s);
    // Inviting a user whose 2FA is on: the server refuses (409 already_enabled). The next page starts from
    // the pages showing the optimistic "invited", and comes back after the rollback.
    const enabled = users.find((user) => user.twoFactor.status === 'enabled') as FirmUser;
    const outcome = await withPageInFlight(s, observer, matching('POST', `/users/${enabled.id}/invitation`), () =>
      new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: enabled.id }),
    );
    expect(outcome).toBeInstanceOf(ConflictError);
    expect(cachedUser(s, enabled.id)?.twoFactor.status).toBe('enabled');
    unsubscribe();
  });

  it("a next page in flight when an action succeeds does not put back the guess over the server's answer", async () => {
    const { s } = await counted();
    const { observer, unsubscribe, data } = await deepWithMore(s);
    const target = invitable(data);
    const answer = (await withPageInFlight(s, observer, matching('POST', `/users/${target.id}/invitation`), () =>
      new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: target.id }),
    )) as FirmUser;
    // The server's version, not the optimistic guess (which kept the old one: the next action would get a 412).
    expect(answer.version).toBeGreaterThan(target.version);
    expect(cachedUser(s, target.id)?.version).toBe(answer.version);
    unsubscribe();
  });

  it('refetches a deep list whole when an action interrupted its refetch', async () => {
    const { s, lists } = await counted();
    const { observer, unsubscribe, data } = await deepWithMore(s);
    const loaded = data.pages.length;
    // A full refetch (as when the table is mounted again) is under way when an action starts.
    const first = s.gates.hold(list(false));
    const refetching = observer.refetch();
    await first.arrived;
    lists.length = 0;
    const target = invitable(data);
    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: target.id });
    first.release();
    await refetching;

    // Not one request for the counts: every loaded page again, the first and then each by its cursor.
    expect(lists).toHaveLength(loaded);
    expect(lists.filter((search) => search.includes('cursor='))).toHaveLength(loaded - 1);
    expect(cachedUser(s, target.id)?.twoFactor.status).toBe('invited');
    unsubscribe();
  });

  it('keeps the newest counts when an older count request answers last', async () => {
    let holdNext: Promise<void> | undefined;
    let answered = () => {};
    const s = await setup({
      inject: (next) => ({
        seen: [],
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          const request = new Request(input, init);
          const response = await next(request);
          // The server has answered; the answer is held on its way back.
          if (holdNext && list(false)(request) && new URL(request.url).searchParams.get('limit') === '1') {
            const wait = holdNext;
            holdNext = undefined;
            answered();
            await wait;
          }
          return response;
        }) as Fetch,
      }),
    });
    const walked = await walkInfinite(s, { limit: 1 });
    const data = walked.result.data as InfiniteData<UserPage>;
    const before = data.pages[0]?.summary as UserPage['summary'];
    const [first, second] = data.pages
      .flatMap((page) => page.items)
      .filter((user) => user.allowedActions.invite.allowed) as [FirmUser, FirmUser];

    let release = () => {};
    holdNext = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const one = new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: first.id });
    await held;
    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: second.id });
    release();
    await one;

    const after = s.queryClient.getQueryData<InfiniteData<UserPage>>(infiniteKey(1));
    expect(after?.pages[0]?.summary).toEqual(afterInvites(before, 2));
    walked.unsubscribe();
  });

  it('an unobserved deep list is only marked stale: no request', async () => {
    const { s, lists } = await counted();
    const walked = await walkInfinite(s, { limit: 1 });
    walked.unsubscribe();
    lists.length = 0;
    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: invitable(walked.result.data).id });
    expect(lists).toHaveLength(0);
    expect(s.queryClient.getQueryState(infiniteKey(1))?.isInvalidated).toBe(true);
  });

  it("follows the QueryClient's own focus defaults for a shorter list, when given the QueryClient", async () => {
    const { s, lists } = await counted();
    /** How many users pages a window focus asks for again, under these QueryClient defaults. */
    const refetchedOnFocus = async (setUp: (queryClient: QueryClient) => void, withClient = true) => {
      const queryClient = new QueryClient();
      setUp(queryClient);
      clients.push(queryClient);
      queryClient.mount();
      const queries = withClient ? firmSecurityQueries(s.client, queryClient) : firmSecurityQueries(s.client);
      const observer = new InfiniteQueryObserver(queryClient, queries.usersInfinite({ limit: 4 }));
      const unsubscribe = observer.subscribe(() => {});
      try {
        await observer.refetch();
        lists.length = 0;
        focusManager.setFocused(false);
        focusManager.setFocused(true);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return lists.length;
      } finally {
        unsubscribe();
        focusManager.setFocused(undefined);
        queryClient.unmount();
      }
    };
    const off = (queryClient: QueryClient) =>
      queryClient.setDefaultOptions({ queries: { refetchOnWindowFocus: false } });
    expect(await refetchedOnFocus(off)).toBe(0);
    expect(
      await refetchedOnFocus((queryClient) =>
        queryClient.setQueryDefaults(firmSecurityKeys.users(), {
          refetchOnWindowFocus: false,
        }),
      ),
    ).toBe(0);
    expect(
      await refetchedOnFocus((queryClient) =>
        queryClient.setDefaultOptions({
          queries: { refetchOnWindowFocus: () => true },
        }),
      ),
    ).toBeGreaterThan(0);
    // Without the QueryClient, TanStack Query's own default applies: refetched.
    expect(await refetchedOnFocus(off, false)).toBeGreaterThan(0);
  });

  it('marks a deep list stale when its counts cannot be fetched, and keeps its counts', async () => {
    let failCounts = false;
    const s = await setup({
      inject: (next) => ({
        seen: [],
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          const request = new Request(input, init);
          if (failCounts && list(false)(request)) return new Response('not here', { status: 404 });
          return next(request);
        }) as Fetch,
      }),
    });
    const walked = await walkInfinite(s, { limit: 1 });
    const before = walked.result.data?.pages[0]?.summary;
    failCounts = true;
    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: invitable(walked.result.data).id });
    const state = s.queryClient.getQueryState<InfiniteData<UserPage>>(infiniteKey(1));
    expect(state?.isInvalidated).toBe(true);
    expect(state?.data?.pages[0]?.summary).toEqual(before);
    walked.unsubscribe();
  });

  it("after a 412, a next page in flight does not put back the outdated user over the server's", async () => {
    const { s } = await counted();
    const { observer, unsubscribe, users } = await deepWithMore(s);
    const target = users.find((user) => user.allowedActions.setRequirement.allowed) as FirmUser;
    // Someone else changes the user: the version the list holds is now outdated. The next page starts
    // from the outdated user while the row is reloaded.
    const current = await s.client.users.setRequirement(target.id, target.requirement.status !== 'required');
    const outcome = await withPageInFlight(s, observer, matching('GET', `/firm/users/${target.id}`), () =>
      new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({
        id: target.id,
        required: true,
        ifMatch: target.version,
      }),
    );
    expect(outcome).toBeInstanceOf(PreconditionFailedError);
    expect(cachedUser(s, target.id)?.version).toBe(current.version);
    unsubscribe();
  });

  it("a refused action (409) shows the server's user in a deep list, not the stale one", async () => {
    const { s } = await counted();
    const { unsubscribe, data } = await deepWithMore(s);
    const target = invitable(data);
    // Invited from elsewhere (another tab, another administrator): the list still shows the user as not invited.
    const current = await s.client.users.invite(target.id);
    const refused = new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: target.id });
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({ code: 'already_invited' });
    expect(cachedUser(s, target.id)).toEqual(current);
    expect(cachedUser(s, target.id)?.allowedActions.invite).toEqual({ allowed: false, reason: 'already_invited' });
    unsubscribe();
  });

  it('a 404 takes the user out of a deep list', async () => {
    const { s } = await counted();
    const { unsubscribe, data } = await deepWithMore(s);
    const target = invitable(data);
    // Deactivated meanwhile (the API has no call for it: straight in the server's store).
    s.h.store.updateUser({
      ...(s.h.store.getUser(target.id) as NonNullable<ReturnType<typeof s.h.store.getUser>>),
      active: false,
    });
    await expect(
      new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: target.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const after = s.queryClient.getQueryData<InfiniteData<UserPage>>(infiniteKey(1));
    expect(after?.pages).toHaveLength(data.pages.length);
    expect(cachedUser(s, target.id)).toBeUndefined();
    expect(after?.pages[0]?.total).toBe((data.pages[0]?.total ?? 0) - 1);
    unsubscribe();
  });

  it('a failed action does not erase a concurrent success on the same user', async () => {
    const { s } = await counted();
    const { unsubscribe } = await deepWithMore(s);
    const self = s.h.ids[demo.primary] as string;
    const before = cachedUser(s, self) as FirmUser;
    expect(before.allowedActions.setRequirement.allowed).toBe(true);
    // A slow action that the server refuses (the viewer's own 2FA: 403 self_action_not_allowed)...
    const slow = s.gates.hold(matching('POST', `/users/${self}/two-factor/disable`));
    const refused = new MutationObserver(s.queryClient, s.mutations.disableTwoFactor)
      .mutate({ id: self })
      .catch((error: unknown) => error);
    await slow.arrived;
    // ...and meanwhile one on the same user that succeeds.
    const saved = await new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({
      id: self,
      required: before.requirement.status !== 'required',
      ifMatch: before.version,
    });
    expect(saved.version).toBeGreaterThan(before.version);
    slow.release();
    expect(await refused).toMatchObject({ code: 'self_action_not_allowed' });

    // Not the user from before both actions: the success (and its version, for the next ifMatch) stays.
    expect(cachedUser(s, self)).toEqual(await s.client.users.get(self));
    expect(cachedUser(s, self)?.version).toBe(saved.version);
    expect(cachedUser(s, self)?.requirement).toEqual(saved.requirement);
    unsubscribe();
  });

  it('a user fetched again after a refusal never replaces a newer copy that another action wrote meanwhile', async () => {
    const s = await setup();
    const { unsubscribe, users } = await deepWithMore(s);
    const target = users.find(
      (user) => user.allowedActions.invite.allowed && user.allowedActions.setRequirement.allowed,
    ) as FirmUser;
    // Invited elsewhere: the invitation below is refused (409), and the SDK fetches the user again.
    await s.client.users.invite(target.id);
    const refetch = s.gates.hold(matching('GET', `/firm/users/${target.id}`), true);
    const refused = new MutationObserver(s.queryClient, s.mutations.invite)
      .mutate({ id: target.id })
      .catch((error: unknown) => error);
    await refetch.arrived;
    // Meanwhile another action on the user succeeds: its answer is newer than the one on its way.
    const saved = await new MutationObserver(s.queryClient, s.mutations.setRequirement).mutate({
      id: target.id,
      required: true,
    });
    refetch.release();
    expect(await refused).toBeInstanceOf(ConflictError);
    expect(cachedUser(s, target.id)?.version).toBe(saved.version);
    expect(cachedUser(s, target.id)?.requirement.status).toBe('required');
    unsubscribe();
  });

  it('a list of up to MAX_REFETCHED_PAGES pages is refetched whole after an action', async () => {
    const { s, lists } = await counted();
    const walked = await walkInfinite(s, { limit: 4 });
    const loaded = walked.result.data?.pages.length ?? 0;
    expect(loaded).toBeGreaterThan(1);
    expect(loaded).toBeLessThanOrEqual(MAX_REFETCHED_PAGES);
    lists.length = 0;

    await new MutationObserver(s.queryClient, s.mutations.invite).mutate({ id: invitable(walked.result.data).id });

    expect(lists).toHaveLength(loaded);
    expect(s.queryClient.getQueryState(infiniteKey(4))?.isInvalidated).toBe(false);
    walked.unsubscribe();
  });

  const triggers = {
    'the window regains focus': {
      fire: () => {
        focusManager.setFocused(false);
        focusManager.setFocused(true);
      },
      reset: () => focusManager.setFocused(undefined),
    },
    'the network comes back': {
      fire: () => {
        onlineManager.setOnline(false);
        onlineManager.setOnline(true);
      },
      reset: () => onlineManager.setOnline(true),
    },
  };
  for (const [when, trigger] of Object.entries(triggers)) {
    it(`is not refetched when ${when}; a shorter list is`, async () => {
      const { s, lists } = await counted();
      s.queryClient.mount();
      try {
        const deep = await walkInfinite(s, { limit: 1 });
        const shallow = await walkInfinite(s, { limit: 4 });
        const shallowPages = shallow.result.data?.pages.length ?? 0;
        lists.length = 0;

        trigger.fire();
        await until(() => lists.length >= shallowPages);
        await new Promise((resolve) => setTimeout(resolve, 50));

        // Only the shallow list's pages (limit=4) were asked for again.
        expect(lists).toHaveLength(shallowPages);
        expect(lists.every((search) => search.includes('limit=4'))).toBe(true);
        deep.unsubscribe();
        shallow.unsubscribe();
      } finally {
        trigger.reset();
        s.queryClient.unmount();
      }
    });
  }
});
