// The floor: a hand-written <table> doing the same work as ours with no framework. Viewer first, then
// cursor pages of 50 as the window nears the end of what is loaded; only the visible rows (plus the
// same overscan as ours) exist, recycled in place; the same search debounce; the same optimistic toggle.
import './peers.css';
import type { FirmUser } from '@firm-security/sdk';
import { fullyInside, type Mount, namesInside } from '../types.js';
import { peerToolbar, RowCells, requireToggle } from './cells.js';

const OVERSCAN = 8;
const ROW_HEIGHT = 64;

export const mount: Mount = (host, ctx) => {
  const { client } = ctx;
  const { search, summary } = peerToolbar(host);

  const viewport = document.createElement('div');
  viewport.className = 'vt-viewport';
  const table = document.createElement('table');
  table.createCaption().textContent = 'Users and their two-factor authentication';
  const headRow = table.createTHead().insertRow();
  for (const title of ['Name', 'Role', '2FA status', 'Require 2FA', 'Action']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    headRow.append(th);
  }
  const body = table.createTBody();
  const spacer = () => {
    const tr = body.insertRow();
    tr.className = 'spacer';
    const td = tr.insertCell();
    td.colSpan = 5;
    return td;
  };
  const top = spacer();
  const bottom = spacer();
  viewport.append(table);
  host.append(viewport);

  let users: FirmUser[] = [];
  let total = 0;
  let nextCursor: string | null = null;
  let loading = false;
  let query = '';
  let generation = 0;
  let first = 0;
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pool: Array<{ tr: HTMLTableRowElement; cells: RowCells }> = [];

  const replace = (before: FirmUser, after: FirmUser) => {
    const index = users.indexOf(before);
    if (index < 0) return;
    users[index] = after;
    for (const row of pool) if (row.cells.user === before) row.cells.update(after);
  };
  const onToggle = requireToggle(client, replace);

  const visibleCount = () => Math.ceil((viewport.clientHeight || 600) / ROW_HEIGHT);

  const render = () => {
    const start = Math.min(first, Math.max(0, users.length - 1));
    const end = Math.min(users.length, start + visibleCount() + OVERSCAN * 2);
    while (pool.length < end - start) {
      const tr = document.createElement('tr');
      const cells = Array.from({ length: 5 }, () => tr.insertCell());
      pool.push({ tr, cells: new RowCells(cells, onToggle) });
    }
    // Pool rows stay in order after the top spacer; only the ones past the data are detached.
    let anchor = top.parentElement as HTMLTableRowElement;
    for (let i = 0; i < pool.length; i++) {
      const row = pool[i] as (typeof pool)[number];
      const user = users[start + i];
      if (!user) {
        row.tr.remove();
        continue;
      }
      row.cells.update(user);
      if (row.tr.dataset.userId !== user.id) row.tr.dataset.userId = user.id;
      if (row.tr.previousSibling !== anchor) body.insertBefore(row.tr, anchor.nextSibling);
      anchor = row.tr;
    }
    top.style.height = `${start * ROW_HEIGHT}px`;
    bottom.style.height = `${Math.max(0, total - end) * ROW_HEIGHT}px`;
    summary.textContent = `${total} users`;
    loadMoreIfNeeded();
  };

  const fetchPage = async (reset: boolean) => {
    const mine = generation;
    loading = true;
    const page = await client.users.list({
      sort: 'name',
      limit: ctx.pageSize,
      ...(query ? { search: query } : {}),
      ...(reset || !nextCursor ? {} : { cursor: nextCursor }),
    });
    if (mine !== generation) return;
    loading = false;
    users = reset ? page.items : users.concat(page.items);
    total = page.total;
    nextCursor = page.nextCursor;
    render();
  };

  const loadMoreIfNeeded = () => {
    if (loading || !nextCursor || first + visibleCount() + OVERSCAN * 2 < users.length) return;
    void fetchPage(false);
  };

  viewport.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const header = table.tHead?.offsetHeight ?? 0;
      const next = Math.max(0, Math.floor((viewport.scrollTop - header) / ROW_HEIGHT) - OVERSCAN);
      if (next !== first) {
        first = next;
        render();
      }
    });
  });

  search.addEventListener('input', () => {
    const value = search.value.trim();
    clearTimeout(timer);
    timer = setTimeout(() => {
      // The rows stay until the new ones arrive (as ours keeps the previous data).
      query = value;
      generation++;
      first = 0;
      viewport.scrollTop = 0;
      void fetchPage(true);
    }, ctx.debounceMs);
  });

  // Same requests as ours: the viewer (permissions), then the first page.
  void client.viewer.get().then(() => fetchPage(true));

  const header = () => table.tHead?.offsetHeight ?? 0;
  return {
    hasRows: () => pool.some((row) => row.tr.isConnected && row.cells.user),
    visibleNames: () => namesInside(viewport, body.querySelectorAll('.name')),
    toggleable() {
      for (const tr of body.rows) {
        const row = pool.find((candidate) => candidate.tr === tr);
        const input = row?.cells.switch;
        if (row?.cells.user && input?.isConnected && input.getAttribute('aria-disabled') === 'false') {
          if (fullyInside(viewport, tr, header())) return { id: row.cells.user.id, input };
        }
      }
      return undefined;
    },
    checked(id) {
      const row = pool.find((candidate) => candidate.tr.isConnected && candidate.cells.user?.id === id);
      return row?.cells.switch.isConnected ? row.cells.switch.checked : undefined;
    },
    searchInput: () => search,
    scroller: () => viewport,
    rowHeight: () => pool[0]?.tr.offsetHeight ?? 0,
  };
};
