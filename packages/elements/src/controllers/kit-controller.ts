import type { FirmSecurityClient } from '@firm-security/sdk';
import { ContextConsumer } from '@lit/context';
import type { QueryClient } from '@tanstack/query-core';
import type { ReactiveElement } from 'lit';
import { createKit, type FirmSecurityKit, kitContext, standaloneKit } from '../kit.js';

/** The properties an element exposes to choose its kit; see `KitController`. */
export interface KitHost extends ReactiveElement {
  client?: FirmSecurityClient | undefined;
  queryClient?: QueryClient | undefined;
  baseUrl?: string | undefined;
}

/**
 * Finds the kit an element works with, in this order: its own `client` property (with its
 * `queryClient`, or a new one), its `base-url` attribute, the nearest `<firm-security-provider>`, and
 * finally the same-origin default `/api/v1`. One import and one tag is enough on a plain page.
 */
export class KitController {
  #provided: FirmSecurityKit | undefined;
  #own: { client: FirmSecurityClient; queryClient: QueryClient | undefined; kit: FirmSecurityKit } | undefined;

  constructor(private readonly host: KitHost) {
    new ContextConsumer(host, {
      context: kitContext,
      subscribe: true,
      callback: (kit) => {
        this.#provided = kit;
        host.requestUpdate();
      },
    });
  }

  get kit(): FirmSecurityKit {
    const { client, queryClient, baseUrl } = this.host;
    if (client) {
      if (this.#own?.client !== client || this.#own.queryClient !== queryClient) {
        this.#own = { client, queryClient, kit: createKit(client, queryClient) };
      }
      return this.#own.kit;
    }
    if (baseUrl) return standaloneKit(baseUrl);
    return this.#provided ?? standaloneKit();
  }
}
