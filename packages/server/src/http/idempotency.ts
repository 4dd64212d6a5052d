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

export const isValidIdempotencyKey = (key: string): boolean => KEY_PATTERN.test(key);

export const invalidIdempotencyKey = () =>
  validationFailed([{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);

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
  const now = ctx.clock.now();
  const reservedAt = iso(now);
  // Look up and reserve in one step, so two requests with a new key cannot both think it is theirs.
  const existing = ctx.store.transaction(() => {
    ctx.store.purgeIdempotency(iso(now - IDEMPOTENCY_TTL_MS));
    const found = ctx.store.getIdempotency(viewerId, key);
    const abandoned = found?.state === 'pending' && now - Date.parse(found.createdAt) > ABANDONED_AFTER_MS;
    if (found && !abandoned) {
      if (found.state === 'pending') {
        throw problem(
          'idempotency_in_progress',
          'A request with this Idempotency-Key is still running; retry shortly.',
          {
            retryAfter: 1,
          },
        );
      }
      return found;
    }
    ctx.store.putIdempotency({
      viewerId,
      key,
      state: 'pending',
      fingerprint: null,
      status: null,
      headers: {},
      body: null,
      createdAt: reservedAt,
    });
    return undefined;
  });
  const raw = await readBody();
  const url = new URL(request.url);
  const fingerprint = await sha256Hex(
    `${request.method}\n${url.pathname}\n${raw.tooLarge ? 'too-large' : toBase64(raw.bytes)}`,
  );
  if (existing) {
    if (existing.fingerprint === fingerprint) return { kind: 'replay', response: replay(existing) };
    throw problem('idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');
  }
  const ours = () => {
    const current = ctx.store.getIdempotency(viewerId, key);
    return current?.state === 'pending' && current.createdAt === reservedAt;
  };
  const release = () =>
    ctx.store.transaction(() => {
      if (ours()) ctx.store.deleteIdempotency(viewerId, key);
    });
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
      ctx.store.transaction(() => {
        // Store only if the reservation is still ours: a request slow enough to be taken for dead
        // must not overwrite the one that took its key over.
        if (!ours()) return;
        ctx.store.putIdempotency({
          viewerId,
          key,
          state: 'done',
          fingerprint,
          status: response.status,
          headers,
          body,
          createdAt: reservedAt,
        });
      });
      return new Response(body, { status: response.status, headers: response.headers });
    },
  };
};
