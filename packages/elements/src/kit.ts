import { createFirmSecurityClient, type FirmSecurityClient } from '@firm-security/sdk';
import { createContext } from '@lit/context';
import { QueryClient } from '@tanstack/query-core';

/** What every element needs: the API client and the QueryClient whose cache they share. */
export interface FirmSecurityKit {
  client: FirmSecurityClient;
  queryClient: QueryClient;
}

/** Provided by `<firm-security-provider>`; a global key, so separately bundled copies still match. */
export const kitContext = createContext<FirmSecurityKit | undefined>(Symbol.for('@firm-security/elements/kit'));

export const DEFAULT_BASE_URL = '/api/v1';

/** One kit per base URL for elements used without a provider, so they share one cache. */
const standaloneKits = new Map<string, FirmSecurityKit>();

/** Elements given the same client without a QueryClient share one cache (and so see each other's changes). */
const defaultQueryClients = new WeakMap<FirmSecurityClient, QueryClient>();

const queryClientFor = (client: FirmSecurityClient): QueryClient => {
  let queryClient = defaultQueryClients.get(client);
  if (!queryClient) {
    queryClient = new QueryClient();
    // Mounted: refetch on window focus and reconnect, like an app-level QueryClient.
    queryClient.mount();
    defaultQueryClients.set(client, queryClient);
  }
  return queryClient;
};

export const createKit = (client: FirmSecurityClient, queryClient?: QueryClient): FirmSecurityKit => ({
  client,
  queryClient: queryClient ?? queryClientFor(client),
});

export const standaloneKit = (baseUrl = DEFAULT_BASE_URL): FirmSecurityKit => {
  let kit = standaloneKits.get(baseUrl);
  if (!kit) {
    kit = createKit(createFirmSecurityClient({ baseUrl: new URL(baseUrl, document.baseURI).href.replace(/\/$/, '') }));
    standaloneKits.set(baseUrl, kit);
  }
  return kit;
};
