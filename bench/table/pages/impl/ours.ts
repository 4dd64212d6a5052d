// Ours: <firm-security-table> from the published dist, on the shell's client and QueryClient.
import '@firm-security/elements/define/firm-security-table.js';
import type { FirmSecurityTable } from '@firm-security/elements';
import { fullyInside, type Mount, namesInside } from '../types.js';

export const mount: Mount = (host, ctx) => {
  const table = document.createElement('firm-security-table') as FirmSecurityTable;
  table.client = ctx.client;
  table.queryClient = ctx.queryClient;
  // Pages of 50, as the peers fetch (the element's default is 100).
  table.pageSize = ctx.pageSize;
  host.append(table);
  const root = table.renderRoot as ShadowRoot;
  const viewport = () => root.querySelector('.viewport') as HTMLElement;
  const rows = () => root.querySelectorAll<HTMLTableRowElement>('tr[part~="row"]');
  const switchIn = (row: Element) => row.querySelector<HTMLInputElement>('input[part="switch"]');
  const header = () => root.querySelector('thead')?.getBoundingClientRect().height ?? 0;
  return {
    hasRows: () => Boolean(root.querySelector('tr[part~="row"] .name')?.textContent),
    visibleNames: () => namesInside(viewport(), root.querySelectorAll('tr[part~="row"] .name')),
    toggleable() {
      for (const row of rows()) {
        const input = switchIn(row);
        if (input && input.getAttribute('aria-disabled') !== 'true' && fullyInside(viewport(), row, header())) {
          return { id: row.dataset.userId as string, input };
        }
      }
      return undefined;
    },
    checked(id) {
      const row = root.querySelector(`tr[data-user-id="${CSS.escape(id)}"]`);
      return row ? switchIn(row)?.checked : undefined;
    },
    searchInput: () => root.querySelector('input[part="search"]') as HTMLElement,
    scroller: viewport,
    rowHeight: () => root.querySelector<HTMLElement>('tr[part~="row"]')?.offsetHeight ?? 0,
  };
};
