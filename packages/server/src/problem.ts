import { type Problem, type ProblemCode, problemCatalog, problemType } from '@firm-security/contract';

export interface ProblemOptions {
  /** Overrides the catalog status (invalid_code is 401 at sign-in, 422 elsewhere). */
  status?: number;
  errors?: { path: string; message: string }[];
  /** Seconds; sets Retry-After. */
  retryAfter?: number;
  headers?: Record<string, string>;
  allow?: string[];
}

/** Thrown anywhere in the server; the app turns it into an application/problem+json response. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly options: ProblemOptions = {},
  ) {
    super(`${code}: ${detail}`);
    this.status = options.status ?? problemCatalog[code].status;
  }

  toBody(): Problem {
    const body: Problem = {
      type: problemType(this.code),
      title: problemCatalog[this.code].title,
      status: this.status,
      detail: this.detail,
      code: this.code,
    };
    if (this.options.errors) body.errors = this.options.errors;
    if (this.options.retryAfter !== undefined) body.retryAfter = this.options.retryAfter;
    if (this.options.allow) body.allow = this.options.allow;
    return body;
  }

  toResponse(): Response {
    const headers = new Headers({ 'content-type': 'application/problem+json', ...this.options.headers });
    if (this.options.retryAfter !== undefined) headers.set('retry-after', String(this.options.retryAfter));
    if (this.options.allow) headers.set('allow', this.options.allow.join(', '));
    return new Response(JSON.stringify(this.toBody()), { status: this.status, headers });
  }
}

export const problem = (code: ProblemCode, detail: string, options?: ProblemOptions): ProblemError =>
  new ProblemError(code, detail, options);

/** Seconds until `untilMs`, at least 1, for Retry-After. */
export const secondsUntil = (untilMs: number, nowMs: number): number =>
  Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
