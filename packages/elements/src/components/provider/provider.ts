import { createFirmSecurityClient, type FirmSecurityClient } from '@firm-security/sdk';
import { ContextProvider } from '@lit/context';
import { QueryClient } from '@tanstack/query-core';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { kitProperties } from '../../element-helpers.js';
import { createKit, DEFAULT_BASE_URL, type FirmSecurityKit, kitContext } from '../../kit.js';

/**
 * Hands one API client and one QueryClient to every kit element inside it, so they share a cache
 * (an invitation sent from the table updates a toggle elsewhere on the page).
 *
 * @tagname firm-security-provider
 * @attr base-url - Where the API lives, e.g. `/api/v1` (the default) or `https://host/api/v1`.
 * @summary Provides the API client to the kit elements inside it.
 * @slot - The page content that uses kit elements.
 */
export class FirmSecurityProvider extends LitElement {
  static override properties = kitProperties;

  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** Where the API lives, e.g. `/api/v1` (the default) or `https://host/api/v1`. */
  declare baseUrl: string | undefined;
  /** A client made with `createFirmSecurityClient()`; wins over `base-url`. */
  declare client: FirmSecurityClient | undefined;
  /** A QueryClient to share with the host app's own queries; one is created when absent. */
  declare queryClient: QueryClient | undefined;

  #provider = new ContextProvider(this, { context: kitContext, initialValue: undefined });
  #ownQueryClient = new QueryClient();

  // Provide the kit as soon as the provider is connected: children parsed inside it ask for it on
  // their own connect, before the provider's first update, and must not fall back to the default.
  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#provider.value) this.#provide();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('baseUrl') || changed.has('client') || changed.has('queryClient')) this.#provide();
  }

  #provide(): void {
    const client =
      this.client ??
      createFirmSecurityClient({
        baseUrl: new URL(
          this.baseUrl ?? this.getAttribute('base-url') ?? DEFAULT_BASE_URL,
          document.baseURI,
        ).href.replace(/\/$/, ''),
      });
    const kit: FirmSecurityKit = createKit(client, this.queryClient ?? this.#ownQueryClient);
    if (kit.client !== this.#provider.value?.client || kit.queryClient !== this.#provider.value.queryClient) {
      this.#provider.setValue(kit);
    }
  }

  /** The kit the elements inside use. */
  get kit(): FirmSecurityKit | undefined {
    return this.#provider.value;
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
