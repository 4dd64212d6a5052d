import type { UserPage, UsersQuery } from '@firm-security/contract';
import type { InfiniteData, Query, QueryClient } from '@tanstack/query-core';
import type { FirmSecurityClient } from '../client.js';
import { firmSecurityKeys as keys } from './keys.js';

/**
 * An infinite users list with more pages loaded than this is not refetched in the background (after an
 * action, on window focus, on reconnect). Its cursors only go forward, so a refetch asks for every loaded
 * page again, one request after the other: a firm scrolled to its end holds hundreds of pages, and
 * comparing all of them with the old ones blocks the main thread. Such a list refreshes its counts
 * instead, and is refetched whole when it is next mounted or its query changes.
 */
export const MAX_REFETCHED_PAGES = 10;

/** A cached query, whatever its data type. */
type CachedQuery = { state: { data: unknown } };

export const isInfiniteUsers = (data: unknown): data is InfiniteData<UserPage> =>
  typeof data === 'object' && data !== null && Array.isArray((data as InfiniteData<UserPage>).pages);

/** True for an infinite list holding more than MAX_REFETCHED_PAGES pages. */
export const isDeepList = (query: CachedQuery): boolean => {
  const data: unknown = query.state.data;
  return isInfiniteUsers(data) && data.pages.length > MAX_REFETCHED_PAGES;
};

type RefetchSetting = boolean | 'always' | ((query: never) => boolean | 'always') | undefined;

/**
 * `refetchOnWindowFocus` / `refetchOnReconnect` of a users list: never for a deep list, otherwise the
 * QueryClient's default (read when the trigger fires), or TanStack Query's own (`true`).
 */
export const unlessDeep =
  (fallback: () => RefetchSetting) =>
  (query: CachedQuery): boolean | 'always' => {
    if (isDeepList(query)) return false;
    const setting = fallback() ?? true;
    return typeof setting === 'function' ? (setting as (query: CachedQuery) => boolean | 'always')(query) : setting;
  };

/** A refetch of the whole list under way (or paused offline), not a next page. */
const isFullRefetch = (query: Query) => query.state.fetchStatus !== 'idle' && !query.state.fetchMeta?.fetchMore;

/** Full refetches of users queries that an action cancelled, per QueryClient: redone once actions settle. */
const interrupted = new WeakMap<QueryClient, Set<Query>>();

/**
 * Cancels the users queries in flight before an action writes to the cache: each would write back the
 * data it started from. Full refetches among them (not next pages) are remembered, to be redone.
 */
export const cancelUserQueries = async (queryClient: QueryClient): Promise<void> => {
  const cut = interrupted.get(queryClient) ?? new Set<Query>();
  interrupted.set(queryClient, cut);
  for (const query of queryClient.getQueryCache().findAll({ queryKey: keys.users() }))
    if (isFullRefetch(query)) cut.add(query);
  await queryClient.cancelQueries({ queryKey: keys.users() });
};

/** The newest count refresh of each list: an older answer that arrives later must not overwrite it. */
const countRefreshes = new WeakMap<Query, number>();

/** A deep list's counts, from a one-row page of its query, written into every page; its rows stay. */
const refreshCounts = async (client: FirmSecurityClient, queryClient: QueryClient, query: Query) => {
  const refresh = (countRefreshes.get(query) ?? 0) + 1;
  countRefreshes.set(query, refresh);
  const filters = query.queryKey[3] as Omit<UsersQuery, 'cursor'> | undefined;
  const counts = await client.users.list({ ...filters, limit: 1 }).catch(() => undefined);
  // The list may have been removed (and its key used again) meanwhile.
  if (queryClient.getQueryCache().get(query.queryHash) !== query) return;
  // Without counts, a later refresh, or a full refetch (which brings its own counts) wins.
  if (counts && countRefreshes.get(query) === refresh && !isFullRefetch(query)) {
    // Only a next page can be in flight now: it would write back the pages it started from.
    await queryClient.cancelQueries({ queryKey: query.queryKey, exact: true });
    const { total, summary } = counts;
    queryClient.setQueryData<unknown>(query.queryKey, (data: unknown) =>
      isInfiniteUsers(data) ? { ...data, pages: data.pages.map((page) => ({ ...page, total, summary })) } : data,
    );
  }
  // Marked stale after any write (a write counts as fresh data): its rows may be, and its counts too if
  // they could not be fetched. It is refetched whole when it is next mounted.
  await queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: 'none' });
};

/**
 * Once an action settles: every users query is invalidated and the observed ones refetched, except
 * observed deep lists, whose counts are refreshed with one request (the user acted on already shows the
 * server's answer). A deep list whose full refetch the action interrupted is refetched.
 */
export const refreshUsers = async (client: FirmSecurityClient, queryClient: QueryClient): Promise<void> => {
  const cut = interrupted.get(queryClient);
  interrupted.delete(queryClient);
  const deep = queryClient.getQueryCache().findAll({
    queryKey: keys.userInfiniteLists(),
    type: 'active',
    predicate: (query) => isDeepList(query) && !cut?.has(query),
  });
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: keys.users(), predicate: (query) => !deep.includes(query) }),
    ...deep.map((query) => refreshCounts(client, queryClient, query)),
  ]);
};
