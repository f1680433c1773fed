import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { RoleCode } from '../../../contracts/codes.js';
import type { UserDto, UserInput, UserUpdate } from '../../../contracts/identity.js';
import { get, request } from '../../api/client.js';
import type { Page } from '../../lib/page.js';

/** Account management (system-admin, alliance-admin). */

export interface UserFilter {
  q?: string;
  role?: RoleCode;
  organizationId?: string;
  page: number;
  pageSize: number;
}

export const userKeys = {
  all: ['users'] as const,
  list: (f: UserFilter) => ['users', 'list', f] as const,
};

export const fetchUsers = (f: UserFilter) => get<Page<UserDto>>('/api/v1/users', { ...f });
export const createUser = (input: UserInput) => request<UserDto>('POST', '/api/v1/users', { body: input });
export const updateUser = (id: string, update: UserUpdate) =>
  request<UserDto>('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, { body: update });

export const useUsers = (f: UserFilter, enabled = true) =>
  useQuery({ queryKey: userKeys.list(f), queryFn: () => fetchUsers(f), placeholderData: keepPreviousData, enabled });
