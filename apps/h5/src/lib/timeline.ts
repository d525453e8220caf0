/** The public timeline in the business's words: one heading and optional detail lines per event. */
import { EVENT_TYPE_LABELS, SATISFACTION_LABELS, type Satisfaction, STATION_TYPE_LABELS, type StationType } from '@ys/shared';
import type { PublicEvent } from '@/api/public';
import { CLOSED_REASONS } from '@/copy';
import { formatDate } from './format';

export interface TimelineEntry {
  heading: string;
  lines: string[];
  /** A request addressed to the business (补充材料): shown prominently. */
  asksBusiness: boolean;
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function poolName(data: Record<string, unknown>): string {
  const type = s(data.poolType) as StationType;
  return STATION_TYPE_LABELS[type] ?? '对口站点';
}

export function describeEvent(e: PublicEvent): TimelineEntry {
  const d = e.data ?? {};
  const at = e.stationName ?? '';
  const lines: string[] = [];
  const push = (label: string, v: unknown) => {
    if (s(v).trim()) lines.push(label ? `${label}：${s(v)}` : s(v));
  };
  let heading: string = EVENT_TYPE_LABELS[e.type] ?? e.type;
  switch (e.type) {
    case 'submitted':
      heading = '您提交了诉求';
      break;
    case 'dispatched':
      heading = `综治中心分派至${s(d.toStationName) || poolName(d)}`;
      break;
    case 'claimed':
      heading = `${s(d.stationName) || at || '站点'}已签收，开始办理`;
      break;
    case 'reassigned':
      heading = `${at || '站点'}调整了承办人`;
      break;
    case 'transferred':
      heading = `${at ? `${at}将诉求` : ''}转至${s(d.toStationName) || poolName(d)}办理`;
      push('原因', d.reason ?? d.note);
      break;
    case 'returned':
      heading = `${at || '站点'}将诉求交回综治中心重新分派`;
      push('原因', d.reason);
      break;
    case 'message':
      heading = `${at || '工作人员'}留言`;
      push('', d.content);
      break;
    case 'supplement_requested':
      heading = `${at || '站点'}请您补充材料`;
      push('', d.content);
      break;
    case 'supplemented':
      heading = '您补充了材料';
      push('', d.content);
      break;
    case 'extension_requested':
      heading = `${at || '站点'}申请延期 ${Number(d.days) || ''} 个工作日`;
      push('原因', d.reason);
      break;
    case 'extension_decided':
      heading = d.approve ? `办理时限延长 ${Number(d.days) || ''} 个工作日` : '延期申请未获批准';
      if (d.approve && s(d.resolveDueAt)) lines.push(`新的办结时限：${formatDate(s(d.resolveDueAt))}`);
      break;
    case 'resolved':
      heading = `${at || '站点'}办结并答复`;
      push('办理结果', d.result);
      push('法律依据', d.legalBasis);
      break;
    case 'rated':
      heading = '您评价了办理结果';
      lines.push(`${d.solved ? '问题已解决' : '问题未解决'} · ${SATISFACTION_LABELS[s(d.satisfaction) as Satisfaction] ?? ''}`);
      push('', d.comment);
      break;
    case 'visited':
      heading = '综治中心回访';
      lines.push(`${d.solved ? '问题已解决' : '问题未解决'} · ${SATISFACTION_LABELS[s(d.satisfaction) as Satisfaction] ?? ''}`);
      break;
    case 'reopened':
      heading = `诉求重新办理${at ? `（${at}）` : ''}`;
      push('原因', d.reason);
      break;
    case 'supervised':
      heading = '政法委对本诉求进行督办';
      break;
    case 'withdrawn':
      heading = '您撤回了诉求';
      push('原因', d.reason);
      break;
    case 'invalidated':
      heading = '诉求被认定为无效';
      push('原因', d.reason);
      break;
    case 'merged':
      heading = `与诉求 ${s(d.intoNo)} 合并办理`;
      break;
    case 'closed':
      heading = `已归档（${CLOSED_REASONS[s(d.reason)] ?? '办理结束'}）`;
      break;
    case 'claim_overdue':
      heading = '签收超时，已提醒站点';
      break;
    case 'overdue':
      heading = '办理超期，已提醒站点';
      break;
  }
  return { heading, lines, asksBusiness: e.type === 'supplement_requested' };
}
