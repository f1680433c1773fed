import { describe, expect, it } from 'vitest';
import type { UserDto } from '../../../contracts/identity.js';
import { fieldOf, userUpdateOf } from './user-form.model.js';

const user: UserDto = {
  id: 'u1',
  username: 'village.doctor',
  displayName: '涂峰',
  organizationId: 'o1',
  organizationName: '上街村卫生室',
  roles: ['village-doctor'],
  active: true,
  externalId: null,
  version: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
  locked: true,
  lastLoginAt: null,
  createdAt: '2026-01-01T00:00:00Z',
};
const unchanged = { username: 'village.doctor', displayName: '涂峰', roles: ['village-doctor' as const], organization: 'o1', active: true };

describe('userUpdateOf', () => {
  it('sends nothing when nothing changed (roles in another order count as unchanged)', () => {
    expect(userUpdateOf(user, unchanged)).toEqual({});
    const two = { ...user, roles: ['village-doctor', 'referral-desk'] as UserDto['roles'] };
    expect(userUpdateOf(two, { ...unchanged, roles: ['referral-desk', 'village-doctor'] })).toEqual({});
  });
  it('sends only the changed fields, an unlock, and a cleared organization as null', () => {
    expect(userUpdateOf(user, { ...unchanged, displayName: ' 涂医生 ', password: 'Secret@123', organization: null, unlock: true })).toEqual({
      displayName: '涂医生',
      password: 'Secret@123',
      organization: null,
      unlock: true,
    });
  });
});

describe('fieldOf', () => {
  it('maps server paths to form fields', () => {
    expect(fieldOf('roles.0')).toBe('roles');
    expect(fieldOf('username')).toBe('username');
    expect(fieldOf('somethingElse')).toBeUndefined();
  });
});
