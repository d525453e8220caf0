/**
 * The action forms of a ticket: one model, the fields each action uses, and checks mirroring the API's
 * body schemas (required text has a visible character; lengths as the API limits them).
 */
import type { Satisfaction, StationType, TicketAction } from '@ys/shared';
import type { FormItemRule } from 'element-plus';
import { type Check, checks, firstError, rule } from '@/utils/validators.ts';

export interface ActionModel {
  assigneeId: string;
  targetMode: 'station' | 'pool';
  stationId: string;
  poolType: StationType | '';
  districtCode: string;
  reason: string;
  note: string;
  content: string;
  visibility: 'public' | 'internal';
  days: number | null;
  approve: boolean | undefined;
  result: string;
  legalBasis: string;
  method: 'phone' | 'onsite' | 'sms' | '';
  solved: boolean | undefined;
  satisfaction: Satisfaction | '';
  intoId: string;
  attachmentIds: string[];
}

export function emptyModel(): ActionModel {
  return {
    assigneeId: '',
    targetMode: 'station',
    stationId: '',
    poolType: '',
    districtCode: '',
    reason: '',
    note: '',
    content: '',
    visibility: 'public',
    days: null,
    approve: undefined,
    result: '',
    legalBasis: '',
    method: '',
    solved: undefined,
    satisfaction: '',
    intoId: '',
    attachmentIds: [],
  };
}

/** Text the API accepts: at least one visible character. */
const visible =
  (label: string): Check =>
  (v) =>
    typeof v === 'string' && v.length > 0 && !/\S/.test(v) ? `请填写${label}` : null;
const text = (label: string, max: number, required = true): Check[] =>
  required ? [checks.required(label), visible(label), checks.maxLength(label, max)] : [checks.maxLength(label, max)];
const chosen =
  (label: string): Check =>
  (v) =>
    v === null || v === undefined || v === '' ? `请选择${label}` : null;

type FieldChecks = Partial<Record<keyof ActionModel, Check[]>>;

function targetChecks(m: ActionModel): FieldChecks {
  return m.targetMode === 'station' ? { stationId: [chosen('承办站点')] } : { poolType: [chosen('站点类型')], districtCode: [chosen('旗县区')] };
}

/** The checks of each field an action's form shows, given the current model (some depend on choices). */
export function fieldChecks(action: TicketAction, m: ActionModel): FieldChecks {
  switch (action) {
    case 'reassign':
      return { assigneeId: [chosen('承办人')] };
    case 'transfer':
      return { ...targetChecks(m), reason: text('转办理由', 500) };
    case 'dispatch':
      return { ...targetChecks(m), note: text('分派说明', 500, false) };
    case 'return':
      return { reason: text('退回理由', 500) };
    case 'message':
      return { content: text('留言内容', 2000), visibility: [chosen('可见范围')] };
    case 'request_supplement':
      return { content: text('需补充的内容', 2000) };
    case 'request_extension':
      return { days: [chosen('延期天数'), checks.intRange('延期天数', 1, 30)], reason: text('延期理由', 500) };
    case 'decide_extension':
      return { approve: [chosen('审批结果')], note: m.approve === false ? text('不同意的理由', 500) : text('审批意见', 500, false) };
    case 'resolve':
      return { result: text('办理结果', 2000), legalBasis: text('法律依据', 1000, false) };
    case 'visit':
      return { method: [chosen('回访方式')], solved: [chosen('是否解决')], satisfaction: [chosen('满意度')], note: text('回访记录', 500, false) };
    case 'supervise':
      return { note: text('督办意见', 500) };
    case 'invalidate':
      return { reason: text('作废理由', 500) };
    case 'merge':
      return { intoId: [chosen('合并到的工单')] };
    default:
      return {};
  }
}

/** Field → first error message, for every field of the action that fails. */
export function validateAction(action: TicketAction, m: ActionModel): Partial<Record<keyof ActionModel, string>> {
  const out: Partial<Record<keyof ActionModel, string>> = {};
  for (const [field, list] of Object.entries(fieldChecks(action, m)) as [keyof ActionModel, Check[]][]) {
    const msg = firstError(m[field], ...list);
    if (msg) out[field] = msg;
  }
  return out;
}

/** element-plus rules for the action's form. */
export function actionRules(action: TicketAction, m: ActionModel): Partial<Record<keyof ActionModel, FormItemRule[]>> {
  const out: Partial<Record<keyof ActionModel, FormItemRule[]>> = {};
  for (const [field, list] of Object.entries(fieldChecks(action, m)) as [keyof ActionModel, Check[]][]) out[field] = [rule(...list)];
  return out;
}

/** Actions that need no form (one click). */
export const ONE_CLICK: readonly TicketAction[] = ['claim'];
