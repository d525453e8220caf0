/** The enterprise channel of the API (/api/public), one named call per endpoint (docs/api.md). */
import type { EventType, Satisfaction, StationType, TicketStatus } from '@ys/shared';
import { request, uploadWithProgress } from './client';

export interface EntryStation {
  code: string;
  name: string;
  type: StationType;
  agencyName: string;
  districtCode: string;
  address: string | null;
  phone: string | null;
}

export interface EntryCategory {
  code: string;
  name: string;
  stationType: StationType | null;
  claimHours: number;
  resolveDays: number;
}

export interface Entry {
  station: EntryStation;
  districts: { code: string; name: string }[];
  categories: EntryCategory[];
}

export interface SessionAnswer {
  token: string;
  expiresAt: string;
  /** null for a mini-program session without a bound phone. */
  phone: string | null;
}

export interface Attachment {
  id: string;
  name: string;
  size: number;
  mime: string;
  eventId?: string | null;
  createdAt?: string;
}

export interface PublicTicketSummary {
  no: string;
  status: TicketStatus;
  title: string;
  categoryCode: string;
  createdAt: string;
  resolveDueAt: string | null;
  stationName: string | null;
  awaitingSupplement: boolean;
}

export interface PublicEvent {
  type: EventType;
  stationName: string | null;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface PublicTicket extends PublicTicketSummary {
  enterpriseName: string;
  uscc: string;
  contactName: string;
  contactPhone: string;
  districtCode: string;
  content: string;
  resolvedAt: string | null;
  closedAt: string | null;
  solved: boolean | null;
  satisfaction: Satisfaction | null;
  ratingComment: string | null;
  ratedAt: string | null;
  canWithdraw: boolean;
  canSupplement: boolean;
  canRate: boolean;
  events: PublicEvent[];
  attachments: Attachment[];
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface NewTicket {
  stationCode?: string;
  districtCode: string;
  categoryCode: string;
  enterpriseName: string;
  uscc: string;
  contactName: string;
  /** Needed only when the session has no phone (mini-program sign-in). */
  contactPhone?: string;
  title: string;
  content: string;
  attachmentIds?: string[];
  consent: true;
}

export interface Rating {
  solved: boolean;
  satisfaction: Satisfaction;
  comment?: string;
}

export const getEntry = (stationCode: string) => request<Entry>(`/public/entry/${encodeURIComponent(stationCode)}`, { anonymous: true });

/** 204 when the code went out by SMS; {devCode} outside production with the log provider. */
export const sendOtp = (phone: string) => request<{ devCode?: string } | undefined>('/public/otp', { method: 'POST', body: { phone }, anonymous: true });

export const createSession = (phone: string, code: string, channel: 'qr' | 'h5') =>
  request<SessionAnswer>('/public/session', { method: 'POST', body: { phone, code, channel }, anonymous: true });

export const uploadAttachment = (file: File, onProgress: (percent: number) => void) => uploadWithProgress<Attachment>('/public/uploads', file, onProgress);

export const submitTicket = (body: NewTicket, idempotencyKey: string) =>
  request<PublicTicket>('/public/tickets', { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } });

export const listTickets = (page: number, pageSize = 20) => request<Page<PublicTicketSummary>>(`/public/tickets?page=${page}&pageSize=${pageSize}`);

export const getTicket = (no: string) => request<PublicTicket>(`/public/tickets/${encodeURIComponent(no)}`);

export const addSupplement = (no: string, content: string, attachmentIds: string[]) =>
  request<PublicTicket>(`/public/tickets/${encodeURIComponent(no)}/supplements`, { method: 'POST', body: { content, attachmentIds } });

export const withdrawTicket = (no: string, reason: string) =>
  request<PublicTicket>(`/public/tickets/${encodeURIComponent(no)}/withdraw`, { method: 'POST', body: { reason } });

export const rateTicket = (no: string, rating: Rating) =>
  request<PublicTicket>(`/public/tickets/${encodeURIComponent(no)}/rating`, { method: 'POST', body: rating });

/** The owner's attachment as a blob (the download needs the bearer token, so a plain link will not do). */
export async function fetchAttachment(id: string, token: string): Promise<Blob> {
  const res = await fetch(`/api/public/attachments/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(String(res.status));
  return res.blob();
}

/** What the signed SMS rating link shows (no sign-in): the ticket and the resolution it rates. */
export interface RatingLinkView {
  no: string;
  title: string;
  categoryName: string | null;
  stationName: string | null;
  status: TicketStatus;
  createdAt: string;
  resolvedAt: string | null;
  result: string | null;
  legalBasis: string | null;
  expiresAt: string;
  canRate: boolean;
}

export interface RatingLinkAnswer {
  no: string;
  status: TicketStatus;
  solved: boolean | null;
  satisfaction: Satisfaction | null;
  ratedAt: string | null;
}

export const getRatingLink = (token: string) => request<RatingLinkView>(`/public/rating-links/${encodeURIComponent(token)}`, { anonymous: true });

export const rateViaLink = (token: string, rating: Rating) =>
  request<RatingLinkAnswer>(`/public/rating-links/${encodeURIComponent(token)}`, { method: 'POST', body: rating, anonymous: true });
