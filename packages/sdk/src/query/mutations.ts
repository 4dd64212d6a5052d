import type { FirmUser, Permission, ProblemCode, UserPage } from '@firm-security/contract';
import type { MutationObserverOptions, QueryClient } from '@tanstack/query-core';
import type { FirmSecurityClient, MutationOptions } from '../client.js';
import { type FirmSecurityError, NotFoundError } from '../errors.js';
import { cancelUserQueries, isInfiniteUsers as isInfinite, refreshUsers } from './deep-lists.js';
import { firmSecurityKeys as keys } from './keys.js';

/** The user's new state, or undefined to take the user out of cached lists (a cached detail keeps it). */
type UserUpdate = (user: FirmUser) => FirmUser | undefined;

const isUser = (data: unknown): data is FirmUser =>
  typeof data === 'object' && data !== null && 'allowedActions' in data && 'id' in data;
const isPage = (data: unknown): data is UserPage =>
  typeof data === 'object' && data !== null && Array.isArray((data as UserPage).items);

const mapPage = (page: UserPage, id: string, update: UserUpdate): UserPage =>
  page.items.some((user) => user.id === id)
    ? { ...page, items: page.items.flatMap((user) => (user.id === id ? (update(user) ?? []) : user)) }
    : page;

/**
 * Applies `update` to user `id` in every cached detail, list page and infinite list. An update that
 * returns undefined removes the user from the lists.
 */
export const updateCachedUser = (queryClient: QueryClient, id: string, update: UserUpdate): void => {
  queryClient.setQueriesData<unknown>({ queryKey: keys.users() }, (data: unknown) => {
    if (isUser(data)) return data.id === id ? update(data) : data;
    if (isPage(data)) return mapPage(data, id, update);
    if (isInfinite(data)) return { ...data, pages: data.pages.map((page) => mapPage(page, id, update)) };
    return data;
  });
};

/** User `id` as a cached detail, list page or infinite list holds it. */
const userIn = (data: unknown, id: string): FirmUser | undefined =>
  (isInfinite(data) ? data.pages : [data])
    .flatMap((page) => (isPage(page) ? page.items : isUser(page) ? [page] : []))
    .find((user) => user.id === id);

const no = (reason: ProblemCode): Permission => ({ allowed: false, reason });

export type UserMutationVariables = { id: string } & Pick<MutationOptions, 'ifMatch' | 'idempotencyKey'>;
export type UserMutationOptions<V extends UserMutationVariables> = MutationObserverOptions<
  FirmUser,
  FirmSecurityError,
  V,
  /** Each copy of the user the optimistic update wrote (as cached), and the copy it replaced. */
  { previous: Map<FirmUser | undefined, FirmUser | undefined> }
>;

const nowIso = () => new Date().toISOString();

/**
 * Kit mutations in flight per QueryClient. Only the last one to settle invalidates: an earlier refetch
 * would overwrite the optimistic update of a mutation still in flight with the server's old state.
 */
const inFlight = new WeakMap<QueryClient, number>();

/**
 * Mutation options for the four firm actions. Each one updates every cached list and user entry at
 * once (its state and `allowedActions`, as the server would answer), rolls that back if the server says
 * no, writes the server's answer in on success, and invalidates the users and events prefixes when it
 * settles (a deep infinite list refreshes only its counts: see MAX_REFETCHED_PAGES). A 409 or 412, or a
 * copy another action changed meanwhile, refetches the user (a 404 removes it from the lists), so the UI
 * shows the current state; the typed error still reaches the caller.
 */
export const firmSecurityMutations = (client: FirmSecurityClient, queryClient: QueryClient) => {
  const optimistic = <V extends UserMutationVariables>(
    run: (variables: V) => Promise<FirmUser>,
    predict: (user: FirmUser, variables: V) => FirmUser,
  ): UserMutationOptions<V> => ({
    mutationFn: run,
    retry: false,
    onMutate: async (variables) => {
      inFlight.set(queryClient, (inFlight.get(queryClient) ?? 0) + 1);
      await cancelUserQueries(queryClient);
      const queries = queryClient.getQueryCache().findAll({ queryKey: keys.users() });
      const before = queries.map((query) => userIn(query.state.data, variables.id));
      updateCachedUser(queryClient, variables.id, (user) => predict(user, variables));
      return { previous: new Map(queries.map((query, i) => [userIn(query.state.data, variables.id), before[i]])) };
    },
    onError: async (error, { id }, context) => {
      await cancelUserQueries(queryClient);
      // A 409 or 412 shows the cached user was out of date; a 404, that the user is gone.
      let stale = [404, 409, 412].includes(error.status);
      // Only a copy still as this action wrote it is put back: another action (or a refetch) wrote the others.
      updateCachedUser(queryClient, id, (user) => {
        const before = context?.previous.get(user);
        stale ||= !before;
        return before ?? user;
      });
      if (!stale) return;
      const fresh = await client.users.get(id).catch((reason: unknown) => reason);
      await cancelUserQueries(queryClient);
      // An action that succeeded meanwhile may have written a newer copy than this answer: keep that.
      updateCachedUser(queryClient, id, (user) =>
        fresh instanceof NotFoundError ? undefined : isUser(fresh) && fresh.version >= user.version ? fresh : user,
      );
    },
    onSuccess: async (user) => {
      await cancelUserQueries(queryClient);
      updateCachedUser(queryClient, user.id, () => user);
    },
    onSettled: async () => {
      const left = Math.max(0, (inFlight.get(queryClient) ?? 1) - 1);
      inFlight.set(queryClient, left);
      if (left > 0) return;
      await Promise.all([
        refreshUsers(client, queryClient),
        queryClient.invalidateQueries({ queryKey: keys.events() }),
      ]);
    },
  });

  return {
    invite: optimistic<UserMutationVariables>(
      (v) => client.users.invite(v.id, v),
      (user) => ({
        ...user,
        twoFactor: { ...user.twoFactor, status: 'invited' },
        invitation: { sentAt: nowIso(), reminderCount: 0, lastReminderAt: null },
        // As the server answers right after: invited, and the reminder cooldown (its end unknown here) started.
        allowedActions: { ...user.allowedActions, invite: no('already_invited'), remind: no('reminder_too_soon') },
      }),
    ),
    remind: optimistic<UserMutationVariables>(
      (v) => client.users.remind(v.id, v),
      (user) => ({
        ...user,
        invitation: user.invitation && {
          ...user.invitation,
          reminderCount: user.invitation.reminderCount + 1,
          lastReminderAt: nowIso(),
        },
        allowedActions: { ...user.allowedActions, remind: no('reminder_too_soon') },
      }),
    ),
    // A PUT: idempotent by itself, it takes no Idempotency-Key.
    setRequirement: optimistic<Omit<UserMutationVariables, 'idempotencyKey'> & { required: boolean }>(
      (v) => client.users.setRequirement(v.id, v.required, v),
      (user, v) => ({
        ...user,
        requirement: { ...user.requirement, status: v.required ? 'required' : 'not_required' },
      }),
    ),
    disableTwoFactor: optimistic<UserMutationVariables>(
      (v) => client.users.disableTwoFactor(v.id, { confirm: true }, v),
      (user) => ({
        ...user,
        twoFactor: { status: 'not_enabled', enabledAt: null, backupCodesRemaining: null },
        // Enabling 2FA cleared any invitation (CONTRACT.md), so the user may be invited again.
        allowedActions: {
          ...user.allowedActions,
          invite: { allowed: true },
          disableTwoFactor: no('two_factor_not_enabled'),
        },
      }),
    ),
  };
};
