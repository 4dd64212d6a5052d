// The table as a user (or a screen reader) meets it: queries of its rendered DOM, and the page set-ups
// its tests share.

import { expect } from 'vitest';
import { page } from 'vitest/browser';
import type { FirmDisable2faDialog } from '../src/components/disable-dialog/disable-2fa-dialog.js';
import type { FirmSecurityTable } from '../src/components/security-table/security-table.js';
import { en } from '../src/i18n/en.js';
import { createPageServer, demo, type PageServer, until } from './page-server.js';

// ---------------------------------------------------------------------------------------------
// Helpers: everything is read from the table's rendered DOM, as a user (or a screen reader) would.
// ---------------------------------------------------------------------------------------------

export const USERS_PATH = '/api/v1/firm/users';
export const pathOf = (request: Request) => new URL(request.url).pathname;
export const isUsersList = (request: Request) => request.method === 'GET' && pathOf(request) === USERS_PATH;
export const isViewer = (request: Request) => request.method === 'GET' && pathOf(request) === '/api/v1/me';
export const usersListCalls = (requests: string[]) => requests.filter((r) => r === `GET ${USERS_PATH}`).length;

export const mountTable = (page: PageServer, parent: HTMLElement = document.body): FirmSecurityTable => {
  const table = document.createElement('firm-security-table');
  table.client = page.client;
  table.queryClient = page.queryClient;
  parent.append(table);
  return table;
};

export const root = (table: FirmSecurityTable) => table.shadowRoot as ShadowRoot;
export const $ = <T extends Element = HTMLElement>(table: FirmSecurityTable, selector: string) =>
  root(table).querySelector<T>(selector);
export const tableEl = (table: FirmSecurityTable) => $<HTMLTableElement>(table, 'table');
export const viewport = (table: FirmSecurityTable) => $(table, '.viewport') as HTMLElement;
export const rows = (table: FirmSecurityTable) => [
  ...root(table).querySelectorAll<HTMLTableRowElement>('tr[part~="row"]'),
];
export const nameOf = (row: Element) => row.querySelector('.name')?.textContent ?? '';
export const names = (table: FirmSecurityTable) => rows(table).map(nameOf);
export const emails = (table: FirmSecurityTable) =>
  rows(table).map((row) => row.querySelector('.email')?.textContent ?? '');
export const rowOf = (table: FirmSecurityTable, name: string) => rows(table).find((row) => nameOf(row) === name);
export const statusOf = (row: Element | undefined) =>
  row?.querySelector('[part~="badge"]')?.getAttribute('data-status');
export const statuses = (table: FirmSecurityTable) => rows(table).map((row) => statusOf(row));
export const summary = (table: FirmSecurityTable) => $(table, '[part~="summary"]')?.textContent?.trim();
export const searchBox = (table: FirmSecurityTable) =>
  $<HTMLInputElement>(table, 'input[type="search"]') as HTMLInputElement;
export const selects = (table: FirmSecurityTable) =>
  [...root(table).querySelectorAll<HTMLSelectElement>('.toolbar select')] as [
    HTMLSelectElement,
    HTMLSelectElement,
    HTMLSelectElement,
  ];
export const headers = (table: FirmSecurityTable) => [
  ...root(table).querySelectorAll<HTMLTableCellElement>('thead th'),
];
export const nameHeader = (table: FirmSecurityTable) => headers(table)[0] as HTMLTableCellElement;
export const statusHeader = (table: FirmSecurityTable) => headers(table)[2] as HTMLTableCellElement;
export const sortButton = (th: HTMLTableCellElement) => th.querySelector('button') as HTMLButtonElement;
export const liveRegion = (table: FirmSecurityTable) => $(table, '[aria-live="polite"]');
export const announced = (table: FirmSecurityTable) => liveRegion(table)?.textContent?.trim();

export const inviteButton = (row: Element | undefined) =>
  row?.querySelector<HTMLButtonElement>('.invite [part~="button"]') ?? null;
export const inviteMessage = (row: Element | undefined) => row?.querySelector('.invite [part~="message"]');
export const switchOf = (row: Element | undefined) =>
  row?.querySelector<HTMLInputElement>('input[role="switch"]') ?? null;
export const disableButton = (row: Element | undefined) =>
  [...(row?.querySelectorAll<HTMLButtonElement>('button') ?? [])].find(
    (button) => button.textContent?.trim() === en.disableAction,
  );

export const dialogEl = (table: FirmSecurityTable) => $<FirmDisable2faDialog>(table, 'firm-disable-2fa-dialog');
export const dialogPart = <T extends HTMLElement = HTMLElement>(table: FirmSecurityTable, name: string) =>
  dialogEl(table)?.shadowRoot?.querySelector<T>(`[part~='${name}']`) ?? null;
export const nativeDialog = (table: FirmSecurityTable) => dialogPart<HTMLDialogElement>(table, 'dialog');
export const confirmBox = (table: FirmSecurityTable) =>
  dialogPart(table, 'confirm')?.querySelector('input') as HTMLInputElement;
export const submit = (table: FirmSecurityTable) => dialogPart<HTMLButtonElement>(table, 'submit') as HTMLButtonElement;

/** Every text a polite live region (`role=status` or `aria-live=polite`) holds, through nested shadow roots. */
export const politeAnnouncements = (scope: ParentNode): string[] => {
  const texts: string[] = [];
  for (const el of scope.querySelectorAll('*')) {
    const live = el.getAttribute('aria-live') === 'polite' || el.getAttribute('role') === 'status';
    if (live && el.textContent?.trim()) texts.push(el.textContent.trim());
    if (el.shadowRoot) texts.push(...politeAnnouncements(el.shadowRoot));
  }
  return texts;
};

/** The first page is in and nothing is in flight. */
export const loaded = (table: FirmSecurityTable, count = 12, timeout?: number) =>
  until(() => rows(table).length === count && tableEl(table)?.getAttribute('aria-busy') === 'false', timeout);

export const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

export const cleanups: (() => void)[] = [];
/** Records events of `type` that reach the document. */
export const capture = <K extends keyof GlobalEventHandlersEventMap>(type: K): GlobalEventHandlersEventMap[K][] => {
  const events: GlobalEventHandlersEventMap[K][] = [];
  const listener = (event: GlobalEventHandlersEventMap[K]) => events.push(event);
  document.addEventListener(type, listener);
  cleanups.push(() => document.removeEventListener(type, listener));
  return events;
};

/** An event of the kit reaches the document from the table: it bubbles, is composed and retargeted to the table. */
export const expectFromTable = (event: Event, table: FirmSecurityTable) => {
  expect(event.bubbles).toBe(true);
  expect(event.composed).toBe(true);
  expect(event.target).toBe(table);
};

export const signedIn = async (
  email: string = demo.adminWith2fa,
  options: Parameters<typeof createPageServer>[0] = {},
) => {
  const page = await createPageServer(options);
  await page.signIn(email);
  return page;
};

export const DEMO_SUMMARY = en.summary('12', '4', '1', '7');

/**
 * `text` is said by exactly one polite live region of the page: checked again two frames after it
 * appears, since the table speaks only once a frame is painted.
 */
export const expectAnnouncedOnce = async (text: string) => {
  await until(() => politeAnnouncements(document.body).includes(text));
  await nextFrame();
  await nextFrame();
  expect(politeAnnouncements(document.body).filter((said) => said === text)).toHaveLength(1);
};

/** The browser window at `width` × `height` for this test (back to Vitest's 414 × 896 after it). */
export const atViewport = async (width: number, height: number) => {
  await page.viewport(width, height);
  cleanups.push(() => void page.viewport(414, 896));
};
