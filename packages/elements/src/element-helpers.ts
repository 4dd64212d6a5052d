import { type FirmUser, isFirmSecurityError, type RateLimitedError } from '@firm-security/sdk';
import { type ElementPart, noChange, nothing } from 'lit';
import { Directive, directive, type PartInfo, PartType } from 'lit/directive.js';
import type { LocalizeController } from './controllers/localize-controller.js';
import type { Messages } from './i18n/en.js';

/** The reactive properties every element has to choose its kit (see `KitController`). */
export const kitProperties = {
  baseUrl: { attribute: 'base-url' },
  client: { attribute: false },
  queryClient: { attribute: false },
} as const;

/** The localized text of a problem code (`reason_<code>`), or undefined when there is none. */
export const reasonText = (t: Messages, code: string): string | undefined => {
  const text = t[`reason_${code}` as keyof Messages];
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

/** The focused element, looking inside shadow roots (where a kit element's own button has focus). */
export const deepActiveElement = (): HTMLElement | undefined => {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : undefined;
};

/** CSS properties by their CSS names (`height`, `--firm-x`); `undefined` removes one. */
export type CssProperties = Record<string, string | undefined>;

/**
 * Sets inline styles through the CSSOM (`style.setProperty`) only, never through a `style` attribute, so a
 * page whose CSP has no `'unsafe-inline'` for styles allows them. (Lit's `styleMap` writes the attribute on
 * its first render, which such a CSP blocks and reports.) Used as an element binding: `<td ${cssom({…})}>`.
 */
class CssomStyleDirective extends Directive {
  #previous = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('cssom() must be used as an element binding');
  }

  render(_properties: CssProperties) {
    return nothing;
  }

  override update(part: ElementPart, [properties]: [CssProperties]) {
    const { style } = part.element as HTMLElement;
    for (const name of this.#previous) {
      if (properties[name] !== undefined) continue;
      style.removeProperty(name);
      this.#previous.delete(name);
    }
    for (const [name, value] of Object.entries(properties)) {
      if (value === undefined) continue;
      style.setProperty(name, value);
      this.#previous.add(name);
    }
    return noChange;
  }
}

export const cssom = directive(CssomStyleDirective);

/**
 * The table reuses row elements for other users as it scrolls or re-sorts: true when this update hands
 * the element a different user, whose news (announcement, error) must not be the previous user's.
 */
export const handedAnotherUser = (changed: Map<PropertyKey, unknown>, user: FirmUser | undefined): boolean => {
  const previous = changed.get('user') as FirmUser | undefined;
  return previous !== undefined && previous.id !== user?.id;
};
