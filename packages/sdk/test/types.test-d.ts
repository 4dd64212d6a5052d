// Type tests: checked by `tsc -p tsconfig.json` (the repo's type-check includes packages/*/test); never executed.
import {
  type BackupCodes,
  type EventPage,
  type FirmSecurityClient,
  FirmSecurityError,
  type FirmUser,
  ForbiddenError,
  isFirmSecurityError,
  type NotFoundError,
  type ProblemCode,
  RateLimitedError,
  type SessionCompleted,
  type SessionStarted,
  type StepUpRequiredError,
  type TimeoutError,
  type TwoFactorSetup,
  type UserPage,
  type UsersQuery,
  ValidationError,
  type Viewer,
} from '@firm-security/sdk';
import {
  firmSecurityKeys,
  firmSecurityMutations,
  firmSecurityQueries,
  type UserMutationVariables,
} from '@firm-security/sdk/query';
import { type InfiniteData, MutationObserver, type QueryClient } from '@tanstack/query-core';
import { expectTypeOf } from 'vitest';

declare const client: FirmSecurityClient;
declare const queryClient: QueryClient;
declare const unknownError: unknown;

// --- client methods ---------------------------------------------------------------------------
expectTypeOf(client.viewer.get).returns.resolves.toEqualTypeOf<Viewer>();
expectTypeOf(client.users.list).returns.resolves.toEqualTypeOf<UserPage>();
expectTypeOf(client.users.list).parameter(0).toEqualTypeOf<UsersQuery | undefined>();
expectTypeOf(client.users.get).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(client.users.invite).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(client.users.remind).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(client.users.setRequirement).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(client.users.disableTwoFactor).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(client.users.iterate).returns.toEqualTypeOf<AsyncGenerator<FirmUser, void, undefined>>();
expectTypeOf(client.users.pages).returns.toEqualTypeOf<AsyncGenerator<UserPage, void, undefined>>();
expectTypeOf(client.events.list).returns.resolves.toEqualTypeOf<EventPage>();
expectTypeOf(client.session.signIn).returns.resolves.toEqualTypeOf<SessionStarted>();
expectTypeOf(client.session.verify).returns.resolves.toEqualTypeOf<SessionCompleted>();
expectTypeOf(client.session.stepUp).returns.resolves.toEqualTypeOf<void>();
expectTypeOf(client.session.signOut).returns.resolves.toEqualTypeOf<void>();
expectTypeOf(client.me.setupTwoFactor).returns.resolves.toEqualTypeOf<TwoFactorSetup>();
expectTypeOf(client.me.activateTwoFactor).returns.resolves.toEqualTypeOf<BackupCodes>();

// No `any` leaks out of the surface.
expectTypeOf(client.users.get).returns.resolves.not.toBeAny();
expectTypeOf(client.users.list).returns.resolves.not.toBeAny();
expectTypeOf(client.viewer.get).returns.resolves.not.toBeAny();
expectTypeOf(client.events.list).returns.resolves.not.toBeAny();
expectTypeOf(client.me.activateTwoFactor).returns.resolves.not.toBeAny();
expectTypeOf<FirmUser['twoFactor']['status']>().not.toBeAny();
expectTypeOf<FirmUser['twoFactor']['status']>().toEqualTypeOf<'enabled' | 'invited' | 'not_enabled'>();
expectTypeOf<UserPage['items']>().toEqualTypeOf<FirmUser[]>();
expectTypeOf<FirmSecurityError['problem']>().not.toBeAny();
expectTypeOf<FirmSecurityError['code']>().not.toBeAny();

// Arguments are checked.
// @ts-expect-error confirm must be the literal true
void client.users.disableTwoFactor('usr_1', { confirm: false });
// @ts-expect-error the body is required
void client.users.disableTwoFactor('usr_1');
// @ts-expect-error required is a boolean
void client.users.setRequirement('usr_1', 'yes');
// @ts-expect-error sort is one of the contract's sorts
void client.users.list({ sort: 'created' });
// @ts-expect-error status is one of the contract's statuses
void client.users.list({ status: 'disabled' });
// @ts-expect-error verify takes a code or a backup code
void client.session.verify({ totp: '123456' });
void client.session.verify({ code: '123456' });
void client.session.verify({ backupCode: 'ABCDE-FGHJK' });
void client.users.invite('usr_1', { idempotencyKey: 'k', ifMatch: 3 });
void client.users.setRequirement('usr_1', true, { ifMatch: 3, signal: AbortSignal.timeout(1000) });
// @ts-expect-error a PUT is idempotent by itself: setRequirement takes no idempotencyKey
void client.users.setRequirement('usr_1', true, { idempotencyKey: 'k' });
void client.users.invite('usr_1', { ifMatch: 'W/"3"' });
// @ts-expect-error ifMatch is a version or an ETag
void client.users.invite('usr_1', { ifMatch: true });

// --- errors -----------------------------------------------------------------------------------
expectTypeOf(isFirmSecurityError).guards.toEqualTypeOf<FirmSecurityError>();
if (isFirmSecurityError(unknownError)) {
  expectTypeOf(unknownError).toEqualTypeOf<FirmSecurityError>();
  expectTypeOf(unknownError.status).toEqualTypeOf<number>();
  expectTypeOf(unknownError.requestId).toEqualTypeOf<string | undefined>();
}
if (unknownError instanceof RateLimitedError) {
  expectTypeOf(unknownError.retryAfter).toEqualTypeOf<number | undefined>();
  expectTypeOf(unknownError).toExtend<FirmSecurityError>();
}
if (unknownError instanceof ForbiddenError) {
  expectTypeOf(unknownError.reason).toEqualTypeOf<ProblemCode>();
}
if (unknownError instanceof ValidationError) {
  expectTypeOf(unknownError.fieldErrors).toEqualTypeOf<{ path: string; message: string }[]>();
}
expectTypeOf<StepUpRequiredError>().toExtend<ForbiddenError>();
expectTypeOf<NotFoundError>().toExtend<FirmSecurityError>();
expectTypeOf<TimeoutError>().toExtend<FirmSecurityError>();
expectTypeOf<FirmSecurityError>().toExtend<Error>();
// @ts-expect-error only RateLimitedError has retryAfter
void new FirmSecurityError({ status: 500, code: 'internal_error' }).retryAfter;

// The code is the contract's union (plus the transport's codes), not string.
expectTypeOf<'not_found'>().toExtend<FirmSecurityError['code']>();
expectTypeOf<'timeout'>().toExtend<FirmSecurityError['code']>();
expectTypeOf<'network_error'>().toExtend<FirmSecurityError['code']>();
expectTypeOf<'primary_subscriber_protected'>().toExtend<FirmSecurityError['code']>();
expectTypeOf<ProblemCode>().toExtend<FirmSecurityError['code']>();
expectTypeOf<string>().not.toExtend<FirmSecurityError['code']>();
expectTypeOf<FirmSecurityError['code']>().not.toEqualTypeOf<string>();
expectTypeOf<'no_such_code'>().not.toExtend<FirmSecurityError['code']>();

// --- query keys and options -------------------------------------------------------------------
expectTypeOf(firmSecurityKeys.users()).toEqualTypeOf<readonly ['firm-security', 'users']>();
expectTypeOf(firmSecurityKeys.user('x')).toEqualTypeOf<readonly ['firm-security', 'users', 'detail', string]>();
expectTypeOf(firmSecurityKeys.userList).returns.toEqualTypeOf<
  readonly ['firm-security', 'users', 'list', UsersQuery]
>();

const queries = firmSecurityQueries(client);
expectTypeOf(queries.users().queryKey).toEqualTypeOf<ReturnType<typeof firmSecurityKeys.userList>>();
expectTypeOf(queries.user('x').queryKey).toEqualTypeOf<ReturnType<typeof firmSecurityKeys.user>>();
expectTypeOf(queries.viewer().queryKey).toEqualTypeOf<ReturnType<typeof firmSecurityKeys.viewer>>();
expectTypeOf(queries.events().queryKey).toEqualTypeOf<ReturnType<typeof firmSecurityKeys.eventList>>();
expectTypeOf(queries.usersInfinite().queryKey).toEqualTypeOf<ReturnType<typeof firmSecurityKeys.userInfinite>>();

expectTypeOf(queryClient.fetchQuery(queries.users())).resolves.toEqualTypeOf<UserPage>();
expectTypeOf(queryClient.fetchQuery(queries.user('x'))).resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(queryClient.fetchQuery(queries.viewer())).resolves.toEqualTypeOf<Viewer>();
expectTypeOf(queryClient.fetchQuery(queries.events())).resolves.toEqualTypeOf<EventPage>();
expectTypeOf(queryClient.fetchQuery(queries.users())).resolves.not.toBeAny();
expectTypeOf(queryClient.fetchInfiniteQuery(queries.usersInfinite())).resolves.toEqualTypeOf<
  InfiniteData<UserPage, string | null>
>();

// --- mutations --------------------------------------------------------------------------------
const mutations = firmSecurityMutations(client, queryClient);
const setRequirement = new MutationObserver(queryClient, mutations.setRequirement);
expectTypeOf(setRequirement.mutate)
  .parameter(0)
  .toEqualTypeOf<Omit<UserMutationVariables, 'idempotencyKey'> & { required: boolean }>();
// @ts-expect-error a PUT takes no Idempotency-Key
void setRequirement.mutate({ id: 'usr_1', required: true, idempotencyKey: 'k' });
expectTypeOf(setRequirement.mutate).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(setRequirement.getCurrentResult().error).toEqualTypeOf<FirmSecurityError | null>();
void setRequirement.mutate({ id: 'usr_1', required: true, ifMatch: 3 });
// @ts-expect-error `required` is required
void setRequirement.mutate({ id: 'usr_1' });
// @ts-expect-error `required` is a boolean
void setRequirement.mutate({ id: 'usr_1', required: 'true' });

const invite = new MutationObserver(queryClient, mutations.invite);
expectTypeOf(invite.mutate).parameter(0).toEqualTypeOf<UserMutationVariables>();
expectTypeOf(invite.mutate).returns.resolves.toEqualTypeOf<FirmUser>();
void invite.mutate({ id: 'usr_1', idempotencyKey: 'k' });
// @ts-expect-error the id is required
void invite.mutate({});
expectTypeOf(
  new MutationObserver(queryClient, mutations.disableTwoFactor).mutate,
).returns.resolves.toEqualTypeOf<FirmUser>();
expectTypeOf(new MutationObserver(queryClient, mutations.remind).mutate).returns.resolves.not.toBeAny();
