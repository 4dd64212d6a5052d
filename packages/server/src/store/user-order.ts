import type { RequirementStatus, TwoFactorStatus, UserSort } from '@firm-security/contract';
import type { UserRecord } from './records.js';

/** Derived fields both stores sort and filter by; SQL computes the same with expressions. */
export const twoFactorStatusOf = (user: UserRecord): TwoFactorStatus =>
  user.totpSecret !== null ? 'enabled' : user.invitation !== null ? 'invited' : 'not_enabled';

export const requirementStatusOf = (user: UserRecord): RequirementStatus =>
  !user.identityMigrated ? 'not_available' : user.required ? 'required' : 'not_required';

/** enabled, invited, not_enabled: the order of `sort=status`. */
export const statusRank = { enabled: 0, invited: 1, not_enabled: 2 } as const;

export type SortField = 'name' | 'email' | 'status' | 'id';
export interface SortKey {
  field: SortField;
  descending: boolean;
}

/** The full keyset order of a sort: the sort field, ties by name, then id for a total order. */
export const sortKeysOf = (sort: UserSort): SortKey[] => {
  const descending = sort.startsWith('-');
  const field = sort.replace('-', '') as 'name' | 'email' | 'status';
  if (field === 'status') {
    return [
      { field: 'status', descending },
      { field: 'name', descending: false },
      { field: 'id', descending: false },
    ];
  }
  return [
    { field, descending },
    { field: 'id', descending },
  ];
};

/** Case-folded sort keys: the same in JS and in the stored `*_key` columns. */
export const foldKey = (text: string): string => text.toLowerCase();

export const sortValueOf = (user: UserRecord, field: SortField): string | number => {
  switch (field) {
    case 'name':
      return foldKey(user.name);
    case 'email':
      return foldKey(user.email);
    case 'status':
      return statusRank[twoFactorStatusOf(user)];
    case 'id':
      return user.id;
  }
};

export const sortValuesOf = (user: UserRecord, sort: UserSort): (string | number)[] =>
  sortKeysOf(sort).map((key) => sortValueOf(user, key.field));
