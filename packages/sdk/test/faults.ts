import type { Fetch } from './setup.js';

/** Which requests a fault applies to. */
export type Match = (request: Request) => boolean;

export const matching =
  (method: string, pathPart: string): Match =>
  (request) =>
    request.method === method && new URL(request.url).pathname.includes(pathPart);

/**
 * Fault injectors that sit between the SDK and the real server. Each counts what it saw, so tests
 * can assert how many attempts reached the server.
 */
export interface Injector {
  fetch: Fetch;
  /** Requests that matched, in order (their Idempotency-Key, etc.). */
  seen: Request[];
}

const injector = (
  next: Fetch,
  match: Match,
  times: number,
  fault: (request: Request, next: Fetch) => Promise<Response>,
): Injector => {
  const seen: Request[] = [];
  let left = times;
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (!match(request)) return next(request);
    seen.push(request.clone());
    if (left <= 0) return next(request);
    left--;
    return fault(request, next);
  }) as Fetch;
  return { fetch, seen };
};

/** The server acts, then the response is lost on the way back (as when a connection drops). */
export const dropResponse = (next: Fetch, match: Match, times = 1) =>
  injector(next, match, times, async (request, forward) => {
    await forward(request);
    throw new TypeError('fetch failed: connection reset');
  });

/** The server never sees the request: the network fails first. */
export const failBeforeServer = (next: Fetch, match: Match, times = 1) =>
  injector(next, match, times, async () => {
    throw new TypeError('fetch failed: ECONNREFUSED');
  });

/** Answers with a status (503, 500, ...) without reaching the server. */
export const answer = (next: Fetch, match: Match, status: number, headers: Record<string, string> = {}, times = 1) =>
  injector(next, match, times, async () => new Response('upstream unavailable', { status, headers }));

/** Holds the request for `ms` before forwarding it (abortable, like a real network). */
export const delay = (next: Fetch, match: Match, ms: number, times = Number.POSITIVE_INFINITY) =>
  injector(
    next,
    match,
    times,
    (request, forward) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(forward(request)), ms);
        request.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(request.signal.reason ?? new DOMException('aborted', 'AbortError'));
        });
      }),
  );
