/** Intl.PluralRules by language, built when a count is first worded. */
const rules: Record<string, Intl.PluralRules> = {};

/**
 * For catalogs: `one` when `n` takes the singular in `lang` (Intl.PluralRules), else `other` (also
 * when `n` is not given).
 */
export const plural = (lang: string, n: number | undefined, one: string, other: string): string => {
  const rule = rules[lang] ?? new Intl.PluralRules(lang);
  rules[lang] = rule;
  return n !== undefined && rule.select(n) === 'one' ? one : other;
};

/**
 * English strings of every element but the disable dialog, the baseline wording of the help article the
 * product is built from. The dialog brings its own (en-dialog.ts) in its lazily loaded chunk; `en.ts`
 * puts both together, the catalog other locales must match (type-checked).
 */
export const enBase = {
  tableCaption: 'Firm Security: two-factor authentication (2FA) of active users',
  colName: 'Name',
  colRole: 'Role',
  colStatus: '2FA status',
  colRequire: 'Require 2FA',
  colAction: 'Action',
  sortLabel: 'Sort',
  sortOption: (sort: 'name' | '-name' | 'email' | '-email' | 'status' | '-status') =>
    ({
      name: 'Name, A to Z',
      '-name': 'Name, Z to A',
      email: 'Email, A to Z',
      '-email': 'Email, Z to A',
      status: 'Status: enabled first',
      '-status': 'Status: not enabled first',
    })[sort],
  search: 'Search users',
  searchPlaceholder: 'Search by name or email',
  filterStatus: '2FA status',
  filterRequirement: 'Requirement',
  any: 'Any',
  roleAdministrator: 'Administrator',
  rolePrimary: 'Primary subscriber',
  roleUser: 'User',
  statusEnabled: 'Enabled',
  statusInvited: 'Invited',
  statusNotEnabled: 'Not enabled',
  requirementRequired: 'Required',
  requirementNotRequired: 'Not required',
  requirementNotAvailable: 'N/A',
  /** `count` is `reminders` as the page's language writes numbers (LocalizeController.number). */
  invitedDetails: (sent: string, reminders: number, count = `${reminders}`) =>
    `Invited ${sent}${reminders ? ` · ${count} ${plural('en', reminders, 'reminder', 'reminders')}` : ''}`,
  notAvailableExplanation:
    'Not yet migrated to the identity service that supports requiring 2FA. Try again the next day.',
  requireFor: (name: string) => `Require 2FA for ${name}`,
  inviteAction: 'Invite to enable 2FA',
  remindAction: 'Send reminder',
  /** `date` is given when it is not today. */
  reminderAvailableAt: (time: string, date?: string) => `Reminder available ${date ? `${date}, ` : ''}${time}`,
  disableAction: 'Disable 2FA',
  /** Counts formatted for the page, then the same counts as numbers (for plurals). */
  summary: (total: string, enabled: string, invited: string, notEnabled: string, counts?: SummaryCounts) =>
    `${total} ${plural('en', counts?.total, 'user', 'users')} · ${enabled} enabled · ${invited} invited · ${notEnabled} not enabled`,
  loading: 'Loading users…',
  empty: 'No users match.',
  errorLoading: 'The users could not be loaded.',
  retry: 'Try again',
  loadMoreFailed: 'More users could not be loaded.',
  notAllowedTitle: 'Firm Security is not available to you',
  notAllowedBody:
    'Only users with administrator permissions and the primary subscriber can see the 2FA status of active users.',
  signInRequired: 'Sign in to see Firm Security.',
  /** `n`: the total as a number (for the plural). */
  rowsShown: (shown: string, total: string, n?: number) =>
    `Showing ${shown} of ${total} ${plural('en', n, 'user', 'users')}`,
  // Reasons an action is not allowed, by problem code.
  reason_already_enabled: '2FA is already on for this user.',
  reason_already_invited: 'An invitation is already pending.',
  reason_not_invited: 'Invite the user first.',
  reason_reminder_too_soon: 'A reminder was sent recently.',
  reason_identity_not_migrated: 'Not yet migrated to the identity service. Try again the next day.',
  reason_self_action_not_allowed: 'You cannot disable your own 2FA here.',
  reason_primary_subscriber_protected:
    "The primary subscriber's 2FA cannot be disabled here; they need to contact support.",
  reason_two_factor_not_enabled: '2FA is not on for this user.',
  reason_viewer_two_factor_required: 'Turn on 2FA for your own account first.',
  reason_forbidden: 'Only administrators and the primary subscriber can do this.',
  reason_not_found: 'This user no longer exists or is no longer active.',
  // Errors, by problem code (network_error, version_conflict and rate limits are worded below).
  reason_unauthenticated: 'Your session expired. Sign in again.',
  reason_csrf_failed: 'Reload the page and try again.',
  reason_step_up_required: 'Confirm it is you, then try again.',
  reason_internal_error: 'Server error. Try again.',
  reason_timeout: 'The server took too long. Try again.',
  /** Any other failure. */
  failed: 'That did not work. Try again.',
  // Outcomes, announced in the live region.
  invited: (name: string) => `Invitation sent to ${name}.`,
  reminded: (name: string) => `Reminder sent to ${name}.`,
  required: (name: string) => `${name} must set up 2FA at their next sign-in.`,
  notRequired: (name: string) => `2FA is no longer required for ${name}.`,
  disabled: (name: string) => `2FA disabled for ${name}.`,
  conflictReloaded: 'Someone else changed this user; the row now shows the current state.',
  /** `wait`: Intl.RelativeTimeFormat's "in 15 minutes". */
  rateLimited: (wait = 'later') => `Too many attempts. Try again ${wait}.`,
  networkError: 'The server could not be reached. Check your connection and try again.',
};

export type BaseMessages = typeof enBase;

/** The summary's counts, as numbers. */
export interface SummaryCounts {
  total: number;
  enabled: number;
  invited: number;
  notEnabled: number;
}
