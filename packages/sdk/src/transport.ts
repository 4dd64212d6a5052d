import ky, { HTTPError, type KyInstance, TimeoutError as KyTimeoutError } from 'ky';
import { errorFromProblem, isFirmSecurityError, NetworkError, TimeoutError } from './errors.js';

export type HeadersSource = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

export interface RetryOptions {
  /** Attempts after the first; 2 by default. */
  limit?: number;
  /** Longest `Retry-After` (seconds) worth waiting for; a longer one surfaces at once as RateLimitedError. 5 by default. */
  maxRetryAfter?: number;
  /** Cap of the exponential backoff between attempts, in ms; 3000 by default. */
  backoffLimit?: number;
}

export interface TransportOptions {
  baseUrl: string;
  fetch?: typeof globalThis.fetch | undefined;
  headers?: HeadersSource | undefined;
  credentials?: RequestCredentials | undefined;
  csrfHeader: string;
  csrfToken: () => string | undefined;
  /** ms; false for none. 10 000 by default. */
  timeout?: number | false | undefined;
  retry?: number | false | RetryOptions | undefined;
}

export interface CallOptions {
  json?: unknown;
  searchParams?: Record<string, string | number | undefined> | undefined;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** POSTs are retried only when they carry an Idempotency-Key. */
  retryable: boolean;
}

export type Call = <T>(method: 'get' | 'post' | 'put' | 'delete', path: string, options: CallOptions) => Promise<T>;

/** Headers that can carry credentials; removed from anything attached to an error. */
const SECRET_HEADERS = ['authorization', 'cookie', 'x-csrf-token', 'proxy-authorization'];

const retryAfterSeconds = (response: Response): number | undefined => {
  const value = response.headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
};

const normalizeRetry = (retry: TransportOptions['retry']): Required<RetryOptions> => {
  const defaults = { limit: 2, maxRetryAfter: 5, backoffLimit: 3000 };
  if (retry === false) return { ...defaults, limit: 0 };
  if (typeof retry === 'number') return { ...defaults, limit: retry };
  return { ...defaults, ...retry };
};

const redact = (headers: Headers | undefined, names: Iterable<string>) => {
  for (const name of names) headers?.delete(name);
};

/**
 * Keeps the original error as `cause` without the credentials it may hold: secret headers (including
 * the CSRF header and every header from the `headers` option, whatever their names) and the request
 * body (a password or a code).
 */
const scrubbed = <E>(error: E, secretHeaders: Iterable<string>): E => {
  if (error && typeof error === 'object') {
    const holder = error as { request?: Request; options?: { headers?: Headers; json?: unknown; body?: unknown } };
    try {
      redact(holder.request?.headers, secretHeaders);
      redact(holder.options?.headers, secretHeaders);
    } catch {
      // Immutable headers cannot carry anything we added.
    }
    if (holder.options && typeof holder.options === 'object') {
      // ky freezes its options: replace them with a copy that has no body.
      const { json: _json, body: _body, ...rest } = holder.options;
      try {
        holder.options = rest;
      } catch {
        // A read-only property: nothing more we can do.
      }
    }
  }
  return error;
};

const pathOf = (baseUrl: string, path: string) => `${new URL(baseUrl, 'http://x').pathname.replace(/\/$/, '')}/${path}`;

/**
 * The only place that talks HTTP. ky does the retries, in this one layer: GET and PUT always, POST only
 * with an Idempotency-Key; network failures, 5xx, 408, and waits the server asks for when they are short
 * (a 409 idempotency_in_progress, a brief 429/503). A long Retry-After surfaces at once.
 */
export const createTransport = (options: TransportOptions): Call => {
  const retry = normalizeRetry(options.retry);
  /** Lower-cased names of headers that may carry credentials; grows with the `headers` option's names. */
  const secretHeaders = new Set([...SECRET_HEADERS, options.csrfHeader.toLowerCase()]);
  const http: KyInstance = ky.create({
    prefixUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    credentials: options.credentials ?? 'same-origin',
    timeout: options.timeout ?? 10_000,
    retry: {
      limit: retry.limit,
      methods: ['get', 'put', 'post'],
      statusCodes: [408, 409, 429, 500, 502, 503, 504],
      afterStatusCodes: [409, 429, 503],
      backoffLimit: retry.backoffLimit,
      shouldRetry: ({ error }) => {
        if (!(error instanceof HTTPError)) return undefined;
        const after = retryAfterSeconds(error.response);
        // 409 is worth retrying only when the server says when (idempotency_in_progress).
        if (error.response.status === 409 && after === undefined) return false;
        if (after !== undefined && after > retry.maxRetryAfter) return false;
        return undefined;
      },
    },
    hooks: {
      beforeRequest: [
        async (request) => {
          const extra = typeof options.headers === 'function' ? await options.headers() : options.headers;
          if (extra) {
            new Headers(extra).forEach((value, name) => {
              secretHeaders.add(name);
              request.headers.set(name, value);
            });
          }
          const token = options.csrfToken();
          if (request.method !== 'GET' && request.method !== 'HEAD' && token) {
            request.headers.set(options.csrfHeader, token);
          }
        },
      ],
    },
  });

  return async <T>(method: 'get' | 'post' | 'put' | 'delete', path: string, call: CallOptions): Promise<T> => {
    const searchParams = call.searchParams
      ? Object.fromEntries(
          Object.entries(call.searchParams).filter(
            (entry): entry is [string, string | number] => entry[1] !== undefined,
          ),
        )
      : undefined;
    try {
      const response = await http(path, {
        method,
        ...(call.json !== undefined ? { json: call.json } : {}),
        ...(searchParams ? { searchParams } : {}),
        ...(call.headers ? { headers: call.headers } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
        ...(call.retryable ? {} : { retry: 0 }),
      });
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    } catch (error) {
      throw await toTypedError(error, method.toUpperCase(), pathOf(options.baseUrl, path), secretHeaders);
    }
  };
};

const toTypedError = async (
  error: unknown,
  method: string,
  path: string,
  secretHeaders: Iterable<string>,
): Promise<unknown> => {
  if (isFirmSecurityError(error)) return error;
  if (error instanceof HTTPError) {
    const { response } = error;
    let body: unknown;
    try {
      body = JSON.parse(await response.clone().text());
    } catch {
      body = undefined;
    }
    return errorFromProblem(response.status, body, {
      requestId: response.headers.get('x-request-id') ?? undefined,
      retryAfter: retryAfterSeconds(response),
      method,
      path,
      cause: scrubbed(error, secretHeaders),
    });
  }
  if (error instanceof KyTimeoutError) {
    return new TimeoutError({ status: 0, code: 'timeout', method, path, cause: scrubbed(error, secretHeaders) });
  }
  // Aborts stay the platform's AbortError, which callers (and TanStack Query) already understand.
  if (error instanceof Error && error.name === 'AbortError') return error;
  if (error instanceof TypeError || (error instanceof Error && /fetch|network/i.test(error.message))) {
    return new NetworkError({ status: 0, code: 'network_error', method, path, cause: error });
  }
  return error;
};
