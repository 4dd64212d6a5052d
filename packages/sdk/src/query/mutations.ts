import type { FirmUser, UserPage } from '@firm-security/contract';
import type { MutationObserverOptions, QueryClient } from '@tanstack/query-core';
import type { FirmSecurityClient, MutationOptions } from '../client.js';
import { type FirmSecurityError, PreconditionFailedError } from '../errors.js';
import { cancelUserQueries, isInfiniteUsers as isInfinite, refreshUsers } from './deep-lists.js';
import { firmSecurityKeys as keys } from './keys.js';

type UserUpdate = (user: FirmUser) => FirmUser;

const isUser = (data: unknown): data is FirmUser =>
  typeof data === 'object' && data !== null && 'allowedActions' in data && 'id' in data;
const isPage = (data: unknown): data is UserPage =>
  typeof data === 'object' && data !== null && Array.isArray((data as UserPage).items);

const mapPage = (page: UserPage, id: string, update: UserUpdate): UserPage =>
  page.items.some((user) => user.id === id)
    ? { ...page, items: page.items.map((user) => (user.id === id ? update(user) : user)) }
    : page;

/** Applies `update` to user `id` in every cached detail, list page and infinite list. */
export const updateCachedUser = (queryClient: QueryClient, id: string, update: UserUpdate): void => {
  queryClient.setQueriesData<unknown>({ queryKey: keys.users() }, (data: unknown) => {
    if (isUser(data)) return data.id === id ? update(data) : data;
    if (isPage(data)) return mapPage(data, id, update);
    if (isInfinite(data)) return { ...data, pages: data.pages.map((page) => mapPage(page, id, update)) };
    return data;
  });
};

/** The user as each cache entry holds it, so a rollback restores exactly that (not other users' changes). */
const snapshotUser = (queryClient: QueryClient, id: string): Map<string, FirmUser> => {
  const previous = new Map<string, FirmUser>();
  for (const query of queryClient.getQueryCache().findAll({ queryKey: keys.users() })) {
    const data: unknown = query.state.data;
    const pages = isInfinite(data) ? data.pages : isPage(data) ? [data] : [];
    const found = isUser(data) ? data : pages.flatMap((page) => page.items).find((user) => user.id === id);
    if (found?.id === id) previous.set(query.queryHash, found);
  }
  return previous;
};

const restoreUser = (queryClient: QueryClient, id: string, previous: Map<string, FirmUser>) => {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: keys.users() })) {
    const before = previous.get(query.queryHash);
    if (!before) continue;
    queryClient.setQueryData<unknown>(query.queryKey, (data: unknown) => {
      if (isUser(data)) return before;
      if (isPage(data)) return mapPage(data, id, () => before);
      if (isInfinite(data)) return { ...data, pages: data.pages.map((page) => mapPage(page, id, () => before)) };
      return data;
    });
  }
};

export type UserMutationVariables = { id: string } & Pick<MutationOptions, 'ifMatch' | 'idempotencyKey'>;
export type UserMutationOptions<V extends UserMutationVariables> = MutationObserverOptions<
  FirmUser,
  FirmSecurityError,
  V,
  { previous: Map<string, FirmUser> }
>;

const nowIso = () => new Date().toISOString();

/**
 * Kit mutations in flight per QueryClient. Only the last one to settle invalidates: an earlier refetch
 * would overwrite the optimistic update of a mutation still in flight with the server's old state.
 */
const inFlight = new WeakMap<QueryClient, number>();

/**
 * Mutation options for the four firm actions. Each one updates every cached list and user entry at
 * once, rolls that back if the server says no, writes the server's answer in on success, and
 * invalidates the users and events prefixes when it settles (a deep infinite list refreshes only its
 * counts: see MAX_REFETCHED_PAGES). A 412 refetches the row, so the UI shows
 * the current state, and the typed PreconditionFailedError still reaches the caller.
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
      const previous = snapshotUser(queryClient, variables.id);
      updateCachedUser(queryClient, variables.id, (user) => predict(user, variables));
      return { previous };
    },
    onError: async (error, variables, context) => {
      await cancelUserQueries(queryClient);
      if (context) restoreUser(queryClient, variables.id, context.previous);
      if (error instanceof PreconditionFailedError) {
        const fresh = await client.users.get(variables.id).catch(() => undefined);
        if (!fresh) return;
        await cancelUserQueries(queryClient);
        updateCachedUser(queryClient, fresh.id, () => fresh);
      }
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

  const pick = ({ ifMatch, idempotencyKey }: UserMutationVariables): MutationOptions => ({
    ...(ifMatch !== undefined ? { ifMatch } : {}),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  });

  return {
    invite: optimistic<UserMutationVariables>(
      (v) => client.users.invite(v.id, pick(v)),
      (user) => ({
        ...user,
        twoFactor: { ...user.twoFactor, status: 'invited' },
        invitation: { sentAt: nowIso(), reminderCount: 0, lastReminderAt: null },
      }),
    ),
    remind: optimistic<UserMutationVariables>(
      (v) => client.users.remind(v.id, pick(v)),
      (user) => ({
        ...user,
        invitation: user.invitation && {
          ...user.invitation,
          reminderCount: user.invitation.reminderCount + 1,
          lastReminderAt: nowIso(),
        },
      }),
    ),
    setRequirement: optimistic<UserMutationVariables & { required: boolean }>(
      (v) => client.users.setRequirement(v.id, v.required, pick(v)),
      (user, v) => ({
        ...user,
        requirement: { ...user.requirement, status: v.required ? 'required' : 'not_required' },
      }),
    ),
    disableTwoFactor: optimistic<UserMutationVariables>(
      (v) => client.users.disableTwoFactor(v.id, { confirm: true }, pick(v)),
      (user) => ({ ...user, twoFactor: { status: 'not_enabled', enabledAt: null, backupCodesRemaining: null } }),
    ),
  };
};
