import type { SessionUser } from '@ys/shared';
import { http, request } from './http.ts';

export type { SessionUser };

export interface SessionReply {
  accessToken: string;
  expiresIn: number;
  user: SessionUser;
}

export const authApi = {
  login: (username: string, password: string) => request<SessionReply>('POST', '/auth/login', { body: { username, password }, anonymous: true }),
  logout: () => request<void>('POST', '/auth/logout', { anonymous: true }),
  me: () => http.get<SessionUser>('/auth/me'),
  changePassword: (oldPassword: string, newPassword: string) => http.post<SessionReply>('/auth/password', { oldPassword, newPassword }),
};
