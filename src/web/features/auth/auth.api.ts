import { useQuery } from '@tanstack/react-query';
import type { MeDto } from '../../../contracts/identity.js';
import { ApiError, request } from '../../api/client.js';

/** Sign-in, sign-out and the signed-in user. The session is an httpOnly cookie the browser sends by itself. */

export const meKey = ['me'] as const;

/** The signed-in user, or null when there is no valid session (401). */
export async function fetchMe(): Promise<MeDto | null> {
  try {
    return await request<MeDto>('GET', '/api/v1/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export const signIn = (username: string, password: string) =>
  request<MeDto>('POST', '/api/v1/session', { body: { username, password } });

export const signOut = () => request<void>('DELETE', '/api/v1/session');

export const useMe = () => useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000, retry: false });
