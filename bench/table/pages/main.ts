// The page shell shared by the three tables: boots the mock (the real reference server on its memory
// store) with the demo firm plus N generated users, hands every table the same SDK client, and measures
// in the page, identically for all three, through `window.bench` (driven by bench/table.mjs).
import { createMockServer, DEMO_PASSWORD, demoFirm, demoPeople, type MockServer } from '@firm-security/mock';
import { createFirmSecurityClient } from '@firm-security/sdk';
// Resolved through the workspace root's node_modules (the mock does not re-export it).
import { generatedUsers } from '@firm-security/server';
import type { Ctx, Mount, Mounted } from './types.js';

const now = () => performance.now();

const impls: Record<string, () => Promise<{ mount: Mount }>> = {
  ours: () => import('./impl/ours.js'),
  vaadin: () => import('./impl/vaadin.js'),
  vanilla: () => import('./impl/vanilla.js'),
};

/** Same as SEARCH_DEBOUNCE_MS in packages/elements/src/components/security-table/security-table.ts. */
const SEARCH_DEBOUNCE_MS = 200;
/** The peers fetch cursor pages of 50; ours is given `page-size="50"` so all three do the same requests. */
const PAGE_SIZE = 50;

let mock: MockServer | undefined;
let ctx: Ctx | undefined;
let loaded: Mount | undefined;
let mounted: Mounted | undefined;
let inFlight = 0;
let lastSettled = 0;
/** When each GET /firm/users response reached the client (the table's code), in order. */
const usersResponses: number[] = [];
/** Intervals of synchronous store work of the in-page server, to tell its long tasks from the table's. */
const storeWork: Array<[number, number]> = [];

/**
 * Time after the next frame is painted: a rAF runs just before that frame's style, layout and paint,
 * and a message posted from it runs as the next task, after them. Called inside a rAF callback, the
 * frame being produced is the one that counts, so only the message is needed.
 *
 * The rAF must be requested before the table's own: messages posted in one frame run in the order
 * they were posted, and a table that defers work to just after its paint (ours draws its overscan
 * then) would otherwise run that work before our timestamp. Every caller requests it first: the
 * keydown and click listeners capture on window, and `paintedWhen` checks from a frame loop that was
 * running before the table got its data.
 */
const nextPaint = (inFrame = false) =>
  new Promise<number>((resolve) => {
    const afterFrame = () => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(now());
      channel.port2.postMessage(null);
    };
    if (inFrame) afterFrame();
    else requestAnimationFrame(afterFrame);
  });

/**
 * The paint of the first frame that shows `ready()`: checked at the start of every frame by a rAF
 * loop, which is the first callback of each frame (each one is requested during the previous frame,
 * before anything the table requests in between), so the frame's paint is timed before any work a
 * table scheduled after that paint.
 */
const paintedWhen = (ready: () => boolean, timeoutMs = 20_000) =>
  new Promise<{ paintedAt: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the table')), timeoutMs);
    const check = () => {
      if (!ready()) {
        requestAnimationFrame(check);
        return;
      }
      clearTimeout(timer);
      void nextPaint(true).then((paintedAt) => resolve({ paintedAt }));
    };
    requestAnimationFrame(check);
  });

/** Resolves once no request has been in flight for `quietMs` (pages loading, refetches after a toggle). */
const settled = async (quietMs = 300, timeoutMs = 30_000) => {
  const start = now();
  while (now() - start < timeoutMs) {
    if (inFlight === 0 && now() - lastSettled >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const isUsersList = (input: RequestInfo | URL, init?: RequestInit) => {
  const request = input instanceof Request ? input : undefined;
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  const url = new URL(request ? request.url : String(input), document.baseURI);
  return method === 'GET' && /\/firm\/users$/.test(url.pathname);
};

/** Times every synchronous store method (outermost call only), without changing what it does. */
const timeStore = (store: MockServer['store']) => {
  let depth = 0;
  const target = store as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(store))) {
    const method = target[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (depth++ > 0) {
        try {
          return method.apply(this, args);
        } finally {
          depth--;
        }
      }
      const start = now();
      try {
        return method.apply(this, args);
      } finally {
        depth--;
        storeWork.push([start, now()]);
      }
    };
  }
};

const storeMsWithin = (start: number, end: number) =>
  storeWork.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, end) - Math.max(a, start)), 0);

const required = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} first`);
  return value;
};

const centerOf = (element: Element) => {
  const rect = element.getBoundingClientRect();
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
};

const keyTimes: number[] = [];
let keyPaints: Array<Promise<number>> = [];
let pendingToggle: Promise<{ clickAt: number; paintedAt: number }> | undefined;

const bench = {
  /** Boots the mock with the demo firm plus `count` generated users, signed in as the primary subscriber. */
  async boot(count: number) {
    const start = now();
    const secrets = demoFirm.users.flatMap((user) =>
      user.twoFactor.status === 'enabled' ? [user.twoFactor.totpSecret] : [],
    );
    mock = await createMockServer({
      scenario: () => ({
        seed: {
          ...demoFirm,
          users: [
            ...demoFirm.users,
            ...generatedUsers(count, { password: DEMO_PASSWORD, domain: 'generated.hartwell-reyes.test', secrets }),
          ],
        },
        viewer: demoPeople.primary,
      }),
    });
    timeStore(mock.store);
    const mockFetch = mock.fetch;
    // The tables' client: the mock's fetch, timestamping when each users page reaches the client.
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      inFlight++;
      try {
        const response = await mockFetch(input, init);
        if (isUsersList(input, init)) usersResponses.push(now());
        return response;
      } finally {
        inFlight--;
        lastSettled = now();
      }
    }) as typeof globalThis.fetch;
    const client = createFirmSecurityClient({
      baseUrl: new URL('/api/v1', document.baseURI).href,
      fetch,
      retry: { backoffLimit: 20 },
    });
    // Hands the client the session's CSRF token now, so no table pays a GET /me before its first PUT.
    await client.viewer.get();
    // The store builds its sorted list on the first query: built now, it is in the heap baseline and no
    // table pays for it (a write, such as a toggle, drops it again, as on any server).
    await client.users.list({ sort: 'name', limit: PAGE_SIZE });
    ctx = { client, queryClient: mock.queryClient, pageSize: PAGE_SIZE, debounceMs: SEARCH_DEBOUNCE_MS };
    return { bootMs: now() - start };
  },

  /** Loads one implementation's module (its code, and whatever it builds when imported). */
  async load(name: string) {
    const loadStart = now();
    loaded = (await required(impls[name], `an implementation named ${name}`)()).mount;
    return { importMs: now() - loadStart };
  },

  /** Mounts the loaded implementation and times its first rows. */
  async mount() {
    const context = required(ctx, 'boot');
    const mount = required(loaded, 'load');
    const host = required(document.getElementById('host') ?? undefined, '#host');
    const responsesBefore = usersResponses.length;
    const mountAt = now();
    const table = mount(host, context);
    mounted = table;
    const { paintedAt } = await paintedWhen(() => table.hasRows());
    const dataAt = required(usersResponses[responsesBefore], 'a users response');
    await settled();
    const rowHeight = table.rowHeight();
    return { mountToRows: paintedAt - mountAt, dataToRows: paintedAt - dataAt, rowHeight };
  },

  /** A visible row's enabled switch: where to click, and the state it should show after the click. */
  armToggle() {
    const table = required(mounted, 'mount');
    const target = required(table.toggleable(), 'a row with an enabled switch');
    const expected = !target.input.checked;
    pendingToggle = new Promise((resolve, reject) => {
      window.addEventListener(
        'click',
        () => {
          const clickAt = now();
          paintedWhen(() => table.checked(target.id) === expected)
            .then(({ paintedAt }) => resolve({ clickAt, paintedAt }))
            .catch(reject);
        },
        { capture: true, once: true },
      );
    });
    return { ...centerOf(target.input), id: target.id, expected };
  },

  async toggleResult() {
    const { clickAt, paintedAt } = await required(pendingToggle, 'armToggle');
    // The work a toggle causes after its first frame (cache writes, the PUT, refetches), as long tasks.
    const longTasks = await longTasksDuring(async () => {
      await settled();
    }, clickAt);
    return { toggleRepaint: paintedAt - clickAt, ...longTasks };
  },

  /** Where the search field is; times each following keydown to the next painted frame. */
  armSearch() {
    const table = required(mounted, 'mount');
    keyTimes.length = 0;
    keyPaints = [];
    window.addEventListener('keydown', onKeydown, { capture: true });
    return centerOf(table.searchInput());
  },

  async searchResult(query: string) {
    const table = required(mounted, 'mount');
    const matches = () => {
      if (keyTimes.length < query.length) return false;
      const names = table.visibleNames();
      return names.length > 0 && names.every((name) => name.toLowerCase().includes(query));
    };
    const { paintedAt } = await paintedWhen(matches);
    window.removeEventListener('keydown', onKeydown, { capture: true });
    const paints = await Promise.all(keyPaints);
    const keyRepaints = paints.map((paint, i) => paint - (keyTimes[i] as number));
    await settled();
    return { keyRepaints, lastKeyToRows: paintedAt - (keyTimes.at(-1) as number), names: table.visibleNames().length };
  },

  /** After the search is cleared: waits for unfiltered rows again. */
  async unfiltered(query: string) {
    const table = required(mounted, 'mount');
    await paintedWhen(() => {
      const names = table.visibleNames();
      return names.length > 0 && !names.every((name) => name.toLowerCase().includes(query));
    });
    await settled();
  },

  /** Scrolls to the end, until every page is loaded; returns how many users pages that took, and their size. */
  async scrollToEnd() {
    const scroller = required(mounted, 'mount').scroller();
    const before = usersResponses.length;
    let seen = -1;
    while (usersResponses.length !== seen) {
      seen = usersResponses.length;
      scroller.scrollTop = scroller.scrollHeight;
      // The scroll event arrives with the next frame; the table then loads page after page.
      await nextPaint();
      await nextPaint();
      await settled();
    }
    return { pages: usersResponses.length - before, pageSize: PAGE_SIZE };
  },

  /** Users pages fetched so far. */
  usersRequests: () => usersResponses.length,

  /** Scrolls `frames` frames by `step` px each (a scrollTop step per frame), loading further pages. */
  async scroll(frames: number, step: number) {
    const table = required(mounted, 'mount');
    const scroller = table.scroller();
    const gaps: number[] = [];
    const result = await longTasksDuring(async () => {
      await new Promise<void>((resolve) => {
        let left = frames;
        let last = 0;
        const tick = (time: number) => {
          if (last) gaps.push(time - last);
          last = time;
          if (left-- <= 0) return resolve();
          scroller.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      await settled();
    });
    return {
      ...result,
      scrolledTo: scroller.scrollTop,
      longestFrame: Math.max(...gaps),
      framesOver50: gaps.filter((gap) => gap > 50).length,
      names: table.visibleNames().length,
    };
  },
};

function onKeydown() {
  keyTimes.push(now());
  keyPaints.push(nextPaint());
}

/** Long tasks while `run` runs, each with the in-page server's store time inside it. */
const longTasksDuring = async (run: () => Promise<void>, from = now()) => {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    entries.push(...list.getEntries());
  });
  observer.observe({ type: 'longtask' });
  await run();
  // Long task entries arrive after their task; give the last one time to be reported.
  await new Promise((resolve) => setTimeout(resolve, 100));
  entries.push(...observer.takeRecords());
  observer.disconnect();
  const tasks = entries
    .filter((entry) => entry.startTime + entry.duration >= from)
    .map((entry) => {
      const storeMs = storeMsWithin(entry.startTime, entry.startTime + entry.duration);
      return { duration: entry.duration, storeMs, netMs: entry.duration - storeMs };
    });
  return {
    longTaskMax: Math.max(0, ...tasks.map((task) => task.duration)),
    longTaskNetMax: Math.max(0, ...tasks.map((task) => task.netMs)),
    longTaskCount: tasks.length,
    longTaskTotal: tasks.reduce((sum, task) => sum + task.duration, 0),
    storeMsTotal: storeMsWithin(from, now()),
  };
};

declare global {
  interface Window {
    bench: typeof bench;
  }
}
window.bench = bench;
