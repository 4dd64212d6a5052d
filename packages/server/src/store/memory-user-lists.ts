import type { UserListQuery, UserRecord, UserSummary } from './records.js';
import {
  foldKey,
  requirementStatusOf,
  type SortKey,
  sortKeysOf,
  sortValueOf,
  twoFactorStatusOf,
} from './user-order.js';

/** Code point order, which is UTF-8 byte order: JS `<` compares UTF-16 units, which puts astral characters too early. */
const compareText = (a: string, b: string): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..DFFF) move above U+E000..FFFF, the rest of the BMP stays below.
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
};

/** Compares sort values the way SQLite's BINARY collation does for our keys. */
const compareValues = (a: string | number, b: string | number): number =>
  typeof a === 'string' && typeof b === 'string' ? compareText(a, b) : a < b ? -1 : a > b ? 1 : 0;

/** Order of two rows' sort values (or of a row and a cursor) under `keys`. */
const compareKeyed = (keys: SortKey[], a: readonly (string | number)[], b: readonly (string | number)[]): number => {
  for (const [index, key] of keys.entries()) {
    const order = compareValues(a[index] as string | number, b[index] as string | number);
    if (order !== 0) return key.descending ? -order : order;
  }
  return 0;
};

/** A user with everything listing needs computed once: sort values, folded text, derived statuses. */
interface Row {
  user: UserRecord;
  values: (string | number)[];
  name: string;
  email: string;
  status: ReturnType<typeof twoFactorStatusOf>;
  requirement: ReturnType<typeof requirementStatusOf>;
}

const rowOf = (user: UserRecord, keys: SortKey[]): Row => ({
  user,
  values: keys.map((key) => sortValueOf(user, key.field)),
  name: foldKey(user.name),
  email: foldKey(user.email),
  status: twoFactorStatusOf(user),
  requirement: requirementStatusOf(user),
});

/** Index of the first row ordered after `values` (all rows when `values` is before them all). */
const firstAfter = (rows: Row[], keys: SortKey[], values: readonly (string | number)[]): number => {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeyed(keys, (rows[middle] as Row).values, values) > 0) high = middle;
    else low = middle + 1;
  }
  return low;
};

/** How many filtered lists to keep: the table's current query and a few recent ones. */
const FILTERED_KEPT = 8;

/**
 * The memory store's listing, fast enough for the in-page mock with 50,000 users: each firm's users are
 * sorted once per sort order and kept until a user is written; a query's filtered list is kept too, so
 * paging through it (keyset cursors) is a binary search and a slice instead of a filter and a sort of
 * every user per request. `update()` on every write of a user, including each step of a rollback.
 */
export class MemoryUserLists {
  #sorted = new Map<string, { firmId: string; keys: SortKey[]; rows: Row[] }>();
  #filtered = new Map<string, Row[]>();
  #summaries = new Map<string, UserSummary>();

  constructor(private readonly activeUsers: (firmId: string) => UserRecord[]) {}

  /**
   * A user was written (`from` -> `to`, either may be absent). Sorted lists move that one row by binary
   * search, so a write in a 50,000-user firm never re-sorts it; filtered lists and counts are dropped.
   */
  update(from: UserRecord | undefined, to: UserRecord | undefined): void {
    for (const sorted of this.#sorted.values()) {
      if (from?.active && from.firmId === sorted.firmId) {
        const values = rowOf(from, sorted.keys).values;
        // Sort values end with the id, so the row equal to `from` is the one just before firstAfter.
        const index = firstAfter(sorted.rows, sorted.keys, values) - 1;
        if (sorted.rows[index]?.user.id === from.id) sorted.rows.splice(index, 1);
      }
      if (to?.active && to.firmId === sorted.firmId) {
        const row = rowOf(to, sorted.keys);
        sorted.rows.splice(firstAfter(sorted.rows, sorted.keys, row.values), 0, row);
      }
    }
    this.#filtered.clear();
    this.#summaries.clear();
  }

  #sortedRows(firmId: string, keys: SortKey[], sort: string): Row[] {
    const cacheKey = `${firmId}\u0000${sort}`;
    let sorted = this.#sorted.get(cacheKey);
    if (!sorted) {
      const rows = this.activeUsers(firmId).map((user) => rowOf(user, keys));
      rows.sort((a, b) => compareKeyed(keys, a.values, b.values));
      sorted = { firmId, keys, rows };
      this.#sorted.set(cacheKey, sorted);
    }
    return sorted.rows;
  }

  #matchingRows(query: UserListQuery, keys: SortKey[]): Row[] {
    const { firmId, sort, search, status, requirement } = query;
    const sorted = this.#sortedRows(firmId, keys, sort);
    if (!search && !status && !requirement) return sorted;
    const cacheKey = JSON.stringify([firmId, sort, search, status, requirement]);
    let rows = this.#filtered.get(cacheKey);
    if (!rows) {
      rows = sorted.filter(
        (row) =>
          (!search || row.name.includes(search) || row.email.includes(search)) &&
          (!status || row.status === status) &&
          (!requirement || row.requirement === requirement),
      );
      if (this.#filtered.size >= FILTERED_KEPT) this.#filtered.delete(this.#filtered.keys().next().value as string);
      this.#filtered.set(cacheKey, rows);
    }
    return rows;
  }

  /** The page after `query.after` (rows themselves, not copies: the store copies them out). */
  list(query: UserListQuery): { items: UserRecord[]; total: number } {
    const keys = sortKeysOf(query.sort);
    const rows = this.#matchingRows(query, keys);
    // First row strictly after the cursor: rows are in keyset order.
    const start = query.after ? firstAfter(rows, keys, query.after) : 0;
    return { items: rows.slice(start, start + query.limit).map((row) => row.user), total: rows.length };
  }

  summarize(firmId: string): UserSummary {
    let summary = this.#summaries.get(firmId);
    if (!summary) {
      summary = { total: 0, enabled: 0, invited: 0, notEnabled: 0, required: 0, notAvailable: 0 };
      for (const user of this.activeUsers(firmId)) {
        summary.total++;
        const status = twoFactorStatusOf(user);
        if (status === 'enabled') summary.enabled++;
        else if (status === 'invited') summary.invited++;
        else summary.notEnabled++;
        const requirement = requirementStatusOf(user);
        if (requirement === 'required') summary.required++;
        else if (requirement === 'not_available') summary.notAvailable++;
      }
      this.#summaries.set(firmId, summary);
    }
    return { ...summary };
  }
}
