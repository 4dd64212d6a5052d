/**
 * Small DOM helpers. Everything the demo shows is built with DOM APIs and `textContent`: the page
 * enforces Trusted Types, so an HTML string sink would throw (and user data must stay text anyway).
 */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined>;

/** `h('a', { href: 'x', class: 'link' }, 'text', child)`: attributes as attributes, strings as text nodes. */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  element.append(
    ...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false),
  );
  return element;
};

/** The element with this id, or an error naming it (the pages' markup and scripts go together). */
export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
};

export type MessageTone = 'error' | 'success' | 'info';

/**
 * Shows a message in a live region that is in the page from the start (so screen readers announce it),
 * or clears it with no text.
 */
export const showMessage = (region: HTMLElement, text: string | undefined, tone: MessageTone = 'error'): void => {
  region.replaceChildren();
  if (!text) return;
  region.append(h('p', { class: `message message--${tone}` }, text));
};

/** Copies text, reporting in words whether it worked (clipboard access may be refused). */
export const copyText = async (text: string): Promise<boolean> => {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
};

/** Keeps digits only: codes may be pasted as "123 456". */
export const digitsOf = (value: string): string => value.replace(/\D/g, '');
