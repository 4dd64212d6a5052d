import {
  InvalidCodeError,
  InvalidCredentialsError,
  isFirmSecurityError,
  NetworkError,
  RateLimitedError,
  TimeoutError,
} from '@firm-security/sdk';

const seconds = (value: number | undefined): string =>
  value === undefined
    ? 'a moment'
    : value < 90
      ? `${value} second${value === 1 ? '' : 's'}`
      : `${Math.ceil(value / 60)} minutes`;

/** An error in words a person can act on. `what` names the code asked for ("code", "backup code"). */
export const describeError = (error: unknown, what = 'code'): string => {
  if (error instanceof InvalidCredentialsError) return 'The email or password is incorrect. Check them and try again.';
  if (error instanceof InvalidCodeError) {
    return error.code === 'code_already_used'
      ? `That ${what} was already used. Wait for the next one and try again.`
      : `That ${what} is not right. Check it and try again.`;
  }
  if (error instanceof RateLimitedError) return `Too many attempts. Try again in ${seconds(error.retryAfter)}.`;
  if (error instanceof NetworkError || error instanceof TimeoutError)
    return 'The server could not be reached. Check your connection and try again.';
  if (isFirmSecurityError(error)) return error.problem?.detail ?? error.message;
  return 'Something went wrong. Reload the page and try again.';
};
