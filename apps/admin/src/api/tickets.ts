import type { Channel, Color, EventType, ProxySource, Satisfaction, StationType, TicketAction, TicketStatus } from '@ys/shared';
import { downloadFile, fetchBlob, http, type Query } from './http.ts';
import type { Page } from './types.ts';

export type TicketView = 'pool' | 'mine' | 'all';

export interface TicketSummary {
  id: string;
  no: string;
  channel: Channel;
  status: TicketStatus;
  title: string;
  enterpriseName: string;
  districtCode: string;
  categoryCode: string;
  stationId: string | null;
  stationName: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  targetStationId: string | null;
  poolType: StationType | null;
  poolDistrictCode: string | null;
  claimDueAt: string | null;
  resolveDueAt: string;
  createdAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  supervised: boolean;
  awaitingSupplement: boolean;
  extensionPendingDays: number | null;
  reopenCount: number;
  satisfaction: Satisfaction | null;
  color: Color | null;
}

export type EventData = Record<string, unknown>;

export interface TicketEvent {
  id: number;
  type: EventType;
  actorKind: 'enterprise' | 'staff' | 'system';
  actorId: string | null;
  actorName: string | null;
  actorStationId: string | null;
  actorStationName: string | null;
  visibility: 'public' | 'internal';
  data: EventData | null;
  createdAt: string;
}

export interface Attachment {
  id: string;
  name: string;
  size: number;
  mime: string;
  eventId: number | null;
  createdAt: string;
}

export interface TicketDetail extends TicketSummary {
  proxySource: ProxySource | null;
  entryStationId: string | null;
  entryStationName: string | null;
  uscc: string;
  contactName: string;
  contactPhone: string;
  content: string;
  firstClaimedAt: string | null;
  solved: boolean | null;
  ratingComment: string | null;
  ratedAt: string | null;
  ratedVia: 'online' | 'visit' | null;
  mergedIntoId: string | null;
  events: TicketEvent[];
  attachments: Attachment[];
  allowedActions: TicketAction[];
}

export type SlipKind = 'transfer' | 'feedback' | 'visit';
export interface Slip {
  kind: SlipKind;
  title?: string;
  ticket: Pick<TicketSummary, 'no' | 'title' | 'enterpriseName' | 'districtCode' | 'categoryCode' | 'createdAt' | 'resolveDueAt' | 'resolvedAt'> & {
    uscc: string;
    contactName: string;
    contactPhone: string;
    content: string;
    stationName?: string | null;
  };
  entries: TicketEvent[];
  printedAt?: string;
}

export interface StationMember {
  id: string;
  name: string;
  username?: string;
  role?: string;
}

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  mime: string;
}

/** The list filters of GET /api/tickets, as they appear in the URL (all text). */
export interface TicketFilters {
  [key: string]: string | number | undefined;
  status?: string;
  categoryCode?: string;
  stationId?: string;
  stationType?: string;
  districtCode?: string;
  color?: string;
  channel?: string;
  supervised?: string;
  awaitingSupplement?: string;
  overdue?: string;
  extensionPending?: string;
  q?: string;
  from?: string;
  to?: string;
  sort?: string;
}

export type RouteTarget = { stationId: string } | { poolType: StationType; districtCode: string };

export interface ProxyTicketInput {
  stationCode?: string;
  districtCode: string;
  categoryCode: string;
  enterpriseName: string;
  uscc: string;
  contactName: string;
  contactPhone: string;
  proxySource: ProxySource;
  title: string;
  content: string;
  attachmentIds?: string[];
}

const act = (id: string, path: string, body?: unknown) => http.post<TicketDetail>(`/tickets/${id}/${path}`, body);

export const ticketsApi = {
  list: (view: TicketView, filters: TicketFilters & { page?: number; pageSize?: number }, signal?: AbortSignal) =>
    http.get<Page<TicketSummary>>('/tickets', { view, ...filters } as Query, signal),
  count: async (view: TicketView, filters: TicketFilters) =>
    (await http.get<Page<TicketSummary>>('/tickets', { view, ...filters, pageSize: 1 } as Query)).total,
  export: (view: TicketView, filters: TicketFilters) => downloadFile('/tickets/export', { view, ...filters } as Query, `诉求工单.xlsx`),
  get: (id: string) => http.get<TicketDetail>(`/tickets/${id}`),
  create: (input: ProxyTicketInput) => http.post<TicketDetail>('/tickets', input),
  slip: (id: string, kind: SlipKind) => http.get<Slip>(`/tickets/${id}/slips/${kind}`),
  members: (stationId: string) => http.get<StationMember[]>(`/stations/${stationId}/members`),
  upload: (file: File) => http.upload<UploadedFile>('/attachments', file),
  attachment: (id: string) => fetchBlob(`/attachments/${id}`),
  downloadAttachment: (a: Attachment) => downloadFile(`/attachments/${a.id}`, undefined, a.name),

  claim: (id: string) => act(id, 'claim'),
  reassign: (id: string, assigneeId: string) => act(id, 'reassign', { assigneeId }),
  transfer: (id: string, target: RouteTarget, reason: string) => act(id, 'transfer', { ...target, reason }),
  return: (id: string, reason: string) => act(id, 'return', { reason }),
  message: (id: string, content: string, visibility: 'public' | 'internal', attachmentIds: string[]) =>
    act(id, 'messages', { content, visibility, attachmentIds }),
  requestSupplement: (id: string, content: string) => act(id, 'request-supplement', { content }),
  requestExtension: (id: string, days: number, reason: string) => act(id, 'extension', { days, reason }),
  decideExtension: (id: string, approve: boolean, note: string) => act(id, 'extension/decision', { approve, note }),
  resolve: (id: string, result: string, legalBasis: string | undefined, attachmentIds: string[]) =>
    act(id, 'resolve', { result, ...(legalBasis ? { legalBasis } : {}), attachmentIds }),
  visit: (id: string, body: { method: 'phone' | 'onsite' | 'sms'; solved: boolean; satisfaction: Satisfaction; note: string }) => act(id, 'visit', body),
  supervise: (id: string, note: string) => act(id, 'supervise', { note }),
  dispatch: (id: string, target: RouteTarget, note?: string) => act(id, 'dispatch', { ...target, ...(note ? { note } : {}) }),
  invalidate: (id: string, reason: string) => act(id, 'invalidate', { reason }),
  merge: (id: string, intoId: string) => act(id, 'merge', { intoId }),
};
