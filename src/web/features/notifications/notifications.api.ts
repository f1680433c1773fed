import { useQuery } from '@tanstack/react-query';
import type { NotificationDto } from '../../../contracts/referral.js';
import { get, request } from '../../api/client.js';
import type { Page } from '../../lib/page.js';

/** In-app notifications (referral moves, deadlines, escalations) for the bell in the header. */

export const notificationKeys = {
  all: ['notifications'] as const,
  unread: ['notifications', 'unread-count'] as const,
  list: (unreadOnly: boolean, page: number) => ['notifications', 'list', unreadOnly, page] as const,
};

/** The unread count; the server answers `{ unread }` (the brief said `{ count }`): either is read. */
export const fetchUnreadCount = async (): Promise<{ count: number }> => {
  const r = await get<{ count?: number; unread?: number }>('/api/v1/notifications/unread-count');
  return { count: Number(r?.unread ?? r?.count ?? 0) || 0 };
};
export const fetchNotifications = (unreadOnly: boolean, page: number) =>
  get<Page<NotificationDto>>('/api/v1/notifications', { unreadOnly: unreadOnly || undefined, page });
/** Marks these as read, or all of the user's when `ids` is left out. */
export const markRead = (ids?: string[]) => request<unknown>('POST', '/api/v1/notifications/read', { body: ids ? { ids } : {} });

/** The unread count, polled once a minute (and whenever something invalidates ['notifications']). */
export const useUnreadCount = () =>
  useQuery({ queryKey: notificationKeys.unread, queryFn: fetchUnreadCount, refetchInterval: 60_000, staleTime: 20_000, retry: false });
export const useNotifications = (unreadOnly: boolean, page: number, enabled: boolean) =>
  useQuery({ queryKey: notificationKeys.list(unreadOnly, page), queryFn: () => fetchNotifications(unreadOnly, page), enabled, staleTime: 0 });
