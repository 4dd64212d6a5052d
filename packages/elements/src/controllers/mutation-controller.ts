import type { UserMutationOptions, UserMutationVariables } from '@firm-security/sdk/query';
import { MutationObserver, type MutationObserverOptions, type MutationObserverResult } from '@tanstack/query-core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FirmSecurityKit } from '../kit.js';

/**
 * Runs one kind of mutation for a Lit element and re-renders it as the mutation's state changes
 * (`result.isPending` for a busy button, `result.error`, typed, for a message).
 */
export class MutationController<TData, TVariables, TContext = unknown, TError extends Error = Error>
  implements ReactiveController
{
  #observer: MutationObserver<TData, TError, TVariables, TContext> | undefined;
  #kit: FirmSecurityKit | undefined;
  #unsubscribe: (() => void) | undefined;
  result: MutationObserverResult<TData, TError, TVariables, TContext> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly kit: () => FirmSecurityKit,
    private readonly options: (kit: FirmSecurityKit) => MutationObserverOptions<TData, TError, TVariables, TContext>,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#observer = undefined;
  }

  /** Resolves with the server's answer, rejects with the typed SDK error. */
  mutate(variables: TVariables): Promise<TData> {
    const kit = this.kit();
    if (!this.#observer || this.#kit !== kit) {
      this.#unsubscribe?.();
      this.#kit = kit;
      this.#observer = new MutationObserver(kit.queryClient, this.options(kit));
      this.#unsubscribe = this.#observer.subscribe((result) => {
        this.result = result;
        this.host.requestUpdate();
      });
    }
    return this.#observer.mutate(variables);
  }

  reset(): void {
    this.#observer?.reset();
  }
}

/** The controller of one of the SDK's user mutations (`firmSecurityMutations(...).invite`, ...). */
export type UserMutationController<V extends UserMutationVariables> =
  UserMutationOptions<V> extends MutationObserverOptions<infer D, infer E extends Error, V, infer C>
    ? MutationController<D, V, C, E>
    : never;
