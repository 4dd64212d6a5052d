import { problem } from '../problem.js';

/** Opaque page cursors: base64url JSON. A cursor that does not decode is a validation error. */
export const encodeCursor = (value: unknown): string => {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

export const decodeCursor = <T>(cursor: string, isValid: (value: unknown) => value is T): T => {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const value: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (isValid(value)) return value;
  } catch {
    // fall through to the typed error
  }
  throw problem('validation_failed', 'The cursor is not valid; start again from the first page.', {
    errors: [{ path: 'cursor', message: 'not a cursor of this list' }],
  });
};
