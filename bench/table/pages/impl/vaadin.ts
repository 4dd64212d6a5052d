// Vaadin Grid 25 with the same columns, rendered by the same cell code as the vanilla table (built once
// per cell, updated in place, as Vaadin recommends), fed by a data provider that walks the API's cursor
// pages of 50, and a search field with the same debounce that clears the grid's cache.
import '@vaadin/grid/vaadin-grid.js';
import '@vaadin/grid/vaadin-grid-column.js';
import './peers.css';
import type { FirmUser, UserPage } from '@firm-security/sdk';
import type { Grid } from '@vaadin/grid/vaadin-grid.js';
import type { GridColumn } from '@vaadin/grid/vaadin-grid-column.js';
import { fullyInside, type Mount, namesInside } from '../types.js';
import { type Cell, columns, peerToolbar, RequireCell, requireToggle } from './cells.js';

const TITLES = ['Name', 'Role', '2FA status', 'Require 2FA', 'Action'];

export const mount: Mount = (host, ctx) => {
  const { client } = ctx;
  const { search, summary } = peerToolbar(host);
  const grid = document.createElement('vaadin-grid') as Grid<FirmUser>;
  grid.className = 'peer';
  grid.pageSize = ctx.pageSize;
  grid.itemIdPath = 'id';

  /** The grid's items are ours: a toggle updates the cached item in place and re-renders the rows. */
  const items = new Map<string, FirmUser>();
  const onToggle = requireToggle(client, (_before, after) => {
    const item = items.get(after.id);
    if (item) Object.assign(item, after);
    grid.requestContentUpdate();
  });

  const cellsOf = new WeakMap<HTMLElement, Cell>();
  columns.forEach((make, i) => {
    const column = document.createElement('vaadin-grid-column') as GridColumn<FirmUser>;
    column.header = TITLES[i] as string;
    column.renderer = (root, _column, model) => {
      let cell = cellsOf.get(root);
      if (!cell) {
        cell = make(root, onToggle);
        cellsOf.set(root, cell);
      }
      cell.update(model.item);
    };
    grid.append(column);
  });
  host.append(grid);

  // Cursor pages: page k needs page k-1's cursor, so pages load in order, one request at a time.
  let query = '';
  let generation = 0;
  let pages = new Map<number, UserPage>();
  let cursors: Array<string | null> = [null];
  let chain: Promise<unknown> = Promise.resolve();
  const pageAt = (index: number): Promise<UserPage | undefined> => {
    const mine = generation;
    const result = chain.then(async () => {
      for (let p = 0; p <= index; p++) {
        if (mine !== generation) return undefined;
        if (pages.has(p)) continue;
        const cursor = cursors[p];
        if (p > 0 && !cursor) return undefined;
        const page = await client.users.list({
          sort: 'name',
          limit: ctx.pageSize,
          ...(query ? { search: query } : {}),
          ...(cursor ? { cursor } : {}),
        });
        if (mine !== generation) return undefined;
        for (const user of page.items) items.set(user.id, user);
        pages.set(p, page);
        cursors[p + 1] = page.nextCursor;
        if (p === 0) summary.textContent = `${page.total} users`;
      }
      return pages.get(index);
    });
    chain = result.catch(() => undefined);
    return result;
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    const value = search.value.trim();
    clearTimeout(timer);
    timer = setTimeout(() => {
      query = value;
      generation++;
      pages = new Map();
      cursors = [null];
      grid.clearCache();
      grid.scrollToIndex(0);
    }, ctx.debounceMs);
  });

  // Same requests as ours: the viewer (permissions), then the first page.
  void client.viewer.get().then(() => {
    grid.dataProvider = (params, callback) => {
      const mine = generation;
      void pageAt(params.page).then((page) => {
        // A page of a search that has since changed belongs to a cache the grid has dropped.
        if (mine === generation) callback(page?.items ?? [], page?.total ?? 0);
      });
    };
  });

  const scroller = () => grid.shadowRoot?.querySelector('#table') as HTMLElement;
  const header = () => grid.shadowRoot?.querySelector<HTMLElement>('#header')?.offsetHeight ?? 0;
  const requireCells = () =>
    [...grid.querySelectorAll<HTMLElement>('vaadin-grid-cell-content')]
      .map((content) => cellsOf.get(content))
      .filter((cell): cell is RequireCell => cell instanceof RequireCell);
  return {
    hasRows: () => Boolean(grid.querySelector('vaadin-grid-cell-content .name')?.textContent),
    visibleNames: () => namesInside(scroller(), grid.querySelectorAll('vaadin-grid-cell-content .name')),
    toggleable() {
      const candidates = requireCells()
        .filter((cell) => cell.user && cell.switch.isConnected && cell.switch.getAttribute('aria-disabled') === 'false')
        .filter((cell) => fullyInside(scroller(), cell.switch, header()))
        .sort((a, b) => a.switch.getBoundingClientRect().top - b.switch.getBoundingClientRect().top);
      const cell = candidates[0];
      return cell?.user ? { id: cell.user.id, input: cell.switch } : undefined;
    },
    checked(id) {
      const cell = requireCells().find((candidate) => candidate.user?.id === id && candidate.switch.isConnected);
      return cell?.switch.checked;
    },
    searchInput: () => search,
    scroller,
    rowHeight: () => grid.shadowRoot?.querySelector<HTMLElement>('#items tr')?.offsetHeight ?? 0,
  };
};
