import type { UserPage } from '@firm-security/contract';
import type { InfiniteData } from '@tanstack/query-core';

/** A cached query, whatever its data type. */
type CachedQuery = { state: { data: unknown } };

/**
 * An infinite users list with more pages loaded than this is not refetched in the background (after an
 * action, on window focus, on reconnect). Its cursors only go forward, so a refetch asks for every loaded
 * page again, one request after the other: a firm scrolled to its end holds hundreds of pages, and
 * comparing all of them with the old ones blocks the main thread. Such a list refreshes its counts
 * instead, and is refetched whole when it is next mounted or its query changes.
 */
export const MAX_REFETCHED_PAGES = 10;

export const isInfiniteUsers = (data: unknown): data is InfiniteData<UserPage> =>
  typeof data === 'object' && data !== null && Array.isArray((data as InfiniteData<UserPage>).pages);

/** True for an infinite list holding more than MAX_REFETCHED_PAGES pages. */
export const isDeepList = (query: CachedQuery): boolean => {
  const data: unknown = query.state.data;
  return isInfiniteUsers(data) && data.pages.length > MAX_REFETCHED_PAGES;
};

/** For `refetchOnWindowFocus` and `refetchOnReconnect`: the default, except for deep lists. */
export const unlessDeep = (query: CachedQuery): boolean => !isDeepList(query);
