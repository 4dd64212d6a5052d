import type { EventsQuery, UsersQuery } from '@firm-security/contract';

const ROOT = 'firm-security';

/**
 * Every query key of the kit, from one factory. Keys nest, so invalidating a prefix
 * (`firmSecurityKeys.users()`) reaches every list, infinite list and detail below it.
 */
export const firmSecurityKeys = {
  all: () => [ROOT] as const,
  viewer: () => [ROOT, 'viewer'] as const,
  users: () => [ROOT, 'users'] as const,
  userLists: () => [ROOT, 'users', 'list'] as const,
  userList: (query: UsersQuery = {}) => [ROOT, 'users', 'list', query] as const,
  userInfiniteLists: () => [ROOT, 'users', 'infinite'] as const,
  userInfinite: (query: Omit<UsersQuery, 'cursor'> = {}) => [ROOT, 'users', 'infinite', query] as const,
  user: (id: string) => [ROOT, 'users', 'detail', id] as const,
  events: () => [ROOT, 'events'] as const,
  eventList: (query: EventsQuery = {}) => [ROOT, 'events', query] as const,
};
