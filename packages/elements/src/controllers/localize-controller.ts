import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Messages } from '../i18n/en.js';
import { type BaseMessages, enBase } from '../i18n/en-base.js';

/**
 * Loaded catalogs, and loaders of catalogs fetched the first time a page asks for them. Built-in English
 * is the base part: an element with strings of its own (the dialog) brings their English with it.
 */
const catalogs = new Map<string, BaseMessages>([['en', enBase]]);
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

/** The nearest `lang`, looking past shadow roots (an element inside another's shadow root inherits the page's). */
const langOf = (element: Element): string | undefined => {
  const own = element.closest('[lang]');
  if (own) return own.getAttribute('lang') ?? undefined;
  const root = element.getRootNode();
  return root instanceof ShadowRoot ? langOf(root.host) : undefined;
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

const DATE_STYLE: Intl.DateTimeFormatOptions = { dateStyle: 'medium' };

/**
 * Formatters shared by every element: building one is the slow part of Intl (the first one of a page
 * loads locale data), so each language/options pair is built once, and `warm` builds the usual ones
 * while the element waits for its data rather than while it renders the rows.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
const formatter = <T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T => {
  let format = formatters.get(key) as T | undefined;
  if (!format) {
    format = make();
    formatters.set(key, format);
  }
  return format;
};
const dateFormat = (lang: string, options: Intl.DateTimeFormatOptions) =>
  formatter(
    `d|${lang}|${options === DATE_STYLE ? '' : JSON.stringify(options)}`,
    () => new Intl.DateTimeFormat(lang, options),
  );
const numberFormat = (lang: string) => formatter(`n|${lang}`, () => new Intl.NumberFormat(lang));
/**
 * Builds them in a task of its own: an element asks for its data when it connects, and the first
 * formatter of a page takes milliseconds, better spent while that request is on the network than
 * before it leaves.
 */
const warmed = new Set<string>();
const warm = (lang: string): void => {
  if (warmed.has(lang)) return;
  warmed.add(lang);
  setTimeout(() => {
    dateFormat(lang, DATE_STYLE);
    numberFormat(lang);
  });
};

const live = new Set<LocalizeController>();
let documentObserver: MutationObserver | undefined;

/**
 * Strings and Intl formatting for an element, in the language of the element's nearest `lang`
 * (usually the document's). Re-renders the host when `lang` changes or a catalog finishes loading.
 */
export class LocalizeController<M extends BaseMessages = BaseMessages> implements ReactiveController {
  lang = 'en';
  /** The language of the catalog `t` comes from (`en` when the page's has none): for words, not formats. */
  catalogLang = 'en';
  t: M;
  /** The catalog `t` comes from. */
  #catalog: BaseMessages = enBase;

  /** The element's own strings in English, under whatever the catalog has (see `catalogs`). */
  readonly #own: Omit<M, keyof BaseMessages> | undefined;

  /** An element whose strings go beyond the base catalog must pass their English. */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    ...own: Exclude<keyof M, keyof BaseMessages> extends never ? [] : [own: Omit<M, keyof BaseMessages>]
  ) {
    this.#own = own[0];
    this.t = this.#strings(enBase);
    host.addController(this);
  }

  #strings(catalog: BaseMessages): M {
    return (this.#own ? { ...this.#own, ...catalog } : catalog) as M;
  }

  hostConnected(): void {
    live.add(this);
    if (!documentObserver) {
      documentObserver = new MutationObserver(() => {
        for (const controller of live) controller.refresh();
      });
      documentObserver.observe(document.documentElement, {
        attributes: true,
        attributeFilter: ['lang'],
        subtree: true,
      });
    }
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
    warm(lang);
    const tag = pick(lang);
    const catalog = catalogs.get(tag);
    if (catalog) {
      if (this.#catalog !== catalog || this.lang !== lang) {
        this.lang = lang;
        this.catalogLang = tag;
        this.#catalog = catalog;
        this.t = this.#strings(catalog);
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

  date(iso: string, options: Intl.DateTimeFormatOptions = DATE_STYLE): string {
    return dateFormat(this.lang, options).format(new Date(iso));
  }

  number(value: number): string {
    return numberFormat(this.lang).format(value);
  }
}
