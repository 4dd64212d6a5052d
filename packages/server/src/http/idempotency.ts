import { HOUR, iso, MINUTE } from '../clock.js';
import type { ServerContext } from '../context.js';
import { sha256Hex, toBase64 } from '../crypto/random.js';
import { problem } from '../problem.js';
import type { IdempotencyRecord } from '../store/records.js';
import type { RawBody } from './body.js';
import { validationFailed } from './body.js';

export const IDEMPOTENCY_TTL_MS = 24 * HOUR;
/** A reservation this old belongs to a request that died (crash, kill): it no longer blocks. */
const ABANDONED_AFTER_MS = MINUTE;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Headers a replay repeats. */
const REPLAYED_HEADERS = ['content-type', 'etag', 'retry-after'];

export type IdempotencyClaim =
  | { kind: 'replay'; response: Response }
  | { kind: 'run'; complete: (response: Response) => Promise<Response>; release: () => void };

const replay = (record: IdempotencyRecord): Response => {
  const headers = new Headers(record.headers);
  headers.set('idempotent-replayed', 'true');
  return new Response(record.body, { status: record.status ?? 200, headers });
};

/**
 * The Idempotency-Key protocol. A new key is reserved before the body is read, so a repeat that
 * arrives while the first is still running gets idempotency_in_progress. A completed key replays
 * its response for the same method, path and body, and refuses a different request.
 */
export const claimIdempotencyKey = async (
  ctx: ServerContext,
  viewerId: string,
  key: string,
  request: Request,
  readBody: () => Promise<RawBody>,
): Promise<IdempotencyClaim> => {
  if (!KEY_PATTERN.test(key)) {
    throw validationFailed([{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
  }
  const now = ctx.clock.now();
  ctx.store.purgeIdempotency(iso(now - IDEMPOTENCY_TTL_MS));
  const existing = ctx.store.getIdempotency(viewerId, key);
  const live = existing && !(existing.state === 'pending' && now - Date.parse(existing.createdAt) > ABANDONED_AFTER_MS);
  if (live && existing.state === 'pending') {
    throw problem('idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry shortly.', {
      retryAfter: 1,
    });
  }
  if (!live) {
    ctx.store.putIdempotency({
      viewerId,
      key,
      state: 'pending',
      fingerprint: null,
      status: null,
      headers: {},
      body: null,
      createdAt: iso(now),
    });
  }
  const raw = await readBody();
  const url = new URL(request.url);
  const fingerprint = await sha256Hex(
    `${request.method}\n${url.pathname}\n${raw.tooLarge ? 'too-large' : toBase64(raw.bytes)}`,
  );
  if (live) {
    if (existing.fingerprint === fingerprint) return { kind: 'replay', response: replay(existing) };
    throw problem('idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');
  }
  const release = () => ctx.store.deleteIdempotency(viewerId, key);
  return {
    kind: 'run',
    release,
    async complete(response) {
      // Failures worth retrying are not remembered: version conflicts, throttles, server errors.
      if (response.status === 412 || response.status === 429 || response.status >= 500) {
        release();
        return response;
      }
      const body = await response.text();
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      ctx.store.putIdempotency({
        viewerId,
        key,
        state: 'done',
        fingerprint,
        status: response.status,
        headers,
        body,
        createdAt: iso(now),
      });
      return new Response(body, { status: response.status, headers: response.headers });
    },
  };
};
