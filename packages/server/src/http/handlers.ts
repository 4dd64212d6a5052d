import type { OperationId, VerifyRequest } from '@firm-security/contract';
import type { ServerContext } from '../context.js';
import { etagOf } from '../present.js';
import * as firm from '../services/firm.js';
import * as me from '../services/self-service.js';
import { type Authenticated, sessionHeaders, sessionIdHash } from '../services/sessions.js';
import * as signIn from '../services/sign-in.js';

/** What a handler gets: the validated body and query, the session (absent for public routes). */
export interface HandlerInput {
  ctx: ServerContext;
  request: Request;
  auth: Authenticated | undefined;
  params: Record<string, string>;
  body: unknown;
  query: unknown;
  ifMatch: number | '*' | undefined;
}

const json = (body: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response => {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
};

const userResponse = ({ user, version }: { user: unknown; version: number }) =>
  json(user, { headers: { etag: etagOf(version) } });

const noContent = (headers?: HeadersInit) => new Response(null, { status: 204, headers: new Headers(headers) });

/** Links in emails point at the configured app URL, or this server's origin. */
const appUrlOf = (input: HandlerInput) => input.ctx.config.appUrl ?? new URL(input.request.url).origin;

const mutation = (input: HandlerInput): firm.MutationInput => ({
  userId: input.params.id as string,
  ifMatch: input.ifMatch,
  appUrl: appUrlOf(input),
});

const must = (auth: Authenticated | undefined): Authenticated => {
  if (!auth) throw new Error('handler of a signed-in route called without a session');
  return auth;
};

/** One function per operation of the contract: HTTP in, service call, HTTP out. */
export const handlers: Record<OperationId, (input: HandlerInput) => Promise<Response> | Response> = {
  async signIn(input) {
    const { token, body } = await signIn.signIn(
      input.ctx,
      input.body as { email: string; password: string },
      await sessionIdHash(input.ctx, input.request),
    );
    return json(body, { headers: sessionHeaders(input.ctx, input.request, token) });
  },
  async verifySignIn(input) {
    const { token, body } = await signIn.verifySignIn(input.ctx, must(input.auth), input.body as VerifyRequest);
    return json(body, { headers: sessionHeaders(input.ctx, input.request, token) });
  },
  async stepUp(input) {
    await signIn.stepUp(input.ctx, must(input.auth), input.body as { code: string });
    return noContent();
  },
  signOut(input) {
    signIn.signOut(input.ctx, must(input.auth));
    return noContent(sessionHeaders(input.ctx, input.request, null));
  },
  getViewer: (input) => json(me.viewer(must(input.auth))),
  setUpTwoFactor: async (input) => json(await me.setUpTwoFactor(input.ctx, must(input.auth))),
  async activateTwoFactor(input) {
    const { body, token } = await me.activateTwoFactor(input.ctx, must(input.auth), input.body as { code: string });
    return json(body, token ? { headers: sessionHeaders(input.ctx, input.request, token) } : {});
  },
  regenerateBackupCodes: async (input) =>
    json(await me.regenerateBackupCodes(input.ctx, must(input.auth), input.body as { code: string })),
  disableOwnTwoFactor: async (input) =>
    json(await me.disableOwnTwoFactor(input.ctx, must(input.auth), input.body as { code: string })),
  listUsers: (input) => json(firm.listUsers(input.ctx, must(input.auth), input.query as firm.UsersQueryInput)),
  getUser: (input) => userResponse(firm.getUser(input.ctx, must(input.auth), input.params.id as string)),
  inviteUser: (input) => userResponse(firm.inviteUser(input.ctx, must(input.auth), mutation(input))),
  remindUser: (input) => userResponse(firm.remindUser(input.ctx, must(input.auth), mutation(input))),
  setRequirement: (input) =>
    userResponse(
      firm.setRequirement(input.ctx, must(input.auth), {
        ...mutation(input),
        required: (input.body as { required: boolean }).required,
      }),
    ),
  disableUserTwoFactor: (input) =>
    userResponse(
      firm.disableUserTwoFactor(input.ctx, must(input.auth), {
        ...mutation(input),
        confirm: (input.body as { confirm?: boolean }).confirm,
      }),
    ),
  listEvents: (input) =>
    json(
      firm.listEvents(
        input.ctx,
        must(input.auth),
        input.query as { limit: number; cursor?: string; targetId?: string },
      ),
    ),
};
