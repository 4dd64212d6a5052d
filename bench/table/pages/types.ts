import type { MockServer } from '@firm-security/mock';
import type { FirmSecurityClient } from '@firm-security/sdk';

/** What every implementation gets: the same client on the same in-page server. */
export interface Ctx {
  client: FirmSecurityClient;
  queryClient: MockServer['queryClient'];
  /** Users per cursor page. */
  pageSize: number;
  /** Search debounce, as the kit's table. */
  debounceMs: number;
}

/** What the shell needs from a mounted table to measure it. */
export interface Mounted {
  /** Cheap: some user row is rendered with its data. */
  hasRows(): boolean;
  /** The names in the rows that intersect the scrolling viewport, top to bottom. */
  visibleNames(): string[];
  /** A fully visible row whose require switch can be clicked. */
  toggleable(): { id: string; input: HTMLInputElement } | undefined;
  /** The state the switch of user `id` shows, if rendered. */
  checked(id: string): boolean | undefined;
  searchInput(): HTMLElement;
  scroller(): HTMLElement;
  /** Rendered row height in px. */
  rowHeight(): number;
}

export type Mount = (host: HTMLElement, ctx: Ctx) => Mounted;

/** Names inside `viewport`'s box, from elements given in document order. */
export const namesInside = (viewport: Element, names: Iterable<Element>): string[] => {
  const box = viewport.getBoundingClientRect();
  const out: string[] = [];
  for (const name of names) {
    const rect = name.getBoundingClientRect();
    if (rect.height > 0 && rect.bottom > box.top && rect.top < box.bottom) out.push(name.textContent?.trim() ?? '');
  }
  return out;
};

/** Fully inside `viewport`'s box (and not hidden under a sticky header of `headerPx`). */
export const fullyInside = (viewport: Element, element: Element, headerPx = 0): boolean => {
  const box = viewport.getBoundingClientRect();
  const rect = element.getBoundingClientRect();
  return rect.height > 0 && rect.top >= box.top + headerPx && rect.bottom <= box.bottom;
};
