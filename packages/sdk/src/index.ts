export type * from '@firm-security/contract';
export { problemCatalog, problemCodes } from '@firm-security/contract/problems';
export {
  createFirmSecurityClient,
  type FirmSecurityClient,
  type FirmSecurityClientOptions,
  type MutationOptions,
  type RequestOptions,
  type VerifyInput,
} from './client.js';
export * from './errors.js';
export type { HeadersSource, RetryOptions } from './transport.js';
