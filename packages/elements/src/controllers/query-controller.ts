import {
  type QueryClient,
  QueryObserver,
  type QueryObserverOptions,
  type QueryObserverResult,
} from '@tanstack/query-core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FirmSecurityKit } from '../kit.js';

/**
 * Bridges a TanStack QueryObserver into a Lit element: subscribes while connected, re-renders the
 * host on every result, and follows option changes (a new search) on each update.
 */
// biome-ignore lint/suspicious/noExplicitAny: observers of plain and infinite queries differ only in generics
type AnyOptions = QueryObserverOptions<any, any, any, any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyObserver = QueryObserver<any, any, any, any, any> & { setOptions(options: AnyOptions): void };
type ObserverClass = new (client: QueryClient, options: AnyOptions) => AnyObserver;

export class QueryController<TData> implements ReactiveController {
  #observer: AnyObserver | undefined;
  #kit: FirmSecurityKit | undefined;
  #unsubscribe: (() => void) | undefined;
  result: QueryObserverResult<TData, Error> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly kit: () => FirmSecurityKit,
    /** Query options from the SDK's query layer (`firmSecurityQueries(...)`), or undefined to wait. */
    private readonly options: (kit: FirmSecurityKit) => object | undefined,
    /** QueryObserver, or InfiniteQueryObserver for cursor lists. */
    private readonly Observer: ObserverClass = QueryObserver as unknown as ObserverClass,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#observer = undefined;
  }

  refetch(): void {
    void this.#observer?.refetch();
  }

  /** The observer itself, for infinite lists (`fetchNextPage`). */
  get observer(): AnyObserver | undefined {
    return this.#observer;
  }

  #sync(): void {
    const kit = this.kit();
    const options = this.options(kit) as AnyOptions | undefined;
    if (!options) return;
    if (!this.#observer || this.#kit !== kit) {
      this.#unsubscribe?.();
      this.#kit = kit;
      this.#observer = new this.Observer(kit.queryClient, options);
      this.result = this.#observer.getCurrentResult() as QueryObserverResult<TData, Error>;
      this.#unsubscribe = this.#observer.subscribe((result) => {
        this.result = result as QueryObserverResult<TData, Error>;
        this.host.requestUpdate();
      });
      return;
    }
    this.#observer.setOptions(options);
    this.result = this.#observer.getCurrentResult() as QueryObserverResult<TData, Error>;
  }
}
