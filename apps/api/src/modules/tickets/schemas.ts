import { CHANNELS, COLORS, EVENT_TYPES, PROXY_SOURCES, SATISFACTIONS, STATION_TYPES, TICKET_ACTIONS, TICKET_STATUSES } from '@ys/shared';
import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
const E = <const T extends string>(values: readonly T[]) => Type.Enum([...values]);

export const Uuid = Type.String({ format: 'uuid' });
export const IdParam = Type.Object({ id: Uuid });
export const StationTypeE = E(STATION_TYPES);

export const TicketSummary = Type.Object({
  id: Type.String(),
  no: Type.String(),
  channel: E(CHANNELS),
  status: E(TICKET_STATUSES),
  title: Type.String(),
  enterpriseName: Type.String(),
  districtCode: Type.String(),
  categoryCode: Type.String(),
  stationId: Nullable(Type.String()),
  stationName: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  assigneeName: Nullable(Type.String()),
  targetStationId: Nullable(Type.String()),
  poolType: Nullable(StationTypeE),
  poolDistrictCode: Nullable(Type.String()),
  claimDueAt: Nullable(Time),
  resolveDueAt: Time,
  createdAt: Time,
  resolvedAt: Nullable(Time),
  closedAt: Nullable(Time),
  supervised: Type.Boolean(),
  awaitingSupplement: Type.Boolean(),
  extensionPendingDays: Nullable(Type.Integer()),
  reopenCount: Type.Integer(),
  satisfaction: Nullable(E(SATISFACTIONS)),
  color: Nullable(E(COLORS)),
});

export const TicketEvent = Type.Object({
  id: Type.Integer(),
  type: E(EVENT_TYPES),
  actorKind: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  actorStationId: Nullable(Type.String()),
  actorStationName: Nullable(Type.String()),
  visibility: Type.Enum(['public', 'internal']),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Time,
});

export const Attachment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  mime: Type.String(),
  eventId: Nullable(Type.Integer()),
  createdAt: Time,
});

export const TicketDetail = Type.Object({
  ...TicketSummary.properties,
  proxySource: Nullable(Type.String()),
  entryStationId: Nullable(Type.String()),
  entryStationName: Nullable(Type.String()),
  uscc: Type.String(),
  contactName: Type.String(),
  contactPhone: Type.String(),
  content: Type.String(),
  firstClaimedAt: Nullable(Time),
  solved: Nullable(Type.Boolean()),
  ratingComment: Nullable(Type.String()),
  ratedAt: Nullable(Time),
  ratedVia: Nullable(Type.String()),
  mergedIntoId: Nullable(Type.String()),
  events: Type.Array(TicketEvent),
  attachments: Type.Array(Attachment),
  allowedActions: Type.Array(E(TICKET_ACTIONS)),
});

// At least one visible character: blank text is as empty as none.
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
export const Reason = Type.Object({ reason: Text(500) }, { additionalProperties: false });
export const AttachmentIds = Type.Optional(Type.Array(Uuid, { maxItems: 20 }));

export const Destination = Type.Union([
  Type.Object({ stationId: Uuid, reason: Type.Optional(Text(500)), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  Type.Object(
    {
      poolType: StationTypeE,
      districtCode: Type.String({ pattern: '^\\d{6}$' }),
      reason: Type.Optional(Text(500)),
      note: Type.Optional(Type.String({ maxLength: 500 })),
    },
    { additionalProperties: false },
  ),
]);

export const MessageBody = Type.Object(
  { content: Text(2000), visibility: Type.Enum(['public', 'internal']), attachmentIds: AttachmentIds },
  { additionalProperties: false },
);
export const ContentBody = Type.Object({ content: Text(2000) }, { additionalProperties: false });
export const ExtensionBody = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 30 }), reason: Text(500) }, { additionalProperties: false });
export const DecisionBody = Type.Object({ approve: Type.Boolean(), note: Type.String({ maxLength: 500 }) }, { additionalProperties: false });
export const ResolveBody = Type.Object(
  { result: Text(2000), legalBasis: Type.Optional(Type.String({ maxLength: 1000 })), attachmentIds: AttachmentIds },
  { additionalProperties: false },
);
export const VisitBody = Type.Object(
  { method: Type.Enum(['phone', 'onsite', 'sms']), solved: Type.Boolean(), satisfaction: E(SATISFACTIONS), note: Type.String({ maxLength: 500 }) },
  { additionalProperties: false },
);
export const NoteBody = Type.Object({ note: Text(500) }, { additionalProperties: false });
export const ReassignBody = Type.Object({ assigneeId: Uuid }, { additionalProperties: false });
export const MergeBody = Type.Object({ intoId: Uuid }, { additionalProperties: false });

export const EnterpriseFields = {
  districtCode: Type.String({ pattern: '^\\d{6}$' }),
  categoryCode: Type.String({ minLength: 1, maxLength: 32 }),
  enterpriseName: Text(100),
  uscc: Type.String({ minLength: 18, maxLength: 18 }),
  contactName: Text(50),
  title: Text(60),
  content: Text(2000),
  attachmentIds: AttachmentIds,
};
export const ProxySubmitBody = Type.Object(
  {
    ...EnterpriseFields,
    contactPhone: Type.String({ pattern: '^1[3-9]\\d{9}$' }),
    proxySource: E(PROXY_SOURCES),
    stationCode: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
