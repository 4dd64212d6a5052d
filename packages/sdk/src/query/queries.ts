import type { EventPage, EventsQuery, FirmUser, UserPage, UsersQuery, Viewer } from '@firm-security/contract';
import type {
  InfiniteData,
  InfiniteQueryObserverOptions,
  QueryClient,
  QueryKey,
  QueryObserverOptions,
} from '@tanstack/query-core';
import type { FirmSecurityClient } from '../client.js';
import type { FirmSecurityError } from '../errors.js';
import { unlessDeep } from './deep-lists.js';
import { firmSecurityKeys as keys } from './keys.js';

/** Options for a QueryObserver / fetchQuery, with the key and function required. */
export type FirmSecurityQueryOptions<TData, TKey extends QueryKey> = QueryObserverOptions<
  TData,
  FirmSecurityError,
  TData,
  TData,
  TKey
> & {
  queryKey: TKey;
  queryFn: NonNullable<QueryObserverOptions<TData, FirmSecurityError, TData, TData, TKey>['queryFn']>;
};

export type UsersInfiniteOptions = InfiniteQueryObserverOptions<
  UserPage,
  FirmSecurityError,
  InfiniteData<UserPage, string | null>,
  ReturnType<typeof keys.userInfinite>,
  string | null
>;

/**
 * queryOptions for every read. `retry: false` throughout: the client already retries what is safe,
 * in one layer, and a second layer would multiply attempts. Pass the `queryClient` the options are used
 * with: an infinite list that is not deep follows its focus and reconnect defaults (without it, TanStack
 * Query's own, `true`), and a deep one is never refetched on either (see MAX_REFETCHED_PAGES).
 */
export const firmSecurityQueries = (client: FirmSecurityClient, queryClient?: QueryClient) => {
  /** The QueryClient's options for a key: its defaults and any `setQueryDefaults` for that key. */
  const defaults = (queryKey: QueryKey) => queryClient?.defaultQueryOptions({ queryKey });
  return {
    viewer: (): FirmSecurityQueryOptions<Viewer, ReturnType<typeof keys.viewer>> => ({
      queryKey: keys.viewer(),
      queryFn: ({ signal }) => client.viewer.get({ signal }),
      retry: false,
    }),
    users: (query: UsersQuery = {}): FirmSecurityQueryOptions<UserPage, ReturnType<typeof keys.userList>> => ({
      queryKey: keys.userList(query),
      queryFn: ({ signal }) => client.users.list(query, { signal }),
      retry: false,
    }),
    usersInfinite: (query: Omit<UsersQuery, 'cursor'> = {}): UsersInfiniteOptions => ({
      queryKey: keys.userInfinite(query),
      queryFn: ({ signal, pageParam }) =>
        client.users.list(pageParam ? { ...query, cursor: pageParam } : query, { signal }),
      initialPageParam: null,
      getNextPageParam: (last) => last.nextCursor,
      retry: false,
      refetchOnWindowFocus: unlessDeep(() => defaults(keys.userInfinite(query))?.refetchOnWindowFocus),
      refetchOnReconnect: unlessDeep(() => defaults(keys.userInfinite(query))?.refetchOnReconnect),
    }),
    user: (id: string): FirmSecurityQueryOptions<FirmUser, ReturnType<typeof keys.user>> => ({
      queryKey: keys.user(id),
      queryFn: ({ signal }) => client.users.get(id, { signal }),
      retry: false,
    }),
    events: (query: EventsQuery = {}): FirmSecurityQueryOptions<EventPage, ReturnType<typeof keys.eventList>> => ({
      queryKey: keys.eventList(query),
      queryFn: ({ signal }) => client.events.list(query, { signal }),
      retry: false,
    }),
  };
};
