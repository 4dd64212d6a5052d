export { firmSecurityKeys } from './keys.js';
export { MAX_REFETCHED_PAGES } from './list-depth.js';
export {
  firmSecurityMutations,
  type UserMutationOptions,
  type UserMutationVariables,
  updateCachedUser,
} from './mutations.js';
export { type FirmSecurityQueryOptions, firmSecurityQueries, type UsersInfiniteOptions } from './queries.js';
