export { MAX_REFETCHED_PAGES } from './deep-lists.js';
export { firmSecurityKeys } from './keys.js';
export {
  firmSecurityMutations,
  type UserMutationOptions,
  type UserMutationVariables,
  updateCachedUser,
} from './mutations.js';
export { type FirmSecurityQueryOptions, firmSecurityQueries, type UsersInfiniteOptions } from './queries.js';
