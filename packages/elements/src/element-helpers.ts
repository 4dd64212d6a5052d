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

const TIME: Intl.DateTimeFormatOptions = { timeStyle: 'short' };

/** "Reminder available 10:49 AM", with the date when it is not today; `at` in ms since epoch. */
export const reminderAvailable = (l10n: LocalizeController, at: number): string => {
  const iso = new Date(at).toISOString();
  const today = new Date(at).toDateString() === new Date().toDateString();
  return l10n.t.reminderAvailableAt(l10n.date(iso, TIME), today ? undefined : l10n.date(iso));
};

const reminderDeadlines = new WeakMap<object, number>();

/**
 * A readable, localized sentence for a failed action or load, by the kind of error. Never the error's
 * message or the server's `detail` (English, and with the request's method and path): those go to
 * `firm-error` listeners.
 */
export const errorMessage = (l10n: LocalizeController, error: unknown): string => {
  const { t } = l10n;
  if (!isFirmSecurityError(error)) return t.failed;
  const { code, status } = error;
  if (code === 'network_error') return t.networkError;
  if (code === 'version_conflict') return t.conflictReloaded;
  if (status === 429) {
    const seconds = (error as RateLimitedError).retryAfter;
    if (seconds === undefined) return reasonText(t, code) ?? t.rateLimited();
    if (code === 'reminder_too_soon') {
      // When it is possible again is fixed once: a row drawn again later must not move it.
      const at = reminderDeadlines.get(error) ?? Date.now() + seconds * 1000;
      reminderDeadlines.set(error, at);
      return reminderAvailable(l10n, at);
    }
    // In seconds, minutes or hours, rounded up: "in 15 minutes", "dans 1 heure".
    const [size, unit] =
      seconds < 60 ? [1, 'second' as const] : seconds < 3600 ? [60, 'minute' as const] : [3600, 'hour' as const];
    // Words, not a format: in the catalog's language ("in 15 minutes" in an English sentence on a page
    // whose language has no catalog).
    return t.rateLimited(new Intl.RelativeTimeFormat(l10n.catalogLang).format(Math.ceil(seconds / size), unit));
  }
  return reasonText(t, code) ?? (status >= 500 ? t.reason_internal_error : t.failed);
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
