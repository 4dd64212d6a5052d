import type { z } from 'zod';
import { problem } from '../problem.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface RawBody {
  bytes: Uint8Array;
  /** Over MAX_BODY_BYTES: reading stopped there. */
  tooLarge: boolean;
}

/** Reads at most MAX_BODY_BYTES + 1 bytes; never buffers an oversized body whole. */
export const readRawBody = async (request: Request): Promise<RawBody> => {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) return { bytes: new Uint8Array(), tooLarge: true };
  if (!request.body) return { bytes: new Uint8Array(), tooLarge: false };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      return { bytes: new Uint8Array(), tooLarge: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, tooLarge: false };
};

const isJsonMediaType = (contentType: string | null): boolean => {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
};

/** JSON Pointer (RFC 6901) of a schema issue path. */
export const pointerOf = (path: readonly PropertyKey[]): string =>
  path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

export const validationFailed = (errors: { path: string; message: string }[]) =>
  problem(
    'validation_failed',
    `The request is not valid: ${errors.map((e) => `${e.path || 'body'} ${e.message}`).join('; ')}.`,
    {
      errors,
    },
  );

/** 413 for a body over the limit, whether or not the operation takes a body. */
export const assertBodyWithinLimit = (raw: RawBody): void => {
  if (raw.tooLarge) throw problem('payload_too_large', `The body is over ${MAX_BODY_BYTES / 1024} KiB.`);
};

/**
 * Parses a body in the contract's order: 413, then 415, then 422. No body (or an empty one) is
 * treated as `{}`, so optional-only schemas accept a bare POST.
 */
export const parseJsonBody = <T extends z.ZodType>(request: Request, raw: RawBody, schema: T): z.output<T> => {
  assertBodyWithinLimit(raw);
  let value: unknown = {};
  if (raw.bytes.byteLength > 0) {
    if (!isJsonMediaType(request.headers.get('content-type'))) {
      throw problem('unsupported_media_type', 'Send the body as application/json.');
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw.bytes);
    } catch {
      throw validationFailed([{ path: '', message: 'is not UTF-8' }]);
    }
    if (text.trim() !== '') {
      try {
        value = JSON.parse(text);
      } catch {
        throw validationFailed([{ path: '', message: 'is not valid JSON' }]);
      }
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw validationFailed(
      result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              path: pointerOf([...issue.path, key]),
              message: 'is not a field of this request',
            }))
          : [{ path: pointerOf(issue.path), message: issue.message }],
      ),
    );
  }
  return result.data;
};

/** Validates a query string. Repeated parameters are errors: every parameter takes one value. */
export const parseQuery = <T extends z.ZodType>(url: URL, schema: T): z.output<T> => {
  const values: Record<string, string> = {};
  const errors: { path: string; message: string }[] = [];
  for (const [name, value] of url.searchParams) {
    if (Object.hasOwn(values, name)) errors.push({ path: name, message: 'must be given once' });
    values[name] = value;
  }
  if (errors.length) throw validationFailed(errors);
  const result = schema.safeParse(values);
  if (!result.success) {
    throw validationFailed(
      result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: key, message: 'is not a parameter of this endpoint' }))
          : [{ path: String(issue.path[0] ?? ''), message: issue.message }],
      ),
    );
  }
  return result.data;
};
