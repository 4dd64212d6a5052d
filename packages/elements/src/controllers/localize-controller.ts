import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en, type Messages } from '../i18n/en.js';

/** Loaded catalogs, and loaders of catalogs fetched the first time a page asks for them. */
const catalogs = new Map<string, Messages>([['en', en]]);
const loaders = new Map<string, () => Promise<Messages>>();

/** Adds a locale (or replaces strings of one): `registerLocale('de', deMessages)`. */
export const registerLocale = (lang: string, messages: Messages): void => {
  catalogs.set(lang, messages);
  for (const controller of live) controller.refresh();
};

/**
 * Makes a language available on demand: its catalog is loaded the first time an element's `lang` asks for
 * it. `all.js` registers the shipped fr-CA this way; a page that imports single elements (`define/*.js`)
 * and wants French calls `registerLocaleLoader('fr-CA', () => import('@firm-security/elements/i18n/fr-CA.js')
 * .then((m) => m.frCA))`, so bundles without it carry neither the strings nor a dynamic import.
 */
export const registerLocaleLoader = (lang: string, load: () => Promise<Messages>): void => {
  loaders.set(lang, load);
  for (const controller of live) controller.refresh();
};

/** The best catalog we have or can load for a BCP 47 tag: exact, then language only, then English. */
const pick = (lang: string): string => {
  const candidates = [
    lang,
    ...[...catalogs.keys(), ...loaders.keys()].filter((tag) => tag.split('-')[0] === lang.split('-')[0]),
  ];
  return candidates.find((tag) => catalogs.has(tag) || loaders.has(tag)) ?? 'en';
};

/** The nearest `lang`, looking past shadow roots (an element inside the table inherits the page's). */
const langOf = (element: Element): string | undefined => {
  let node: Element | undefined = element;
  while (node) {
    const withLang = node.closest('[lang]');
    if (withLang) return withLang.getAttribute('lang') ?? undefined;
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : undefined;
  }
  return undefined;
};

/** A valid BCP 47 tag for Intl, or undefined: `lang="en_US"` must not break rendering. */
const canonical = (tag: string | undefined): string | undefined => {
  if (!tag) return undefined;
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
};

const live = new Set<LocalizeController>();
let documentObserver: MutationObserver | undefined;

/**
 * Strings and Intl formatting for an element, in the language of the element's nearest `lang`
 * (usually the document's). Re-renders the host when `lang` changes or a catalog finishes loading.
 */
export class LocalizeController implements ReactiveController {
  lang = 'en';
  t: Messages = en;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    live.add(this);
    documentObserver ??= new MutationObserver(() => {
      for (const controller of live) controller.refresh();
    });
    documentObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
    this.refresh();
  }

  hostDisconnected(): void {
    live.delete(this);
    if (live.size === 0) {
      documentObserver?.disconnect();
      documentObserver = undefined;
    }
  }

  refresh(): void {
    const lang = canonical(langOf(this.host)) ?? canonical(navigator.language) ?? 'en';
    const tag = pick(lang);
    const catalog = catalogs.get(tag);
    if (catalog) {
      if (this.t !== catalog || this.lang !== lang) {
        this.lang = lang;
        this.t = catalog;
        this.host.requestUpdate();
      }
      return;
    }
    void loaders
      .get(tag)?.()
      .then((messages) => {
        catalogs.set(tag, messages);
        this.refresh();
      });
  }

  #formats = new Map<string, Intl.DateTimeFormat>();
  #numbers: { lang: string; format: Intl.NumberFormat } | undefined;

  date(iso: string, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
    const key = `${this.lang}|${JSON.stringify(options)}`;
    let format = this.#formats.get(key);
    if (!format) {
      format = new Intl.DateTimeFormat(this.lang, options);
      this.#formats.set(key, format);
    }
    return format.format(new Date(iso));
  }

  number(value: number): string {
    if (this.#numbers?.lang !== this.lang)
      this.#numbers = { lang: this.lang, format: new Intl.NumberFormat(this.lang) };
    return this.#numbers.format.format(value);
  }
}
