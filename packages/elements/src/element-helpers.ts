import { isFirmSecurityError, type RateLimitedError } from '@firm-security/sdk';
import { type ElementPart, noChange, nothing } from 'lit';
import { Directive, directive } from 'lit/directive.js';
import type { LocalizeController } from './controllers/localize-controller.js';
import type { BaseMessages } from './i18n/en-base.js';

/** The reactive properties every element has to choose its kit (see `KitController`). */
export const kitProperties = {
  baseUrl: { attribute: 'base-url' },
  client: { attribute: false },
  queryClient: { attribute: false },
} as const;

/** The localized text of a problem code (`reason_<code>`), or undefined when there is none. */
export const reasonText = (t: BaseMessages, code: string): string | undefined => {
  const text = t[`reason_${code}` as keyof BaseMessages];
  return typeof text === 'string' ? text : undefined;
};

/** A readable, localized sentence for a failed action or load. */
export const errorMessage = (l10n: LocalizeController, error: unknown): string => {
  const { t } = l10n;
  if (!isFirmSecurityError(error)) return t.actionFailed(error instanceof Error ? error.message : String(error));
  const { code } = error;
  if (code === 'network_error' || code === 'timeout') return t.networkError;
  if (code === 'version_conflict') return t.conflictReloaded;
  const retryAfter = (error as RateLimitedError).retryAfter;
  if (error.status === 429 && retryAfter !== undefined) return t.rateLimited(l10n.number(Math.ceil(retryAfter)));
  return reasonText(t, code) ?? t.actionFailed(error.problem?.detail ?? error.message);
};

/**
 * An element's height in px, set through the CSSOM: a `style` attribute (or lit's styleMap on first
 * render) would be blocked by a strict `style-src` CSP.
 */
class HeightDirective extends Directive {
  render(_px: number) {
    return nothing;
  }

  override update(part: ElementPart, [px]: [number]) {
    (part.element as HTMLElement).style.height = `${px}px`;
    return noChange;
  }
}

export const heightPx = directive(HeightDirective);

/**
 * Resolves after the next frame is painted: a frame callback runs before that frame's paint, and a
 * message it posts runs after it. For work that should not delay what the user just did from showing.
 */
export const nextPaint = (): Promise<void> =>
  new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(undefined);
    }),
  );
