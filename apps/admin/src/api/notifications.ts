import { http } from './http.ts';
import type { Page } from './types.ts';

export interface Notification {
  id: number | string;
  kind?: string;
  type?: string;
  title?: string;
  body?: string;
  message?: string;
  ticketId?: string | null;
  ticketNo?: string | null;
  readAt: string | null;
  createdAt: string;
}

export type NotificationPage = Page<Notification> & { unread?: number; unreadCount?: number };

export const notificationsApi = {
  list: (query: { page?: number; pageSize?: number; unread?: boolean } = {}) => http.get<NotificationPage>('/notifications', query),
  markRead: (id: number | string) => http.post<unknown>(`/notifications/${id}/read`),
  markAllRead: () => http.post<unknown>('/notifications/read-all'),
};

export function unreadOf(p: NotificationPage): number {
  return p.unread ?? p.unreadCount ?? p.items.filter((n) => !n.readAt).length;
}
