/** One line (and an optional body) describing a timeline event, from its type and data. */
import { CHANNEL_LABELS, type Channel, SATISFACTION_LABELS, type Satisfaction, STATION_TYPE_LABELS, type StationType } from '@ys/shared';
import type { TicketEvent } from '@/api/tickets.ts';
import { formatDateTime } from '@/utils/format.ts';

export interface EventText {
  summary: string;
  body?: string;
  extra?: string[];
}

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const VISIT_METHODS: Record<string, string> = { phone: '电话回访', onsite: '上门回访', sms: '短信回访' };
const CLOSE_REASONS: Record<string, string> = {
  rated: '企业评价后归档',
  unrated_timeout: '办结 7 日未评价，自动归档',
  dissatisfied_twice: '两次不满意，归档并转督办',
  visited: '回访后归档',
};

export function describeEvent(e: TicketEvent, districtName: (code: string) => string): EventText {
  const d = e.data ?? {};
  const dest = () => {
    if (d.toStationName) return s(d.toStationName);
    if (d.poolType) return `${districtName(s(d.poolDistrictCode))}${STATION_TYPE_LABELS[d.poolType as StationType] ?? ''}池`;
    return '';
  };
  switch (e.type) {
    case 'submitted': {
      const ch = CHANNEL_LABELS[d.channel as Channel] ?? s(d.channel);
      return { summary: `通过${ch}提交${d.proxySource ? `（${s(d.proxySource)}）` : ''}` };
    }
    case 'dispatched':
      return { summary: `分派至 ${dest()}`, body: s(d.note) || s(d.reason) || undefined };
    case 'transferred':
      return { summary: `${d.fromStationName ? `由 ${s(d.fromStationName)} ` : ''}转办至 ${dest()}`, body: s(d.reason) || s(d.note) || undefined };
    case 'claimed':
      return { summary: `${s(d.stationName)} 签收` };
    case 'reassigned':
      return { summary: `改派给 ${s(d.toAssigneeName)}` };
    case 'returned':
    case 'withdrawn':
    case 'invalidated':
    case 'reopened':
      return { summary: '', body: s(d.reason) || undefined };
    case 'message':
    case 'supplement_requested':
    case 'supplemented':
      return { summary: '', body: s(d.content) };
    case 'extension_requested':
      return { summary: `申请延期 ${s(d.days)} 个工作日`, body: s(d.reason) };
    case 'extension_decided':
      return {
        summary: d.approve ? `同意延期 ${s(d.days)} 个工作日${d.resolveDueAt ? `，办理时限调整为 ${formatDateTime(s(d.resolveDueAt))}` : ''}` : '不同意延期',
        body: s(d.note) || undefined,
      };
    case 'resolved':
      return { summary: '', body: s(d.result), extra: d.legalBasis ? [`法律依据：${s(d.legalBasis)}`] : [] };
    case 'rated':
    case 'visited': {
      const parts = [
        e.type === 'visited' ? (VISIT_METHODS[s(d.method)] ?? '回访') : '企业评价',
        d.solved === true ? '已解决' : d.solved === false ? '未解决' : '',
        SATISFACTION_LABELS[d.satisfaction as Satisfaction] ?? '',
      ].filter(Boolean);
      return { summary: parts.join(' · '), body: s(d.comment) || s(d.note) || undefined };
    }
    case 'supervised':
      return { summary: '', body: s(d.note) };
    case 'merged':
      return { summary: `合并到 ${s(d.intoNo)}` };
    case 'closed':
      return { summary: CLOSE_REASONS[s(d.reason)] ?? '' };
    default:
      return { summary: '' };
  }
}

export function attachmentIdsOf(e: TicketEvent): string[] {
  const ids = e.data?.attachmentIds;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}
