/** Words for the list filters that the form does not show (they come from a figure's drill-down). */
import { SATISFACTION_LABELS, type Satisfaction } from '@ys/shared';
import type { FilterKey, Filters } from '@/composables/useTicketList.ts';
import { formatDateTime } from '@/utils/format.ts';

const RESPONSE: Record<string, string> = { on_time: '按时签收', late: '超时签收', not_due: '未到签收时限', none: '未进入站点池' };
const RESOLUTION: Record<string, string> = { on_time: '按期办结', late: '超期办结', none: '未办结' };
const yesNo = (v: string, yes: string, no: string) => (v === 'true' ? yes : no);
const list = (v: string, words: Record<string, string>) =>
  v
    .split(',')
    .map((x) => words[x] ?? x)
    .join('、');

/** Keys shown as removable tags above the list (the form has no field for them). */
export const TAG_KEYS: readonly FilterKey[] = [
  'effective',
  'response',
  'resolution',
  'completed',
  'claimed',
  'rated',
  'solved',
  'satisfaction',
  'withoutStation',
  'todoStationId',
  'dueBy',
];

export function filterTag(key: FilterKey, value: string, stationName: (id: string) => string): string {
  switch (key) {
    case 'effective':
      return yesNo(value, '有效诉求', '无效或撤回');
    case 'response':
      return `签收：${list(value, RESPONSE)}`;
    case 'resolution':
      return `首次办结：${list(value, RESOLUTION)}`;
    case 'completed':
      return yesNo(value, '已办结', '未办结');
    case 'claimed':
      return yesNo(value, '已签收', '未签收');
    case 'rated':
      return yesNo(value, '已评价', '未评价');
    case 'solved':
      return yesNo(value, '已解决', '未解决');
    case 'satisfaction':
      return `评价：${list(value, SATISFACTION_LABELS as Record<Satisfaction, string>)}`;
    case 'withoutStation':
      return yesNo(value, '未落地站点', '已落地站点');
    case 'todoStationId':
      return `站点待办：${stationName(value) || value}`;
    case 'dueBy':
      return `办理时限不晚于 ${formatDateTime(value)}`;
    default:
      return `${key}：${value}`;
  }
}

export function tagsOf(filters: Filters, stationName: (id: string) => string): { key: FilterKey; label: string }[] {
  const out: { key: FilterKey; label: string }[] = [];
  for (const key of TAG_KEYS) {
    const v = filters[key];
    if (v !== undefined) out.push({ key, label: filterTag(key, v, stationName) });
  }
  if (filters.overdue === 'false') out.push({ key: 'overdue', label: '未超期' });
  return out;
}
