/** Domain enums with their Chinese labels: the one place the UI and the API take them from. */

export const ROLES = ['enterprise', 'staff', 'station_lead', 'dispatcher', 'leader', 'admin'] as const;
export type Role = Exclude<(typeof ROLES)[number], 'enterprise'>;
export const STAFF_ROLES = ['staff', 'station_lead', 'dispatcher', 'leader', 'admin'] as const satisfies readonly Role[];

/** A signed-in staff user as the API answers it (the sign-in's `user`, /auth/me): the server's request user extends it. */
export interface SessionUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  stationId: string | null;
  districtCode: string | null;
  mustChangePassword: boolean;
}
export const ROLE_LABELS: Record<(typeof ROLES)[number], string> = {
  enterprise: '企业用户',
  staff: '站点工作人员',
  station_lead: '站长',
  dispatcher: '调度员',
  leader: '领导',
  admin: '系统管理员',
};

export const STATION_TYPES = ['court', 'procuratorate', 'police', 'legal_service'] as const;
export type StationType = (typeof STATION_TYPES)[number];
export const STATION_TYPE_LABELS: Record<StationType, string> = {
  court: '法官工作站',
  procuratorate: '检企联络站',
  police: '警务服务站',
  legal_service: '法律服务站',
};

export const TICKET_STATUSES = ['pending_dispatch', 'pending_claim', 'in_progress', 'resolved', 'closed', 'withdrawn', 'invalid'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  pending_dispatch: '待分派',
  pending_claim: '待签收',
  in_progress: '办理中',
  resolved: '已办结',
  closed: '已归档',
  withdrawn: '已撤回',
  invalid: '无效',
};
/** States in which the ticket is still being worked on: these carry a colour and count as "open". */
export const OPEN_STATUSES = ['pending_dispatch', 'pending_claim', 'in_progress'] as const satisfies readonly TicketStatus[];

export const CHANNELS = ['qr', 'h5', 'mp', 'proxy'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  qr: '扫码',
  h5: '网页',
  mp: '小程序',
  proxy: '代录',
};

export const PROXY_SOURCES = ['恳谈会', '开放日', '走访', '电话'] as const;
export type ProxySource = (typeof PROXY_SOURCES)[number];

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];
export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
};

export const RATED_VIA = ['online', 'visit'] as const;
export type RatedVia = (typeof RATED_VIA)[number];

export const COLORS = ['red', 'orange', 'yellow', 'green'] as const;
export type Color = (typeof COLORS)[number];
export const COLOR_LABELS: Record<Color, string> = { red: '红色', orange: '橙色', yellow: '黄色', green: '绿色' };

export const HOLIDAY_KINDS = ['off', 'work'] as const;
export type HolidayKind = (typeof HOLIDAY_KINDS)[number];
export const HOLIDAY_KIND_LABELS: Record<HolidayKind, string> = { off: '放假', work: '调休上班' };

export const ACTOR_KINDS = ['enterprise', 'staff', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const EVENT_VISIBILITIES = ['public', 'internal'] as const;
export type EventVisibility = (typeof EVENT_VISIBILITIES)[number];

export const EVENT_TYPES = [
  'submitted',
  'dispatched',
  'claimed',
  'reassigned',
  'transferred',
  'returned',
  'message',
  'supplement_requested',
  'supplemented',
  'extension_requested',
  'extension_decided',
  'resolved',
  'rated',
  'visited',
  'reopened',
  'supervised',
  'withdrawn',
  'invalidated',
  'merged',
  'closed',
  'claim_overdue',
  'overdue',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const EVENT_TYPE_LABELS: Record<EventType, string> = {
  submitted: '提交诉求',
  dispatched: '分派',
  claimed: '签收',
  reassigned: '改派',
  transferred: '转办',
  returned: '退回中心',
  message: '留言',
  supplement_requested: '请求补充材料',
  supplemented: '补充材料',
  extension_requested: '申请延期',
  extension_decided: '延期审批',
  resolved: '办结反馈',
  rated: '评价',
  visited: '回访',
  reopened: '重新办理',
  supervised: '督办',
  withdrawn: '撤回',
  invalidated: '作废',
  merged: '合并',
  closed: '归档',
  claim_overdue: '签收超时',
  overdue: '办理超期',
};

export const TICKET_ACTIONS = [
  'claim',
  'reassign',
  'transfer',
  'return',
  'message',
  'request_supplement',
  'request_extension',
  'decide_extension',
  'resolve',
  'visit',
  'supervise',
  'dispatch',
  'invalidate',
  'merge',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];
export const TICKET_ACTION_LABELS: Record<TicketAction, string> = {
  claim: '签收',
  reassign: '改派',
  transfer: '转办',
  return: '退回中心',
  message: '留言',
  request_supplement: '请求补充',
  request_extension: '申请延期',
  decide_extension: '延期审批',
  resolve: '办结',
  visit: '回访',
  supervise: '督办',
  dispatch: '分派',
  invalidate: '作废',
  merge: '合并重复',
};

export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  NOT_FOUND: 404,
  ALREADY_CLAIMED: 409,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ACCOUNT_LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;
