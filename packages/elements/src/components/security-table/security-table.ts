import {
  type FirmSecurityClient,
  type FirmUser,
  type RequirementStatus,
  type TwoFactorStatus,
  UnauthenticatedError,
  type UserPage,
  type UserSort,
  type Viewer,
} from '@firm-security/sdk';
import { firmSecurityQueries } from '@firm-security/sdk/query';
import { type InfiniteData, InfiniteQueryObserver, keepPreviousData, type QueryClient } from '@tanstack/query-core';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { KitController } from '../../controllers/kit-controller.js';
import { LocalizeController } from '../../controllers/localize-controller.js';
import { QueryController } from '../../controllers/query-controller.js';
import { errorMessage, heightPx, kitProperties, nextPaint, reasonText } from '../../element-helpers.js';
import { FirmErrorEvent, FirmTwoFactorDisableRequestEvent } from '../../events.js';
import type { FirmSecurityKit } from '../../kit.js';
import { tokens } from '../../styles.js';
import type { FirmDisable2faDialog } from '../disable-dialog/disable-2fa-dialog.js';
import { InviteAction, inviteActionStyles } from '../invite-button/invite-action.js';
import { RequireSwitch } from '../require-toggle/require-switch.js';
import { requireSwitchStyles } from '../require-toggle/require-switch.styles.js';
import { badgeStyles, statusBadge } from '../status-badge/badge-view.js';
import { tableStyles } from './security-table.styles.js';

/** Rows drawn above and below the visible ones, so fast scrolling never shows a gap. */
const OVERSCAN = 8;
/**
 * Rows drawn past the visible ones for the table's first paint: none, the overscan follows right after
 * that paint, so the first rows show sooner (no one scrolls within one frame). The viewport has been
 * measured by then, while the skeleton showed.
 */
const FIRST_PAINT_OVERSCAN = 0;
/** Fallback row height in px, until the rendered rows have been measured. */
const DEFAULT_ROW_HEIGHT = 64;
const SEARCH_DEBOUNCE_MS = 200;
/** Viewport height in px assumed until it has been measured. */
const FALLBACK_VIEWPORT = 600;

type Page = InfiniteData<UserPage, string | null>;

/** What the user chose, and which rows are drawn. */
interface View {
  search: string;
  status: TwoFactorStatus | '';
  requirement: RequirementStatus | '';
  sort: UserSort;
  /** Index of the first rendered row. */
  first: number;
  announcement: string;
}

const SORTS: readonly UserSort[] = ['name', '-name', 'email', '-email', 'status', '-status'];

/** A row control that had focus: its element (if any), its user, its row's aria-rowindex and its cell. */
interface FocusSpot {
  element?: HTMLElement;
  userId: string;
  index: string;
  cell: number;
}
const FOCUSABLE = 'button, input';
/** The Action column, where Disable and the invite button are. */
const ACTION_CELL = 4;

/**
 * The disable dialog is registered on demand: most visits never open it, so a page that registers only
 * the table does not download it to start. The rendered `<firm-disable-2fa-dialog>` upgrades once loaded
 * (Lit keeps the properties set on it before that).
 */
const loadDialog = () => import('../../define/firm-disable-2fa-dialog.js');

/**
 * The Firm Security page: every active user's 2FA status, with invite, remind, require and disable.
 * Rows come from the API's cursor pages as the user scrolls, and only the visible rows are rendered,
 * so a firm of tens of thousands scrolls and searches smoothly.
 *
 * @tagname firm-security-table
 * @attr base-url - Where the API lives (default: the provider's client, or same-origin `/api/v1`).
 * @summary The Firm Security table of a firm's users and their 2FA.
 * @event firm-invite - An invitation was sent (`event.user`).
 * @event firm-reminder - A reminder was sent (`event.user`).
 * @event firm-requirement-change - The requirement of a user changed (`event.user`).
 * @event firm-two-factor-disable-request - Before the disable dialog opens; cancelable (`event.user`).
 * @event firm-two-factor-disable - 2FA was disabled for a user (`event.user`).
 * @event firm-error - Loading or an action failed (`event.error`, the typed SDK error).
 * @csspart toolbar - The search, filters and summary above the table.
 * @csspart search - The search input.
 * @csspart summary - The counts of users by status.
 * @csspart table - The table element.
 * @csspart row - Each user row.
 * @csspart badge - Each row's 2FA status badge (as `<firm-2fa-status-badge>` draws it), with `data-status`.
 * @csspart state - The loading, empty, error and not-allowed messages.
 * @csspart switch - Each row's require-2FA switch (as `<firm-require-2fa-toggle>` draws it).
 * @csspart label - Each switch's label, visually hidden in the table (the column header says it).
 * @csspart na - The "N/A" of users not yet migrated to the identity service.
 * @csspart button - Each row's invite or send-reminder button (as `<firm-invite-button>` draws it).
 * @csspart message - Why a row's switch or invite button is disabled, or the error of its last action.
 * @cssproperty --firm-table-height - Height of the scrolling area (default 32rem).
 * @cssproperty --firm-table-max-height - Maximum height of the scrolling area (default 70vh).
 * @cssproperty --firm-row-height - Height of a row (default 64px).
 */
export class FirmSecurityTable extends LitElement {
  static override properties = {
    ...kitProperties,
    pageSize: { type: Number, attribute: 'page-size' },
  };

  static override styles = [tokens, badgeStyles, requireSwitchStyles, inviteActionStyles, tableStyles];

  /** Where the API lives; see `<firm-security-provider>` for sharing one client. */
  declare baseUrl: string | undefined;
  /** An SDK client; wins over `base-url` and the provider. */
  declare client: FirmSecurityClient | undefined;
  /** The QueryClient to cache in (with `client`). */
  declare queryClient: QueryClient | undefined;
  /** Users fetched per page of the API (1 to 200). */
  declare pageSize: number;

  /** What the user chose, and which rows are drawn: private state (not API), re-rendered by hand. */
  #view: View = { search: '', status: '', requirement: '', sort: 'name', first: 0, announcement: '' };

  // Lit properties are declared, and set here: class fields would shadow Lit's accessors.
  constructor() {
    super();
    this.pageSize = 100;
    this.addEventListener('keydown', this.#quietMessages);
  }

  #kit = new KitController(this);
  #l10n = new LocalizeController(this);
  #viewer = new QueryController<Viewer>(
    this,
    () => this.#kit.kit,
    (kit) => firmSecurityQueries(kit.client).viewer(),
  );
  #users = new QueryController<Page>(
    this,
    () => this.#kit.kit,
    (kit) => (this.#canView ? this.#usersOptions(kit) : undefined),
    InfiniteQueryObserver as never,
  );
  // Each row's switch and invite button are drawn here, not as nested elements: see RequireSwitch.
  #rowActions = { announce: (message: string) => message && this.#announce(message) };
  #switch = new RequireSwitch(this, () => this.#kit.kit, this.#l10n, this.#rowActions);
  #invite = new InviteAction(this, () => this.#kit.kit, this.#l10n, this.#rowActions);
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #rowHeight = DEFAULT_ROW_HEIGHT;
  #viewportHeight = 0;
  #headerHeight = 0;
  /**
   * Sizes come from a ResizeObserver (the viewport, its header and one rendered row), whose callbacks run
   * after layout: reading them in `updated()` would force a synchronous layout on every render and scroll.
   */
  #sizes = new ResizeObserver(() => this.#measure());
  #measured: (Element | null)[] = [];
  #scrollFrame = 0;
  #lastAnnouncedTotal: number | undefined;
  #lastError: Error | undefined;

  get #canView(): boolean {
    return this.#viewer.result?.data?.permissions.viewFirmSecurity.allowed === true;
  }

  #usersOptions(kit: FirmSecurityKit) {
    const query = {
      ...(this.#view.search ? { search: this.#view.search } : {}),
      ...(this.#view.status ? { status: this.#view.status } : {}),
      ...(this.#view.requirement ? { requirement: this.#view.requirement } : {}),
      sort: this.#view.sort,
      limit: Number.isFinite(this.pageSize) ? Math.min(200, Math.max(1, Math.round(this.pageSize))) : 100,
    };
    // Keep showing the previous rows while a new search loads: no flash of an empty table.
    return {
      ...firmSecurityQueries(kit.client, kit.queryClient).usersInfinite(query),
      placeholderData: keepPreviousData,
    };
  }

  #flattened: { data: Page | undefined; rows: FirmUser[] } = { data: undefined, rows: [] };
  /** The full overscan is drawn once the table's first rows have been painted ('after-paint' until then). */
  #overscan: 'first-paint' | 'after-paint' | 'full' = 'first-paint';

  /** Everything loaded so far, in order (flattened once per change of the cached pages, not per call). */
  get #rows(): FirmUser[] {
    const data = this.#users.result?.data;
    if (data !== this.#flattened.data)
      this.#flattened = { data, rows: data?.pages.flatMap((page) => page.items) ?? [] };
    return this.#flattened.rows;
  }

  /**
   * Escape hides the full text of a reason or message shown over the rows below (on hover or focus),
   * until the pointer or focus leaves its cell: content that covers other content must be dismissible.
   */
  #quietMessages = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    for (const cell of this.renderRoot.querySelectorAll<HTMLElement>('td:hover, td:focus-within')) {
      if ('quiet' in cell.dataset) continue;
      cell.dataset.quiet = '';
      // Shown on hover or focus, so quiet until the one left goes too.
      const leave = (event: Event) => {
        if (cell.matches(event.type === 'focusout' ? ':hover' : ':focus-within')) return;
        delete cell.dataset.quiet;
        cell.removeEventListener('mouseleave', leave);
        cell.removeEventListener('focusout', leave);
      };
      cell.addEventListener('mouseleave', leave);
      cell.addEventListener('focusout', leave);
    }
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#sizes.disconnect();
    this.#measured = [];
    clearTimeout(this.#searchTimer);
    cancelAnimationFrame(this.#scrollFrame);
    this.#scrollFrame = 0;
  }

  protected override update(changed: PropertyValues): void {
    const focused = this.#focusedInRows();
    super.update(changed);
    if (focused && this.shadowRoot?.activeElement !== focused.element) this.#refocus(focused);
  }

  /** The row control that has focus, and where it sits: its user, its row's position and its cell. */
  #focusedInRows(): FocusSpot | undefined {
    const element = this.shadowRoot?.activeElement as HTMLElement | null | undefined;
    const row = element?.closest<HTMLTableRowElement>('tr[data-user-id]');
    const cell = element?.closest('td');
    if (!element || !row || !cell) return undefined;
    return { element, userId: row.dataset.userId ?? '', index: row.ariaRowIndex ?? '', cell: cell.cellIndex };
  }

  /**
   * An update took the focused row control away (an action moved its user out of the filter or to
   * another place, or replaced the control): focus follows the user if its row is still drawn, else
   * goes to the same control of the row now in that place, else to the table, never to the page's body.
   */
  #refocus({ element, userId, index, cell }: FocusSpot): void {
    const root = this.renderRoot;
    const row =
      root.querySelector<HTMLTableRowElement>(`tr[data-user-id="${CSS.escape(userId)}"]`) ??
      root.querySelector<HTMLTableRowElement>(`tr[part~="row"][aria-rowindex="${index}"]`);
    const target = element?.isConnected
      ? element
      : (row?.cells[cell]?.querySelector<HTMLElement>(FOCUSABLE) ?? row?.querySelector<HTMLElement>(FOCUSABLE));
    if (target) target.focus();
    else root.querySelector('table')?.focus({ preventScroll: true });
  }

  protected override updated(): void {
    this.#observeSizes();
    if (this.#overscan === 'first-paint' && this.#measured[2]) {
      this.#overscan = 'after-paint';
      void nextPaint().then(() => {
        this.#overscan = 'full';
        this.requestUpdate();
        // Fetched now, so the first Disable opens at once; not part of what the page loads to start. A
        // failure here is reported by the Disable that needs it, which tries again.
        loadDialog().catch(() => {});
      });
    }
    this.#loadMoreIfNeeded();
    this.#announceResults();
    const error = this.#users.result?.error ?? this.#viewer.result?.error ?? undefined;
    if (error && error !== this.#lastError) this.dispatchEvent(new FirmErrorEvent(error));
    this.#lastError = error;
  }

  /** Watches the viewport, the header and the first rendered row (rows come and go as the window moves). */
  #observeSizes(): void {
    const watched = ['.viewport', 'thead', 'tr[part~="row"]'].map((selector) =>
      this.renderRoot.querySelector(selector),
    );
    if (watched.every((element, index) => element === this.#measured[index])) return;
    const firstRow = !this.#measured[2] && watched[2];
    this.#sizes.disconnect();
    this.#measured = watched;
    for (const element of watched) if (element) this.#sizes.observe(element);
    // The first rows are measured at once (the one synchronous layout), so the spacers are right before
    // anyone scrolls; later changes arrive through the observer.
    if (firstRow) this.#measure();
  }

  #measure(): void {
    const [viewport, header, row] = this.#measured as (HTMLElement | null | undefined)[];
    const viewportHeight = viewport?.clientHeight ?? 0;
    const rowHeight = row?.offsetHeight || this.#rowHeight;
    // Re-render only when the window drawn so far is wrong: another row height, or a taller viewport
    // (a shorter one is already covered). The header's height only matters to the next scroll.
    const stale = rowHeight !== this.#rowHeight || viewportHeight > (this.#viewportHeight || FALLBACK_VIEWPORT);
    this.#viewportHeight = viewportHeight;
    this.#headerHeight = header?.offsetHeight ?? 0;
    this.#rowHeight = rowHeight;
    if (stale) this.requestUpdate();
  }

  get #pagination() {
    return this.#users.result as unknown as
      | { hasNextPage?: boolean; isFetchingNextPage?: boolean; isFetchNextPageError?: boolean; data?: Page }
      | undefined;
  }

  #fetchNextPage = (): void => {
    void (this.#users.observer as InfiniteQueryObserver<Page> | undefined)?.fetchNextPage();
  };

  /** When the rendered window nears the end of what is loaded, fetch the next page. */
  #loadMoreIfNeeded(): void {
    const result = this.#pagination;
    // After a failed page, wait for the user's retry instead of asking again on every render.
    if (!result?.hasNextPage || result.isFetchingNextPage || result.isFetchNextPageError) return;
    if (this.#view.first + this.#visibleCount() + OVERSCAN * 2 < this.#rows.length) return;
    this.#fetchNextPage();
  }

  #announceResults(): void {
    const total = this.#users.result?.data?.pages[0]?.total;
    if (total === undefined || this.#users.result?.isPlaceholderData || total === this.#lastAnnouncedTotal) return;
    this.#lastAnnouncedTotal = total;
    const shown = this.#l10n.number(total);
    this.#announce(this.#l10n.t.rowsShown(shown, shown, total));
  }

  #announce(message: string): void {
    // Re-setting the same text would not be read again: clear it, and say it once that frame is painted
    // (a frame callback would render the live region again before the first rows could be painted).
    this.#view.announcement = '';
    this.requestUpdate();
    void nextPaint().then(() => {
      this.#view.announcement = message;
      this.requestUpdate();
    });
  }

  #visibleCount(): number {
    return Math.ceil((this.#viewportHeight || FALLBACK_VIEWPORT) / this.#rowHeight);
  }

  #onScroll = (event: Event): void => {
    const viewport = event.currentTarget as HTMLElement;
    if (this.#scrollFrame) return;
    this.#scrollFrame = requestAnimationFrame(() => {
      this.#scrollFrame = 0;
      const first = Math.max(0, Math.floor((viewport.scrollTop - this.#headerHeight) / this.#rowHeight) - OVERSCAN);
      if (first !== this.#view.first) {
        this.#view.first = first;
        this.requestUpdate();
      }
    });
  };

  #onSearch = (event: Event): void => {
    // The input keeps what the user typed (spaces included); only the query is trimmed.
    const value = (event.target as HTMLInputElement).value.trim();
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => this.#setQuery(() => (this.#view.search = value)), SEARCH_DEBOUNCE_MS);
  };

  #setQuery(change: () => void): void {
    change();
    this.#view.first = 0;
    this.#lastAnnouncedTotal = undefined;
    const viewport = this.renderRoot.querySelector<HTMLElement>('.viewport');
    if (viewport) viewport.scrollTop = 0;
    this.requestUpdate();
  }

  #toggleSort(field: 'name' | 'status'): void {
    this.#setQuery(() => {
      this.#view.sort = (this.#view.sort === field ? `-${field}` : field) as UserSort;
    });
  }

  #ariaSort(field: 'name' | 'email' | 'status'): 'ascending' | 'descending' | 'none' {
    if (this.#view.sort === field) return 'ascending';
    if (this.#view.sort === `-${field}`) return 'descending';
    return 'none';
  }

  async #openDisable(user: FirmUser): Promise<void> {
    if (!this.dispatchEvent(new FirmTwoFactorDisableRequestEvent(user))) return;
    try {
      await loadDialog();
    } catch (error) {
      // The dialog's code could not be fetched (offline, or a deploy replaced the chunk).
      this.dispatchEvent(new FirmErrorEvent(error as Error));
      this.#announce(this.#l10n.t.networkError);
      return;
    }
    const dialog = this.renderRoot.querySelector<FirmDisable2faDialog>('firm-disable-2fa-dialog');
    if (!dialog) return;
    const index = String(this.#rows.findIndex((row) => row.id === user.id) + 2);
    // The dialog announces the outcome itself, and gives focus back to the Disable button if it can.
    await dialog.show(user);
    await this.updateComplete;
    // That button may be gone: replaced by an invite button, by a new one after a rollback, or its row
    // left the filter.
    if (!this.#focusedInRows()) this.#refocus({ userId: user.id, index, cell: ACTION_CELL });
  }

  protected override render() {
    const { t } = this.#l10n;
    const viewer = this.#viewer.result;
    if (viewer?.error instanceof UnauthenticatedError) return this.#renderState(t.signInRequired);
    // A failed background refresh of a viewer we already know keeps the table (and its scroll and focus).
    if (viewer?.error && !viewer.data) return this.#renderError(viewer.error, () => this.#viewer.refetch());
    // Until the viewer and the first page are in, the toolbar and a busy skeleton table stand in place:
    // the page keeps its shape, and the rows land in a table that is already laid out.
    if (viewer?.data && !this.#canView) {
      return html`<div class="state" part="state" role="region" aria-labelledby="not-allowed">
        <p id="not-allowed"><strong>${t.notAllowedTitle}</strong></p>
        <p>${t.notAllowedBody}</p>
      </div>`;
    }
    return html`${this.#renderToolbar()} ${this.#renderTable()}
      <div role="status" aria-live="polite" class="visually-hidden">${this.#view.announcement}</div>
      <firm-disable-2fa-dialog .client=${this.#kit.kit.client} .queryClient=${this.#kit.kit.queryClient}></firm-disable-2fa-dialog>`;
  }

  #renderState(message: string) {
    return html`<div class="state" part="state" role="status">${message}</div>`;
  }

  #renderError(error: Error, retry: () => void) {
    const { t } = this.#l10n;
    return html`<div class="state" part="state" role="alert">
      <p>${t.errorLoading} ${errorMessage(this.#l10n, error)}</p>
      <button type="button" @click=${retry}>${t.retry}</button>
    </div>`;
  }

  #renderToolbar() {
    const { t } = this.#l10n;
    const summary = this.#users.result?.data?.pages[0]?.summary;
    const n = (value: number) => this.#l10n.number(value);
    return html`<div class="toolbar" part="toolbar">
      <label
        >${t.search}
        <input
          part="search"
          type="search"
          placeholder=${t.searchPlaceholder}
          value=${this.#view.search}
          @input=${this.#onSearch}
      /></label>
      ${this.#select(t.filterStatus, 'status', [
        ['', t.any],
        ['enabled', t.statusEnabled],
        ['invited', t.statusInvited],
        ['not_enabled', t.statusNotEnabled],
      ])}
      ${this.#select(t.filterRequirement, 'requirement', [
        ['', t.any],
        ['required', t.requirementRequired],
        ['not_required', t.requirementNotRequired],
        ['not_available', t.requirementNotAvailable],
      ])}
      ${this.#select(
        t.sortLabel,
        'sort',
        SORTS.map((sort) => [sort, t.sortOption(sort)]),
      )}
      ${
        summary
          ? html`<span class="summary" part="summary"
            >${t.summary(n(summary.total), n(summary.enabled), n(summary.invited), n(summary.notEnabled), summary)}</span
          >`
          : nothing
      }
    </div>`;
  }

  /** A select of the toolbar, bound to one field of the view. */
  #select<K extends 'status' | 'requirement' | 'sort'>(label: string, field: K, options: [View[K], string][]) {
    const choose = (event: Event) =>
      this.#setQuery(() => {
        this.#view[field] = (event.target as HTMLSelectElement).value as View[K];
      });
    return html`<label
      >${label}
      <select .value=${this.#view[field]} @change=${choose}>
        ${options.map(
          ([value, text]) => html`<option value=${value} ?selected=${this.#view[field] === value}>${text}</option>`,
        )}
      </select></label
    >`;
  }

  #renderTable() {
    const { t } = this.#l10n;
    const result = this.#users.result;
    if (result?.error && !result.data) return this.#renderError(result.error, () => this.#users.refetch());
    const rows = this.#rows;
    const total = result?.data?.pages[0]?.total ?? 0;
    const loading = !result || result.isPending;
    // Busy while the list itself loads (a new search keeps the previous rows until its own arrive), not
    // during background refreshes after every action.
    const busy = loading || result?.isPlaceholderData || this.#pagination?.isFetchingNextPage === true;
    const first = Math.min(this.#view.first, Math.max(0, rows.length - 1));
    const overscan = this.#overscan === 'full' ? OVERSCAN : FIRST_PAINT_OVERSCAN;
    const last = Math.min(rows.length, first + this.#visibleCount() + overscan * 2);
    const sortButton = (field: 'name' | 'status', label: string) =>
      html`<button type="button" @click=${() => this.#toggleSort(field)}>${label}</button>`;
    return html`<div class="viewport" @scroll=${this.#onScroll}>
      <table part="table" tabindex="-1" aria-busy=${busy ? 'true' : 'false'} aria-rowcount=${total + 1}>
        <caption>
          ${t.tableCaption}${loading ? html`<span class="visually-hidden"> (${t.loading})</span>` : nothing}
        </caption>
        <thead>
          <tr aria-rowindex="1">
            <th scope="col" aria-sort=${this.#ariaSort('name')}>
              ${sortButton('name', t.colName)}
            </th>
            <th scope="col">${t.colRole}</th>
            <th scope="col" aria-sort=${this.#ariaSort('status')}>${sortButton('status', t.colStatus)}</th>
            <th scope="col">${t.colRequire}</th>
            <th scope="col">${t.colAction}</th>
          </tr>
        </thead>
        <tbody>
          ${
            loading
              ? [0, 1, 2, 3, 4].map(
                  () => html`<tr aria-hidden="true">
                  ${[0, 1, 2, 3, 4].map(() => html`<td><span class="skeleton"></span></td>`)}
                </tr>`,
                )
              : rows.length === 0
                ? html`<tr>
                  <td colspan="5" class="state" part="state">${t.empty}</td>
                </tr>`
                : html`<tr class="spacer" aria-hidden="true">
                    <td colspan="5" ${heightPx(first * this.#rowHeight)}></td>
                  </tr>
                  ${repeat(
                    rows.slice(first, last),
                    (user) => user.id,
                    (user, index) => this.#renderRow(user, first + index),
                  )}
                  ${
                    this.#pagination?.isFetchNextPageError
                      ? html`<tr>
                        <td colspan="5" class="state" part="state" role="alert">
                          ${t.loadMoreFailed} <button type="button" @click=${this.#fetchNextPage}>${t.retry}</button>
                        </td>
                      </tr>`
                      : nothing
                  }
                  <tr class="spacer" aria-hidden="true">
                    <td colspan="5" ${heightPx(Math.max(0, total - last) * this.#rowHeight)}></td>
                  </tr>`
          }
        </tbody>
      </table>
    </div>`;
  }

  #renderRow(user: FirmUser, index: number) {
    const { t } = this.#l10n;
    const invitation = user.invitation;
    return html`<tr part="row" aria-rowindex=${index + 2} data-user-id=${user.id}>
      <td>
        <span class="name" title=${user.name}>${user.name}</span>
        <span class="email" title=${user.email}>${user.email}</span>
      </td>
      <td class="wrap">
        ${user.isPrimarySubscriber ? html`<span class="role primary">${t.rolePrimary}</span>` : nothing}
        ${user.role === 'administrator' ? html`<span class="role">${t.roleAdministrator}</span>` : nothing}
        ${!user.isPrimarySubscriber && user.role !== 'administrator' ? t.roleUser : nothing}
      </td>
      <td>
        ${statusBadge(t, user.twoFactor.status)}
        ${
          invitation
            ? html`<span class="detail">${t.invitedDetails(this.#l10n.date(invitation.sentAt), invitation.reminderCount, this.#l10n.number(invitation.reminderCount))}</span>`
            : nothing
        }
      </td>
      <td class=${user.requirement.status === 'not_available' ? 'na-cell' : nothing}>${this.#switch.render(user, `${user.id}-`)}</td>
      <td>${user.twoFactor.status === 'enabled' ? this.#renderDisable(user) : this.#invite.render(user, `${user.id}-invite-`)}</td>
    </tr>`;
  }

  #renderDisable(user: FirmUser) {
    const { t } = this.#l10n;
    const permission = user.allowedActions.disableTwoFactor;
    const reason = permission.allowed ? undefined : (reasonText(t, permission.reason) ?? permission.reason);
    const reasonId = `disable-reason-${user.id}`;
    // aria-disabled, not disabled: the button stays focusable, so its reason can be heard.
    return html`<button
        type="button"
        class="danger"
        aria-disabled=${reason !== undefined ? 'true' : 'false'}
        aria-describedby=${reason ? reasonId : nothing}
        @click=${() => reason === undefined && this.#openDisable(user)}
      >
        ${t.disableAction}
      </button>
      ${reason ? html`<span class="reason" id=${reasonId}>${reason}</span>` : nothing}`;
  }
}
