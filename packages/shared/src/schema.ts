/**
 * The one source of the tables. Migrations in drizzle/ are generated from this file
 * (`pnpm db:generate`) and applied on start, on PGlite and on PostgreSQL alike.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import type {
  ActorKind,
  Channel,
  EventType,
  EventVisibility,
  HolidayKind,
  ProxySource,
  RatedVia,
  Role,
  Satisfaction,
  StationType,
  TicketStatus,
} from './enums.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => tz('created_at').notNull().defaultNow();
const updatedAt = () => tz('updated_at').notNull().defaultNow();

export const districts = pgTable('districts', {
  code: varchar('code', { length: 6 }).primaryKey(),
  name: varchar('name', { length: 50 }).notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const stations = pgTable(
  'stations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: varchar('code', { length: 32 }).notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    type: varchar('type', { length: 20 }).$type<StationType>().notNull(),
    agencyName: varchar('agency_name', { length: 100 }).notNull(),
    districtCode: varchar('district_code', { length: 6 })
      .notNull()
      .references(() => districts.code),
    address: varchar('address', { length: 200 }),
    phone: varchar('phone', { length: 30 }),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('stations_code_uq').on(t.code), index('stations_district_type_idx').on(t.districtCode, t.type)],
);

export const categories = pgTable('categories', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 50 }).notNull(),
  stationType: varchar('station_type', { length: 20 }).$type<StationType | null>(),
  claimHours: integer('claim_hours').notNull(),
  resolveDays: integer('resolve_days').notNull(),
  sortOrder: integer('sort_order').notNull().default(0),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const holidays = pgTable('holidays', {
  date: date('date', { mode: 'string' }).primaryKey(),
  kind: varchar('kind', { length: 4 }).$type<HolidayKind>().notNull(),
  name: varchar('name', { length: 50 }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: varchar('username', { length: 50 }).notNull(),
    name: varchar('name', { length: 50 }).notNull(),
    phone: varchar('phone', { length: 20 }),
    passwordHash: text('password_hash').notNull(),
    role: varchar('role', { length: 20 }).$type<Role>().notNull(),
    stationId: uuid('station_id').references(() => stations.id),
    districtCode: varchar('district_code', { length: 6 }).references(() => districts.code),
    active: boolean('active').notNull().default(true),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: tz('locked_until'),
    passwordChangedAt: tz('password_changed_at'),
    lastLoginAt: tz('last_login_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_username_uq').on(sql`lower(${t.username})`), index('users_station_idx').on(t.stationId)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    familyId: uuid('family_id').notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    expiresAt: tz('expires_at').notNull(),
    usedAt: tz('used_at'),
    revokedAt: tz('revoked_at'),
    ip: varchar('ip', { length: 64 }),
    userAgent: varchar('user_agent', { length: 300 }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_uq').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

export const auditLogs = pgTable(
  'audit_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorKind: varchar('actor_kind', { length: 12 }).$type<ActorKind | 'anonymous'>().notNull(),
    actorId: varchar('actor_id', { length: 64 }),
    actorName: varchar('actor_name', { length: 100 }),
    action: varchar('action', { length: 60 }).notNull(),
    targetType: varchar('target_type', { length: 30 }),
    targetId: varchar('target_id', { length: 64 }),
    success: boolean('success').notNull().default(true),
    ip: varchar('ip', { length: 64 }),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_logs_created_idx').on(t.createdAt),
    index('audit_logs_actor_idx').on(t.actorId, t.createdAt),
    index('audit_logs_target_idx').on(t.targetType, t.targetId),
  ],
);

/** A business's account: identified by a verified mobile number, or by a WeChat openid. */
export const enterpriseAccounts = pgTable(
  'enterprise_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phone: varchar('phone', { length: 20 }),
    wechatOpenId: varchar('wechat_open_id', { length: 64 }),
    createdAt: createdAt(),
    lastSeenAt: tz('last_seen_at'),
  },
  (t) => [uniqueIndex('enterprise_accounts_phone_uq').on(t.phone), uniqueIndex('enterprise_accounts_openid_uq').on(t.wechatOpenId)],
);

export const enterpriseSessions = pgTable(
  'enterprise_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => enterpriseAccounts.id),
    channel: varchar('channel', { length: 8 }).$type<Channel>().notNull(),
    expiresAt: tz('expires_at').notNull(),
    revokedAt: tz('revoked_at'),
    ip: varchar('ip', { length: 64 }),
    createdAt: createdAt(),
  },
  (t) => [index('enterprise_sessions_account_idx').on(t.accountId)],
);

export const otpCodes = pgTable(
  'otp_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phone: varchar('phone', { length: 20 }).notNull(),
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    expiresAt: tz('expires_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    consumedAt: tz('consumed_at'),
    ip: varchar('ip', { length: 64 }),
    createdAt: createdAt(),
  },
  (t) => [index('otp_codes_phone_idx').on(t.phone, t.createdAt)],
);

/** Daily ticket-number sequence: one row per Asia/Shanghai day. */
export const ticketCounters = pgTable('ticket_counters', {
  day: varchar('day', { length: 8 }).primaryKey(),
  last: integer('last').notNull(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    no: varchar('no', { length: 16 }).notNull(),
    channel: varchar('channel', { length: 8 }).$type<Channel>().notNull(),
    proxySource: varchar('proxy_source', { length: 10 }).$type<ProxySource | null>(),
    entryStationId: uuid('entry_station_id').references(() => stations.id),
    accountId: uuid('account_id').references(() => enterpriseAccounts.id),
    idempotencyKey: varchar('idempotency_key', { length: 100 }),
    enterpriseName: varchar('enterprise_name', { length: 100 }).notNull(),
    uscc: varchar('uscc', { length: 18 }).notNull(),
    contactName: varchar('contact_name', { length: 50 }).notNull(),
    contactPhone: varchar('contact_phone', { length: 20 }).notNull(),
    districtCode: varchar('district_code', { length: 6 })
      .notNull()
      .references(() => districts.code),
    categoryCode: varchar('category_code', { length: 32 })
      .notNull()
      .references(() => categories.code),
    title: varchar('title', { length: 60 }).notNull(),
    content: text('content').notNull(),
    status: varchar('status', { length: 20 }).$type<TicketStatus>().notNull(),
    poolType: varchar('pool_type', { length: 20 }).$type<StationType | null>(),
    poolDistrictCode: varchar('pool_district_code', { length: 6 }),
    targetStationId: uuid('target_station_id').references(() => stations.id),
    stationId: uuid('station_id').references(() => stations.id),
    assigneeId: uuid('assignee_id').references(() => users.id),
    enteredPoolAt: tz('entered_pool_at'),
    claimDueAt: tz('claim_due_at'),
    resolveDueAt: tz('resolve_due_at').notNull(),
    firstEnteredPoolAt: tz('first_entered_pool_at'),
    firstClaimDueAt: tz('first_claim_due_at'),
    firstClaimedAt: tz('first_claimed_at'),
    firstResolvedAt: tz('first_resolved_at'),
    firstResolveDueAt: tz('first_resolve_due_at'),
    /** Whether the first resolution met the resolveDueAt in force at that moment (onTimeRate); set with firstResolvedAt. */
    firstResolvedOnTime: boolean('first_resolved_on_time'),
    resolvedAt: tz('resolved_at'),
    closedAt: tz('closed_at'),
    reopenCount: integer('reopen_count').notNull().default(0),
    supervised: boolean('supervised').notNull().default(false),
    awaitingSupplement: boolean('awaiting_supplement').notNull().default(false),
    extensionPendingDays: integer('extension_pending_days'),
    extendedDays: integer('extended_days').notNull().default(0),
    solved: boolean('solved'),
    satisfaction: varchar('satisfaction', { length: 24 }).$type<Satisfaction | null>(),
    ratingComment: varchar('rating_comment', { length: 500 }),
    ratedAt: tz('rated_at'),
    ratedVia: varchar('rated_via', { length: 8 }).$type<RatedVia | null>(),
    ratedRound: integer('rated_round'),
    mergedIntoId: uuid('merged_into_id'),
    claimOverdueNotedAt: tz('claim_overdue_noted_at'),
    overdueNotedAt: tz('overdue_noted_at'),
    dueSoonNotedAt: tz('due_soon_noted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('tickets_no_uq').on(t.no),
    uniqueIndex('tickets_idem_uq').on(t.accountId, t.idempotencyKey),
    index('tickets_status_due_idx').on(t.status, t.resolveDueAt),
    index('tickets_station_status_idx').on(t.stationId, t.status),
    index('tickets_target_status_idx').on(t.targetStationId, t.status),
    index('tickets_pool_idx').on(t.poolType, t.poolDistrictCode, t.status),
    index('tickets_assignee_status_idx').on(t.assigneeId, t.status),
    index('tickets_district_created_idx').on(t.districtCode, t.createdAt),
    index('tickets_created_idx').on(t.createdAt),
    index('tickets_account_created_idx').on(t.accountId, t.createdAt),
    index('tickets_category_created_idx').on(t.categoryCode, t.createdAt),
    // Open tickets are a few per cent of the history and what lists filter, colour and sort: this small partial
    // index answers the district / status / colour / q filters and their counts without visiting the table, and
    // (with the id) picks a page's ids in urgency order, so that only the page's rows are read.
    index('tickets_open_idx')
      .on(t.districtCode, t.status, t.resolveDueAt, t.createdAt, t.claimDueAt, t.enterpriseName, t.title, t.id)
      .where(sql`${t.status} in ('pending_dispatch', 'pending_claim', 'in_progress')`),
    // When an open ticket turns yellow and orange (SQL functions of drizzle/0005, the colour rule of tickets/repo.ts
    // colorSql): a colour filter becomes a range over these instead of the colour computed for every open ticket.
    index('tickets_yellow_at_idx')
      .on(sql`ticket_yellow_at(${t.createdAt}, ${t.resolveDueAt})`)
      .where(sql`${t.status} in ('pending_dispatch', 'pending_claim', 'in_progress')`),
    // drizzle/0005 adds INCLUDE (status, created_at, resolve_due_at, claim_due_at, id), which this builder cannot say:
    // a red/orange list picks its page and counts from the index alone. Included, not key columns, so that the
    // planner never scans this index for a status condition.
    index('tickets_orange_at_idx')
      .on(sql`ticket_orange_at(${t.status}, ${t.createdAt}, ${t.resolveDueAt}, ${t.claimDueAt})`)
      .where(sql`${t.status} in ('pending_dispatch', 'pending_claim', 'in_progress')`),
    // The live tickets, whose figures still move with the clock (tickets/list.ts measure.live); the figures add them
    // up one by one, and take every other ticket from the ticket_stats rollup.
    index('tickets_live_idx')
      .on(t.createdAt)
      .where(
        sql`${t.status} in ('pending_dispatch', 'pending_claim', 'in_progress') or (${t.firstEnteredPoolAt} is not null and ${t.firstClaimedAt} is null and ${t.status} not in ('withdrawn', 'invalid'))`,
      ),
  ],
);

/**
 * The figures of the settled tickets (every ticket not live: its figures no longer depend on the clock), summed
 * per month of creation (Asia/Shanghai) and the dimensions the figures filter and group by. Kept by a trigger on
 * tickets, which appends the change of a ticket's contribution as rows (-1 the old, +1 the new) so that no
 * transaction waits on another's row; ticket_stats_compact() sums them up (the sweep runs it). The sum of all
 * rows of a group is its figures: what stats/service.ts reads. Each ticket counts twice: in a fine row, and in a
 * coarse row with category and channel '*' (most requests filter and group by neither, and read ~20× fewer rows).
 * See drizzle/0003_*.sql and docs/figures.md.
 */
export const ticketStats = pgTable(
  'ticket_stats',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    month: date('month', { mode: 'string' }).notNull(),
    districtCode: varchar('district_code', { length: 6 }).notNull(),
    /** coalesce(station_id, target_station_id), or the nil uuid when neither is set. */
    holder: uuid('holder').notNull(),
    /** pool_type, or '' when none. */
    poolType: varchar('pool_type', { length: 20 }).notNull(),
    /** The category, or '*' in a coarse row. */
    categoryCode: varchar('category_code', { length: 32 }).notNull(),
    /** The channel, or '*' in a coarse row. */
    channel: varchar('channel', { length: 8 }).notNull(),
    received: integer('received').notNull(),
    effective: integer('effective').notNull(),
    responseOnTime: integer('response_on_time').notNull(),
    responseDue: integer('response_due').notNull(),
    completed: integer('completed').notNull(),
    resolved: integer('resolved').notNull(),
    resolvedOnTime: integer('resolved_on_time').notNull(),
    rated: integer('rated').notNull(),
    solved: integer('solved').notNull(),
    satisfied: integer('satisfied').notNull(),
    basicallySatisfied: integer('basically_satisfied').notNull(),
    claimed: integer('claimed').notNull(),
    /** Sums of (first claim − creation) and (first resolution − creation), in seconds: the averages' numerators. */
    claimSeconds: numeric('claim_seconds').notNull(),
    resolveSeconds: numeric('resolve_seconds').notNull(),
  },
  (t) => [index('ticket_stats_grain_month_idx').on(t.categoryCode, t.month)],
);

export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    type: varchar('type', { length: 30 }).$type<EventType>().notNull(),
    actorKind: varchar('actor_kind', { length: 12 }).$type<ActorKind>().notNull(),
    actorId: varchar('actor_id', { length: 64 }),
    actorName: varchar('actor_name', { length: 50 }),
    /** The station the actor acted for: what the enterprise sees instead of a staff name. */
    actorStationId: uuid('actor_station_id').references(() => stations.id),
    visibility: varchar('visibility', { length: 10 }).$type<EventVisibility>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('ticket_events_ticket_idx').on(t.ticketId, t.id), index('ticket_events_type_created_idx').on(t.type, t.createdAt)],
);

/**
 * The tickets each station's people acted on ("what it handled before", tickets/scope.ts): one row per station
 * and ticket, added by a trigger with the station's first event on the ticket, and `open` kept equal to
 * "the ticket's status is open" by a trigger on tickets (drizzle/0004). A station's history, and the open part
 * of it, are then index ranges instead of every event its people wrote.
 */
export const stationTickets = pgTable(
  'station_tickets',
  {
    stationId: uuid('station_id')
      .notNull()
      .references(() => stations.id),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    open: boolean('open').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.stationId, t.ticketId] }),
    index('station_tickets_ticket_idx').on(t.ticketId),
    index('station_tickets_open_idx').on(t.stationId, t.ticketId).where(sql`${t.open}`),
  ],
);

/**
 * How long each station's history is, as rows to add up: after each statement that adds or removes rows of
 * station_tickets, a trigger appends one row per station with the change (drizzle/0008, 0009; no row is updated, so
 * no transaction waits on another's count), and the sweep merges each station's rows into one. A station's
 * unfiltered "all" list counts its history from these few rows instead of reading every row of it.
 */
export const stationHistoryCounts = pgTable(
  'station_history_counts',
  {
    stationId: uuid('station_id')
      .notNull()
      .references(() => stations.id),
    n: integer('n').notNull(),
  },
  (t) => [index('station_history_counts_station_idx').on(t.stationId, t.n)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerKind: varchar('owner_kind', { length: 12 }).$type<ActorKind>().notNull(),
    ownerId: varchar('owner_id', { length: 64 }).notNull(),
    ticketId: uuid('ticket_id').references(() => tickets.id),
    eventId: integer('event_id'),
    storageKey: varchar('storage_key', { length: 200 }).notNull(),
    originalName: varchar('original_name', { length: 200 }).notNull(),
    mime: varchar('mime', { length: 100 }).notNull(),
    size: integer('size').notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_ticket_idx').on(t.ticketId), index('attachments_owner_idx').on(t.ownerKind, t.ownerId)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    ticketId: uuid('ticket_id').references(() => tickets.id),
    kind: varchar('kind', { length: 30 }).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    /** Makes "created once" a database guarantee: (user, kind, dedupe) is unique. */
    dedupeKey: varchar('dedupe_key', { length: 100 }).notNull(),
    readAt: tz('read_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('notifications_dedupe_uq').on(t.userId, t.kind, t.dedupeKey), index('notifications_user_idx').on(t.userId, t.readAt, t.id)],
);

export const smsOutbox = pgTable(
  'sms_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phone: varchar('phone', { length: 20 }).notNull(),
    template: varchar('template', { length: 30 }).notNull(),
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    dedupeKey: varchar('dedupe_key', { length: 100 }).notNull(),
    status: varchar('status', { length: 10 }).$type<'pending' | 'sent' | 'failed'>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: varchar('last_error', { length: 500 }),
    nextAttemptAt: tz('next_attempt_at').notNull().defaultNow(),
    sentAt: tz('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sms_outbox_dedupe_uq').on(t.dedupeKey), index('sms_outbox_pending_idx').on(t.status, t.nextAttemptAt)],
);

/** Fixed-window counters for abuse limits, shared by every instance through the database. */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: varchar('key', { length: 200 }).notNull(),
    windowStart: tz('window_start').notNull(),
    count: integer('count').notNull(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index('rate_limits_expires_idx').on(t.expiresAt)],
);

/** Short-lived cluster-wide locks (the sweep) — so that two instances never do the same job at once. */
export const jobLocks = pgTable('job_locks', {
  name: varchar('name', { length: 50 }).primaryKey(),
  holder: varchar('holder', { length: 64 }).notNull(),
  expiresAt: tz('expires_at').notNull(),
});

/**
 * Single-use rating links (the resolved SMS): a link is named by the resolved event it was issued for;
 * its row here means it has been used. The primary key makes "used once" a database guarantee.
 */
export const ratingLinkUses = pgTable('rating_link_uses', {
  linkId: varchar('link_id', { length: 40 }).primaryKey(),
  ticketId: uuid('ticket_id')
    .notNull()
    .references(() => tickets.id),
  usedAt: tz('used_at').notNull(),
});
