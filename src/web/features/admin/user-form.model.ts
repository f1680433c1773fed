import type { RoleCode } from '../../../contracts/codes.js';
import type { UserDto, UserInput, UserUpdate } from '../../../contracts/identity.js';

/** What the account form holds. */
export interface Values {
  username: string;
  displayName: string;
  password?: string;
  roles: RoleCode[];
  organization: string | null;
  active: boolean;
  unlock?: boolean;
}

export const userFormFields = ['username', 'displayName', 'password', 'roles', 'organization', 'active', 'unlock'] as const;
export type UserFormField = (typeof userFormFields)[number];
/** The form field a server error path names, if any. */
export const fieldOf = (path: string | undefined) => {
  const head = path?.split(/[.[]/)[0];
  return (userFormFields as readonly string[]).includes(head ?? '') ? (head as UserFormField) : undefined;
};

/** Only the fields that changed, so an edit never resets what it did not touch. */
export function userUpdateOf(user: UserDto, v: Values): UserUpdate {
  const update: UserUpdate = {};
  if (v.displayName.trim() !== user.displayName) update.displayName = v.displayName.trim();
  if (v.password) update.password = v.password;
  const sameRoles = v.roles.length === user.roles.length && v.roles.every((r) => user.roles.includes(r));
  if (!sameRoles) update.roles = v.roles;
  if ((v.organization ?? null) !== user.organizationId) update.organization = v.organization ?? null;
  if (v.active !== user.active) update.active = v.active;
  if (v.unlock) update.unlock = true;
  return update;
}

/** Form values → the UserInput contract (contracts/identity.ts). */
export const toUserInput = (v: Values): UserInput => ({
  username: v.username.trim(),
  displayName: v.displayName.trim(),
  password: v.password ?? '',
  roles: v.roles,
  organization: v.organization ?? null,
  active: v.active,
});
