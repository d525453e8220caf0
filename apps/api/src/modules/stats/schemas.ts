/** Response shapes of the figures (for the OpenAPI document and the serializer). */
import { Type } from 'typebox';

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

/** Query parameters of GET /api/tickets that list the tickets behind a figure. */
export const ListFilter = Type.Object({}, { additionalProperties: true, description: 'GET /api/tickets 的查询参数：钻取到该指标对应的诉求' });

export const Figure = Type.Object({
  value: Nullable(Type.Number()),
  numerator: Type.Optional(Type.Integer()),
  denominator: Type.Optional(Type.Integer()),
  filter: ListFilter,
  numeratorFilter: Type.Optional(ListFilter),
});

const Count = Type.Object({ value: Type.Integer(), filter: ListFilter });

export const FigureSet = {
  received: Figure,
  effective: Figure,
  responseRate: Figure,
  completionRate: Figure,
  onTimeRate: Figure,
  solvedRate: Figure,
  satisfactionRate: Figure,
  satisfactionScore: Figure,
  overdueOpen: Figure,
  avgClaimHours: Figure,
  avgResolveHours: Figure,
  colors: Type.Object({ red: Figure, orange: Figure, yellow: Figure, green: Figure }),
};

export const Overview = Type.Object({ asOf: Time, filter: ListFilter, ...FigureSet });

const Key = Type.Union([Type.String(), Type.Null()]);

export const ByDimension = Type.Object({
  asOf: Time,
  dimension: Type.String(),
  filter: ListFilter,
  items: Type.Array(Type.Object({ key: Key, label: Type.String(), filter: ListFilter, ...FigureSet })),
});

const RankingRow = {
  stationId: Key,
  label: Type.String(),
  stationType: Key,
  districtCode: Key,
  filter: ListFilter,
  ...FigureSet,
};

export const Ranking = Type.Object({
  asOf: Time,
  minVolume: Type.Integer(),
  filter: ListFilter,
  items: Type.Array(Type.Object({ rank: Type.Integer(), ...RankingRow })),
  belowMinimum: Type.Array(Type.Object(RankingRow)),
});

export const ColorBoard = Type.Object({
  asOf: Time,
  by: Type.String(),
  filter: ListFilter,
  items: Type.Array(Type.Object({ key: Key, label: Type.String(), red: Count, orange: Count, yellow: Count, green: Count, total: Count })),
});

export const Digest = Type.Object({
  asOf: Time,
  date: Type.String(),
  items: Type.Array(
    Type.Object({
      stationId: Type.String(),
      stationName: Type.String(),
      stationType: Type.String(),
      districtCode: Type.String(),
      todo: Count,
      dueToday: Count,
      overdue: Count,
    }),
  ),
});
