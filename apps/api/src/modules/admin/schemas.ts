import { HOLIDAY_KINDS, STAFF_ROLES, STATION_CODE_PATTERN, STATION_TYPES } from '@ys/shared';
import { Type } from 'typebox';

export const literals = <const T extends string>(values: readonly T[]) => Type.Enum([...values]);
// Null first: with type coercion on, a string branch tried first would turn a JSON null into "".
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([Type.Null(), t]);

export const StationTypeSchema = literals(STATION_TYPES);
export const StaffRoleSchema = literals(STAFF_ROLES);
export const Uuid = Type.String({ format: 'uuid' });
export const DistrictCode = Type.String({ pattern: '^\\d{6}$' });
/** A calendar day that exists (no 2026-02-30, no year 0000, which PostgreSQL refuses). */
export const IsoDate = Type.String({ pattern: '^(?!0000)\\d{4}-\\d{2}-\\d{2}$', format: 'date' });
const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

export const District = Type.Object({ code: Type.String(), name: Type.String(), active: Type.Boolean(), createdAt: Timestamp, updatedAt: Timestamp });
export const DistrictCreate = Type.Object(
  { code: DistrictCode, name: Type.String({ minLength: 1, maxLength: 50 }), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const DistrictUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const Station = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: StationTypeSchema,
  agencyName: Type.String(),
  districtCode: Type.String(),
  address: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const stationFields = {
  code: Type.String({ pattern: STATION_CODE_PATTERN, maxLength: 32 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  type: StationTypeSchema,
  agencyName: Type.String({ minLength: 1, maxLength: 100 }),
  districtCode: DistrictCode,
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 30, pattern: '^[0-9+\\- ]*$' }))),
  active: Type.Optional(Type.Boolean()),
};
export const StationCreate = Type.Object(stationFields, { additionalProperties: false });
export const StationUpdate = Type.Partial(Type.Object(stationFields), { additionalProperties: false });

export const Category = Type.Object({
  code: Type.String(),
  name: Type.String(),
  stationType: Nullable(StationTypeSchema),
  claimHours: Type.Integer(),
  resolveDays: Type.Integer(),
  sortOrder: Type.Integer(),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const categoryFields = {
  name: Type.String({ minLength: 1, maxLength: 50 }),
  stationType: Nullable(StationTypeSchema),
  claimHours: Type.Integer({ minimum: 1, maximum: 720 }),
  resolveDays: Type.Integer({ minimum: 1, maximum: 365 }),
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  active: Type.Optional(Type.Boolean()),
};
export const CategoryCreate = Type.Object({ code: Type.String({ pattern: '^[a-z0-9_]{2,32}$' }), ...categoryFields }, { additionalProperties: false });
export const CategoryUpdate = Type.Partial(Type.Object(categoryFields), { additionalProperties: false });

export const Holiday = Type.Object({ date: Type.String(), kind: literals(HOLIDAY_KINDS), name: Type.String(), createdAt: Timestamp, updatedAt: Timestamp });
export const HolidayCreate = Type.Object(
  { date: IsoDate, kind: literals(HOLIDAY_KINDS), name: Type.String({ minLength: 1, maxLength: 50 }) },
  { additionalProperties: false },
);
export const HolidayUpdate = Type.Object(
  { kind: Type.Optional(literals(HOLIDAY_KINDS)), name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })) },
  { additionalProperties: false },
);

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  phone: Nullable(Type.String()),
  role: StaffRoleSchema,
  stationId: Nullable(Type.String()),
  districtCode: Nullable(Type.String()),
  active: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  lockedUntil: Nullable(Timestamp),
  lastLoginAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const Password = Type.String({ minLength: 1, maxLength: 128 });
export const UserCreate = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,50}$' }),
    name: Type.String({ minLength: 1, maxLength: 50 }),
    password: Password,
    role: StaffRoleSchema,
    phone: Type.Optional(Nullable(Type.String({ pattern: '^1[3-9]\\d{9}$' }))),
    stationId: Type.Optional(Nullable(Uuid)),
    districtCode: Type.Optional(Nullable(DistrictCode)),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const UserUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    role: Type.Optional(StaffRoleSchema),
    phone: Type.Optional(Nullable(Type.String({ pattern: '^1[3-9]\\d{9}$' }))),
    stationId: Type.Optional(Nullable(Uuid)),
    districtCode: Type.Optional(Nullable(DistrictCode)),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const ResetPassword = Type.Object({ password: Password }, { additionalProperties: false });

export const AuditLog = Type.Object({
  id: Type.Integer(),
  actorKind: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  success: Type.Boolean(),
  ip: Nullable(Type.String()),
  detail: Type.Unknown(),
  createdAt: Timestamp,
});

export const ListQuery = {
  q: Type.Optional(Type.String({ maxLength: 100 })),
  active: Type.Optional(Type.Boolean()),
};
