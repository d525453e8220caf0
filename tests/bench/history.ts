/**
 * A realistic ticket history written straight through the schema with INSERT … SELECT generate_series:
 * 175 stations of four kinds over the 9 districts, a staff user per station, enterprise accounts, tickets
 * over three years (busy months, busy stations, business hours), ~8 events each in time order, ~20 % with
 * attachment rows, and the daily number counters. The same SQL runs on PostgreSQL and on PGlite.
 *
 * Every ticket follows the rules' lifecycle: submitted → (dispatched) → claimed → messages → resolved →
 * rated (online or by a visit) or closed unrated after 7 days; a first "dissatisfied" reopens and a second
 * resolution closes it; a few are withdrawn, invalid or stuck open far past their deadline.
 */

export interface Sql {
  /** Runs one or more statements. */
  exec(text: string): Promise<void>;
  query<T>(text: string): Promise<T[]>;
}

export const BENCH_PASSWORD = 'Bench@2025';
export const BENCH_STATIONS = 175;
export const BENCH_ACCOUNTS = 80_000;

const DISTRICT_WEIGHTS: [string, number][] = [
  ['150202', 22],
  ['150203', 30],
  ['150204', 22],
  ['150205', 4],
  ['150206', 3],
  ['150207', 18],
  ['150221', 9],
  ['150222', 6],
  ['150223', 5],
];

const CATEGORY_WEIGHTS: [string, number][] = [
  ['legal_consult', 25],
  ['case_progress', 12],
  ['enforcement', 9],
  ['ip_protection', 4],
  ['procuratorial', 6],
  ['compliance', 5],
  ['public_security', 8],
  ['police_service', 13],
  ['business_env', 8],
  ['suggestion', 5],
  ['other', 5],
];

/** Calendar-month factor: quiet around the Spring Festival and National Day, busy in spring and at year end. */
const SEASON = [0.6, 0.75, 1.15, 1.2, 1.15, 1.1, 0.9, 0.9, 1.1, 0.85, 1.2, 1.25];

const TYPES = ['court', 'procuratorate', 'police', 'legal_service'] as const;
const AGENCY: Record<(typeof TYPES)[number], [string, string]> = {
  court: ['人民法院', '优商法官工作站'],
  procuratorate: ['人民检察院', '检企联络站'],
  police: ['公安分局', '警务服务站'],
  legal_service: ['司法局', '法律服务站'],
};

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (xs: string[]) => `array[${xs.map(lit).join(',')}]`;

/** Stations up to 175 (the demo ones count), a station lead per station, enterprise accounts. */
export async function seedOrganisation(db: Sql, passwordHash: string): Promise<void> {
  const [{ n }] = (await db.query<{ n: number }>('select count(*)::int as n from stations')) as [{ n: number }];
  const missing = BENCH_STATIONS - n;
  const districtNames = Object.fromEntries((await db.query<{ code: string; name: string }>('select code, name from districts')).map((d) => [d.code, d.name]));
  const rows: string[] = [];
  const total = DISTRICT_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  for (let k = 0; k < missing; k++) {
    const type = TYPES[k % 4]!;
    // districts in proportion to their weight, deterministic
    let x = ((k * 37) % total) + 0.5;
    let district = DISTRICT_WEIGHTS[0]![0];
    for (const [code, w] of DISTRICT_WEIGHTS) {
      if (x < w) {
        district = code;
        break;
      }
      x -= w;
    }
    const dn = districtNames[district] ?? district;
    const [agency, kind] = AGENCY[type];
    const no = Math.floor(k / 4) + 1;
    rows.push(
      `(${lit(`b${k + 1}-${type.slice(0, 4)}`)}, ${lit(`${dn}第${no}${kind}`)}, ${lit(type)}, ${lit(dn + agency)}, ${lit(district)}, ${lit(`${dn}营商路 ${k + 1} 号`)}, ${lit(`0472-${String(5_000_000 + k).slice(-7)}`)})`,
    );
  }
  if (rows.length) {
    await db.exec(`insert into stations (code, name, type, agency_name, district_code, address, phone) values ${rows.join(',\n')} on conflict do nothing`);
  }
  await db.exec(`
    insert into users (id, username, name, password_hash, role, station_id, must_change_password)
    select md5('bench-staff:' || s.code)::uuid, 'bench_' || replace(s.code, '-', '_'), left(s.name, 40) || '站长', ${lit(passwordHash)},
           'station_lead', s.id, false
    from stations s on conflict do nothing;
    insert into enterprise_accounts (id, phone, created_at)
    select md5('bench-acct:' || k)::uuid, '13' || lpad(k::text, 9, '0'), now() - interval '3 years'
    from generate_series(1, ${BENCH_ACCOUNTS}) k on conflict do nothing;
  `);
}

/** An index dropped for the load: the statement that builds it again and, for a primary key, the one that makes it the key again. */
export interface IndexDef {
  table: string;
  name: string;
  build: string;
  constraint?: string;
}

/** A foreign key dropped for the load: added back unchecked (a moment's lock), then checked (rows read, writers not blocked). */
export interface ForeignKeyDef {
  table: string;
  add: string;
  validate: string;
}

/** What the load goes without: the big tables' indexes and primary keys, and the foreign keys that refer to those. */
export interface Dropped {
  indexes: IndexDef[];
  foreignKeys: ForeignKeyDef[];
}

/**
 * Drops the indexes of the big tables (the stations' histories among them), primary keys included, and so the
 * foreign keys that refer to them (from the events, the attachments and the other tables that refer to a ticket):
 * loading is several times faster without them (a random uuid per row into the tickets' key alone doubles the
 * tickets' time), and one sort per index builds them after.
 */
export async function dropIndexes(db: Sql): Promise<Dropped> {
  const big = `('tickets'::regclass, 'ticket_events'::regclass, 'attachments'::regclass, 'station_tickets'::regclass)`;
  const fks = await db.query<{ tbl: string; name: string; def: string }>(
    `select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def from pg_constraint
     where contype = 'f' and confrelid in ${big} order by 1, 2`,
  );
  for (const f of fks) await db.exec(`alter table ${f.tbl} drop constraint ${f.name}`);
  const defs = await db.query<{ tablename: string; indexname: string; indexdef: string; pkey: boolean }>(
    `select i.tablename, i.indexname, i.indexdef, c.oid is not null as pkey from pg_indexes i
     left join pg_constraint c on c.conrelid = format('%I.%I', i.schemaname, i.tablename)::regclass and c.conname = i.indexname
     where i.schemaname = 'public' and format('%I.%I', i.schemaname, i.tablename)::regclass in ${big} and (c.oid is null or c.contype = 'p')`,
  );
  for (const d of defs) await db.exec(d.pkey ? `alter table ${d.tablename} drop constraint ${d.indexname}` : `drop index ${d.indexname}`);
  return {
    indexes: defs.map((d) => ({
      table: d.tablename,
      name: d.indexname,
      build: d.indexdef,
      constraint: d.pkey ? `alter table ${d.tablename} add constraint ${d.indexname} primary key using index ${d.indexname}` : undefined,
    })),
    foreignKeys: fks.map((f) => ({
      table: f.tbl,
      add: `alter table ${f.tbl} add constraint ${f.name} ${f.def} not valid`,
      validate: `alter table ${f.tbl} validate constraint ${f.name}`,
    })),
  };
}

/** The months and the station picks the plan draws from, and the empty plan: shared unlogged tables, so that several connections can fill and read them. */
function preparePlan(now: Date): string {
  const nowSql = `${lit(now.toISOString())}::timestamptz`;
  return `
    drop table if exists bench_month, bench_pick, bench_plan;
    -- 36 months up to now: growth over the years times the season
    create unlogged table bench_month as
    with m as (
      select k, (date_trunc('month', (${nowSql} at time zone 'Asia/Shanghai')) - make_interval(months => 35 - k)) as start_local
      from generate_series(0, 35) k
    ), w as (
      select k, start_local,
        least(start_local + interval '1 month', (${nowSql} at time zone 'Asia/Shanghai')) as end_local,
        (0.55 + 0.45 * k / 35.0) * (array[${SEASON.join(',')}])[extract(month from start_local)::int]
          * extract(epoch from least(start_local + interval '1 month', (${nowSql} at time zone 'Asia/Shanghai')) - start_local)
          / extract(epoch from interval '30 days') as weight
      from m
    )
    select k + 1 as idx, start_local, end_local,
      greatest(1, ceil(extract(epoch from end_local - start_local) / 86400))::int as days,
      -- float8 like the random draws they are compared with (width_bucket would cast the array on every call)
      (coalesce(sum(weight) over (order by k rows between unbounded preceding and 1 preceding), 0) / sum(weight) over ())::float8 as lo
    from w;

    -- station picks: by kind (the category's station type) or among all (the centre's categories);
    -- a power law over a shuffled order makes a few stations busy in every district
    create unlogged table bench_pick as
    with s as (
      select s.id, s.code, s.name, s.type, s.district_code, md5('bench-staff:' || s.code)::uuid as staff_id,
        row_number() over (partition by s.type order by md5(s.code)) as k,
        row_number() over (order by md5('all' || s.code)) as k_all
      from stations s where s.active
    )
    select type as pick_type, k as pick_k, id, name, type, district_code, staff_id from s
    union all
    select 'any', k_all, id, name, type, district_code, staff_id from s;
    analyze bench_month, bench_pick;

    create unlogged table bench_plan as ${planSelect(1, 0, now)};
  `;
}

/**
 * The lifecycle of tickets `from`..`to`. Each stage is fenced (offset 0) so that its columns are computed once:
 * inlined, every later reference would repeat the whole expression it stands for.
 */
function planSelect(from: number, to: number, now: Date): string {
  const nowSql = `${lit(now.toISOString())}::timestamptz`;
  const catTotal = CATEGORY_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const catLows = CATEGORY_WEIGHTS.map(([, w]) => {
    const lo = acc / catTotal;
    acc += w;
    return lo;
  });
  return `
    with g as (
      select i, random() as r_month, random() as r_day, random() as r_hour, random() as r_biz, random() as r_cat, random() as r_st,
        random() as r_ch, random() as r_acct, random() as r_claim, random() as r_res, random() as r_fate, random() as r_rate,
        random() as r_sat, random() as r_misc, random() as r_msgs
      from generate_series(${from}, ${to}) i
    ), t0 as (
      select g.*, c.code as category_code, c.station_type as cat_type, c.claim_hours, c.resolve_days,
        least(
          ((mo.start_local + make_interval(days => floor(g.r_day * mo.days)::int)
            + make_interval(secs => case when g.r_biz < 0.85 then (8 + g.r_hour * 10) * 3600 else g.r_hour * 86400 end))
            at time zone 'Asia/Shanghai'),
          ${nowSql} - interval '1 minute' * (1 + g.r_hour * 600)
        ) as created_at,
        case when g.r_ch < 0.55 then 'qr' when g.r_ch < 0.75 then 'h5' when g.r_ch < 0.9 then 'mp' else 'proxy' end as channel
      from g
      join bench_month mo on mo.idx = width_bucket(g.r_month, (select array_agg(lo order by idx) from bench_month))
      join categories c on c.code = (${arr(CATEGORY_WEIGHTS.map(([c]) => c))})[width_bucket(g.r_cat, array[${catLows.join(',')}]::float8[])]
      offset 0
    ), t1 as (
      select t0.*, p.id as station_id, p.name as station_name, p.type as station_type, p.district_code, p.staff_id,
        case when t0.channel = 'proxy' then null else 1 + floor(${BENCH_ACCOUNTS} * power(t0.r_acct, 1.6))::int end as acct,
        case when t0.cat_type is null then t0.created_at + make_interval(secs => (0.5 + t0.r_misc * 8) * 3600) end as dispatched_at
      from t0
      join (select pick_type, count(*) as n from bench_pick group by 1) n on n.pick_type = coalesce(t0.cat_type, 'any')
      join bench_pick p on p.pick_type = n.pick_type and p.pick_k = 1 + floor(n.n * power(t0.r_st, 1.7))
      offset 0
    ), t2 as (
      select t1.*,
        coalesce(dispatched_at, created_at) as pool_at,
        coalesce(dispatched_at, created_at) + make_interval(hours => claim_hours) as claim_due,
        coalesce(dispatched_at, created_at) + make_interval(secs => claim_hours * 3600 * power(r_claim, 1.5) * 1.3 + 60) as claimed_at,
        ((date_trunc('day', created_at at time zone 'Asia/Shanghai') + make_interval(days => ceil(resolve_days * 1.4)::int + 1))
          at time zone 'Asia/Shanghai') - interval '1 millisecond' as due,
        created_at + make_interval(secs => resolve_days * 1.4 * 86400 * (0.15 + power(r_res, 1.3))) as resolved_raw,
        case when r_fate < 0.02 then 'withdrawn' when r_fate < 0.035 then 'invalid' when r_fate < 0.038 then 'stuck' else 'normal' end as fate,
        case when r_rate < 0.72 then 'online' when r_rate < 0.80 then 'visit' else null end as via,
        case when r_sat < 0.78 then 'satisfied' when r_sat < 0.94 then 'basically_satisfied' else 'dissatisfied' end as sat1
      from t1
      offset 0
    ), t3 as (
      select t2.*,
        greatest(resolved_raw, claimed_at + interval '1 hour') as resolved1,
        greatest(resolved_raw, claimed_at + interval '1 hour')
          + make_interval(secs => case when via = 'visit' then 3 + r_misc * 7 else 0.2 + r_misc * 4 end * 86400) as rated1,
        created_at + make_interval(secs => 3600 + extract(epoch from claimed_at - created_at) * 0.5 * r_misc) as ended_at
      from t2
      offset 0
    ), t4 as (
      select t3.*,
        case
          when fate = 'withdrawn' then least(ended_at, ${nowSql})
          when fate = 'invalid' then least(ended_at, ${nowSql})
        end as end_at,
        case
          when fate = 'withdrawn' then 'withdrawn'
          when fate = 'invalid' then 'invalid'
          when dispatched_at is not null and ${nowSql} < dispatched_at then 'pending_dispatch'
          when ${nowSql} < claimed_at then 'pending_claim'
          when fate = 'stuck' or ${nowSql} < resolved1 then 'in_progress'
          when via is null then case when ${nowSql} < resolved1 + interval '7 days' then 'resolved' else 'closed' end
          when ${nowSql} < rated1 then 'resolved'
          when sat1 <> 'dissatisfied' then 'closed'
          when ${nowSql} < rated1 + interval '3 days' then 'in_progress'
          when ${nowSql} < rated1 + interval '4 days' then 'resolved'
          else 'closed'
        end as status,
        least(5, floor(r_msgs * 6.8))::int as msgs
      from t3
      offset 0
    )
    select gen_random_uuid() as id, i, created_at, category_code, cat_type, claim_hours, resolve_days, channel, acct, station_id, station_name,
      station_type, district_code, staff_id, dispatched_at, pool_at, claim_due, claimed_at, due, resolved1, rated1, end_at, fate, via, sat1,
      status, msgs, r_misc, r_sat,
      -- the account's id (proxy filings: the placeholder account 0), used by the ticket and its events
      md5('bench-acct:' || coalesce(acct, 0)) as acct_key,
      -- what happened by now
      status not in ('withdrawn', 'invalid', 'pending_dispatch', 'pending_claim') as claimed,
      cat_type is not null or (fate in ('normal', 'stuck') and status <> 'pending_dispatch') as pooled,
      status in ('resolved', 'closed') or (status = 'in_progress' and fate = 'normal' and ${nowSql} >= rated1 and via is not null) as resolved_once,
      via is not null and fate = 'normal' and ${nowSql} >= rated1 as rated_once,
      sat1 = 'dissatisfied' and via is not null and fate = 'normal' and ${nowSql} >= rated1 + interval '3 days' as resolved_twice,
      sat1 = 'dissatisfied' and via is not null and fate = 'normal' and ${nowSql} >= rated1 + interval '4 days' as rated_twice
    from t4`;
}

/** The lifecycle of `count` tickets into the table bench_plan, in equal parts on the given connections at once. */
export async function planTickets(dbs: Sql[], count: number, now: Date): Promise<void> {
  const [db] = dbs as [Sql];
  await db.exec(preparePlan(now));
  const per = Math.ceil(count / dbs.length);
  await Promise.all(dbs.map((d, k) => d.exec(`insert into bench_plan ${planSelect(k * per + 1, Math.min(count, (k + 1) * per), now)}`)));
  await db.exec('analyze bench_plan');
}

/** Drops the plan's tables. */
export async function dropPlan(db: Sql): Promise<void> {
  await db.exec('drop table if exists bench_month, bench_pick, bench_plan');
}

/**
 * The tickets in time order, numbered per day in time order (YS + day + 6 digits, gapless), and the day counters
 * at each day's last number. One sort serves the numbering and the order: the day follows the time.
 */
export async function writeTickets(db: Sql, now: Date): Promise<void> {
  const nowSql = `${lit(now.toISOString())}::timestamptz`;
  const company = arr([
    '北方',
    '鹿城',
    '草原',
    '钢城',
    '黄河',
    '阴山',
    '稀宝',
    '金鼎',
    '华业',
    '恒信',
    '蒙泰',
    '昆仑',
    '天成',
    '宏达',
    '瑞丰',
    '中盛',
    '鑫源',
    '兴达',
    '晨光',
    '远航',
  ]);
  const trade = arr([
    '稀土新材料',
    '钢铁',
    '物流',
    '商贸',
    '能源',
    '建设工程',
    '农牧业',
    '食品',
    '机械制造',
    '软件科技',
    '化工',
    '装饰',
    '餐饮管理',
    '汽车销售',
  ]);
  const form = arr(['有限公司', '有限责任公司', '股份有限公司', '集团有限公司']);
  const topic = arr([
    '合同纠纷案件进度咨询',
    '货款拖欠申请执行',
    '商标被仿冒请求保护',
    '劳动用工合规咨询',
    '厂区周边治安问题',
    '营业执照变更相关证明',
    '行政审批时限过长',
    '涉企案件立案咨询',
    '企业法律体检预约',
    '知识产权侵权线索',
    '工程款结算纠纷',
    '安全生产检查意见',
  ]);
  await db.exec(`
    insert into tickets (id, no, channel, proxy_source, entry_station_id, account_id, enterprise_name, uscc, contact_name, contact_phone,
      district_code, category_code, title, content, status, pool_type, pool_district_code, target_station_id, station_id, assignee_id,
      entered_pool_at, claim_due_at, resolve_due_at, first_entered_pool_at, first_claim_due_at, first_claimed_at, first_resolved_at, first_resolved_on_time,
      first_resolve_due_at, resolved_at, closed_at, reopen_count, supervised, awaiting_supplement, extension_pending_days, extended_days,
      solved, satisfaction, rating_comment, rated_at, rated_via, rated_round, claim_overdue_noted_at, overdue_noted_at, created_at, updated_at)
    select p.id, 'YS' || to_char(d.day, 'YYYYMMDD') || lpad(row_number() over (partition by d.day order by p.created_at, p.i)::text, 6, '0'), p.channel,
      case when p.channel = 'proxy' then (array['恳谈会','开放日','走访','电话'])[1 + (p.i % 4)] end,
      case when p.channel = 'qr' then p.station_id end,
      case when p.acct is not null then p.acct_key::uuid end,
      e.name, '91150' || lpad((coalesce(p.acct, p.i % 80000))::text, 12, '0') || 'X',
      (array['张','王','李','赵','刘','陈','杨','黄'])[1 + (coalesce(p.acct, p.i) % 8)] || (array['经理','总','先生','女士'])[1 + (coalesce(p.acct, p.i) % 4)],
      case when p.acct is not null then '13' || lpad(p.acct::text, 9, '0') else '15' || lpad((p.i % 1000000000)::text, 9, '0') end,
      p.district_code, p.category_code,
      (${topic})[1 + (p.i % 12)],
      '我公司（' || e.name || '）反映：' || (${topic})[1 + (p.i % 12)] || '。具体情况：' || repeat('相关事项已持续一段时间，多次沟通未果，影响企业正常经营，', 1 + (p.i % 3)) || '恳请相关部门依法协调处理。',
      p.status,
      case when p.pooled then p.station_type end,
      case when p.pooled then p.district_code end,
      case when p.status = 'pending_claim' and (p.channel = 'qr' or p.dispatched_at is not null) then p.station_id end,
      case when p.claimed then p.station_id end,
      case when p.claimed then p.staff_id end,
      case when p.pooled then p.pool_at end,
      case when p.pooled then p.claim_due end,
      p.due,
      case when p.pooled then p.pool_at end,
      case when p.pooled then p.claim_due end,
      case when p.claimed then p.claimed_at end,
      case when p.resolved_once then p.resolved1 end,
      case when p.resolved_once then p.resolved1 <= p.due end,
      p.due,
      case when p.status in ('resolved', 'closed') then case when p.resolved_twice then p.rated1 + interval '3 days' else p.resolved1 end end,
      case
        when p.status in ('withdrawn', 'invalid') then p.end_at
        when p.status = 'closed' then case when p.rated_twice then p.rated1 + interval '4 days' when p.rated_once then p.rated1 else p.resolved1 + interval '7 days' end
      end,
      case when p.sat1 = 'dissatisfied' and p.rated_once then 1 else 0 end,
      (p.fate = 'stuck' and p.r_misc < 0.5) or (p.status = 'closed' and p.sat1 = 'dissatisfied' and p.r_misc < 0.1),
      p.status = 'in_progress' and p.r_misc < 0.02,
      case when p.status = 'in_progress' and p.r_misc > 0.99 then 5 end,
      case when p.r_misc between 0.5 and 0.53 then 5 else 0 end,
      case when p.rated_twice then true when p.rated_once then p.sat1 <> 'dissatisfied' or p.r_sat < 0.97 end,
      case when p.rated_twice then 'basically_satisfied' when p.rated_once then p.sat1 end,
      case when p.rated_once and p.r_misc < 0.2 then '办理及时，感谢' end,
      case when p.rated_twice then p.rated1 + interval '4 days' when p.rated_once then p.rated1 end,
      case when p.rated_once then p.via end,
      case when p.rated_twice then 1 when p.rated_once then 0 end,
      case when p.claimed_at > p.claim_due and (p.claimed or p.status = 'pending_claim') and p.claim_due < ${nowSql} then p.claim_due end,
      case when p.due < ${nowSql} and (p.status in ('pending_dispatch','pending_claim','in_progress') or p.resolved1 > p.due) then p.due end,
      p.created_at, greatest(p.created_at, least(${nowSql}, coalesce(p.rated1, p.resolved1)))
    from bench_plan p
    cross join lateral (select (p.created_at at time zone 'Asia/Shanghai')::date as day) d
    cross join lateral (select
      (${company})[1 + (coalesce(p.acct, p.i) * 7 % 20)] || (${trade})[1 + (coalesce(p.acct, p.i) * 13 % 14)] || (${form})[1 + (coalesce(p.acct, p.i) % 4)] as name) e
    order by d.day, p.created_at, p.i;

    insert into ticket_counters (day, last)
    select substr(no, 3, 8), max(substr(no, 11, 6)::int) from tickets group by 1
    on conflict (day) do update set last = greatest(ticket_counters.last, excluded.last);
  `);
}

/** A constant jsonb value: written as a literal, it is built once per statement rather than once per row. */
const json = (value: unknown) => `${lit(JSON.stringify(value))}::jsonb`;

/**
 * The events a ticket can have, in lifecycle order: when (null: it has not happened, or not yet) and what it
 * says. Columns left out are null.
 */
function eventSlots(nowSql: string): EventSlot[] {
  const acct = 'p.acct_key';
  const staff = { actorKind: "'staff'", actorId: 'p.staff_id::text', actorName: "'站长'", actorStationId: 'p.station_id' };
  const system = { actorKind: "'system'" };
  const message = (at: number, visibility: string, content: string, by = staff) => ({
    at: `case when p.claimed and p.msgs >= ${at} then p.claimed_at + (least(p.resolved1, ${nowSql}) - p.claimed_at) * ${[0, 0.15, 0.3, 0.45, 0.6, 0.75][at]} end`,
    type: "'message'",
    ...by,
    visibility: lit(visibility),
    data: json({ content, attachmentIds: [] }),
  });
  return [
    {
      at: 'p.created_at',
      type: "'submitted'",
      actorKind: "case when p.channel = 'proxy' then 'staff' else 'enterprise' end",
      actorId: 'case when p.acct is not null then p.acct_key end',
      visibility: "'public'",
      data: `jsonb_build_object('channel', p.channel, 'status', case when p.cat_type is null then 'pending_dispatch' else 'pending_claim' end,
          'poolType', p.cat_type, 'resolveDueAt', p.due)`,
    },
    {
      at: 'case when p.pooled then p.dispatched_at end',
      type: "'dispatched'",
      actorKind: "'staff'",
      actorId: "'center'",
      actorName: "'市综治中心调度员'",
      visibility: "'public'",
      data: "jsonb_build_object('toStationId', p.station_id, 'toStationName', p.station_name)",
    },
    {
      at: `case when p.claim_due < p.claimed_at and p.claim_due < ${nowSql} and (p.claimed or p.status = 'pending_claim') then p.claim_due end`,
      type: "'claim_overdue'",
      ...system,
      visibility: "'internal'",
      data: json({}),
    },
    {
      at: 'case when p.claimed then p.claimed_at end',
      type: "'claimed'",
      ...staff,
      visibility: "'public'",
      data: "jsonb_build_object('stationId', p.station_id, 'stationName', p.station_name)",
    },
    message(1, 'public', '已收到诉求，正在联系相关部门核实情况。'),
    message(2, 'internal', '已与承办庭室沟通，等待书面答复。'),
    message(3, 'public', '请问目前进展如何？', { actorKind: "'enterprise'", actorId: acct, actorName: 'null', actorStationId: 'null' }),
    message(4, 'public', '已督促承办部门加快办理，预计近期给予答复。'),
    message(5, 'internal', '答复意见已起草，待负责人审核。'),
    {
      at: `case when p.due < ${nowSql} and (p.status in ('pending_dispatch','pending_claim','in_progress') or p.resolved1 > p.due) then p.due end`,
      type: "'overdue'",
      ...system,
      visibility: "'internal'",
      data: json({}),
    },
    {
      at: 'case when p.resolved_once then p.resolved1 end',
      type: "'resolved'",
      ...staff,
      visibility: "'public'",
      data: json({ result: '经核实，已依法协调有关部门处理完毕，并向企业当面反馈。', legalBasis: '《优化营商环境条例》', attachmentIds: [] }),
    },
    {
      at: 'case when p.rated_once then p.rated1 end',
      type: "case when p.via = 'visit' then 'visited' else 'rated' end",
      actorKind: "case when p.via = 'visit' then 'staff' else 'enterprise' end",
      actorId: `case when p.via = 'visit' then 'center' else ${acct} end`,
      visibility: "case when p.via = 'visit' then 'internal' else 'public' end",
      data: `case ${['satisfied', 'basically_satisfied', 'dissatisfied']
        .flatMap((sat) =>
          ['online', 'visit'].map(
            (via) => `when p.sat1 = '${sat}' and p.via = '${via}' then ${json({ solved: sat !== 'dissatisfied', satisfaction: sat, via, round: 0 })}`,
          ),
        )
        .join(' ')} end`,
    },
    {
      at: "case when p.rated_once and p.sat1 = 'dissatisfied' then p.rated1 end",
      type: "'reopened'",
      ...system,
      visibility: "'public'",
      data: json({ reason: 'dissatisfied' }),
    },
    {
      at: "case when p.resolved_twice then p.rated1 + interval '3 days' end",
      type: "'resolved'",
      ...staff,
      visibility: "'public'",
      data: json({ result: '针对企业意见再次协调，问题已解决。', legalBasis: null, attachmentIds: [] }),
    },
    {
      at: "case when p.rated_twice then p.rated1 + interval '4 days' end",
      type: "'rated'",
      actorKind: "'enterprise'",
      actorId: acct,
      visibility: "'public'",
      data: json({ solved: true, satisfaction: 'basically_satisfied', via: 'online', round: 1 }),
    },
    {
      at: `case when p.status = 'closed' then case when p.rated_twice then p.rated1 + interval '4 days' when p.rated_once then p.rated1
          else p.resolved1 + interval '7 days' end end`,
      type: "'closed'",
      ...system,
      visibility: "'public'",
      data: `case when p.rated_twice or p.rated_once then ${json({ reason: 'rated' })} else ${json({ reason: 'unrated_timeout' })} end`,
    },
    {
      at: "case when p.status = 'withdrawn' then p.end_at end",
      type: "'withdrawn'",
      actorKind: "'enterprise'",
      actorId: acct,
      visibility: "'public'",
      data: json({ reason: '问题已自行解决' }),
    },
    {
      at: "case when p.status = 'invalid' then p.end_at end",
      type: "'invalidated'",
      actorKind: "'staff'",
      actorId: "'center'",
      actorName: "'市综治中心调度员'",
      visibility: "'internal'",
      data: json({ reason: '重复提交' }),
    },
  ];
}

interface EventSlot {
  at: string;
  type: string;
  actorKind: string;
  actorId?: string;
  actorName?: string;
  actorStationId?: string;
  visibility: string;
  data: string;
}

/**
 * The events, ids in time order (ties by ticket, then lifecycle order), written in that order. Only the time of
 * each possible event is sorted (7.9 M narrow rows); what an event says is built after the sort, for the events
 * that happened, from the ticket's plan row: the plan is hashed and the sorted events stream through the join in
 * their order.
 */
export async function writeEvents(db: Sql, now: Date): Promise<void> {
  const nowSql = `${lit(now.toISOString())}::timestamptz`;
  const slots = eventSlots(nowSql);
  const column = (key: Exclude<keyof EventSlot, 'at'>) =>
    `case e.seq ${slots.flatMap((s, k) => (s[key] && s[key] !== 'null' ? [`when ${k + 1} then ${s[key]}`] : [])).join(' ')} end`;
  // the ids are given here, after the last one there is; the id sequence then continues after the last one written
  await db.exec(`
    do $$ declare base bigint := (select coalesce(max(id), 0) from ticket_events); n bigint; begin
    insert into ticket_events (id, ticket_id, type, actor_kind, actor_id, actor_name, actor_station_id, visibility, data, created_at)
    select e.id, p.id, ${column('type')}, ${column('actorKind')}, ${column('actorId')}, ${column('actorName')}, ${column('actorStationId')},
      ${column('visibility')}, ${column('data')}, e.at
    from (
      select base + row_number() over (order by v.at, p.i, v.seq) as id, p.i, v.seq, v.at
      from bench_plan p
      cross join lateral unnest(array[${slots.map((s) => s.at).join(',\n        ')}]) with ordinality as v(at, seq)
      where v.at is not null and v.at <= ${nowSql}
    ) e
    join bench_plan p on p.i = e.i;
    get diagnostics n = row_count;
    perform setval(pg_get_serial_sequence('ticket_events', 'id'), greatest(base + n, 1), base + n > 0);
    end $$;
  `);
}

/** Attachment rows from the events: ~20 % of tickets carry a photo with the submission, half of those a PDF with the answer. */
export async function writeAttachments(db: Sql): Promise<void> {
  await db.exec(`
    insert into attachments (owner_kind, owner_id, ticket_id, event_id, storage_key, original_name, mime, size, sha256, created_at)
    select case when e.type = 'submitted' then 'enterprise' else 'staff' end, coalesce(e.actor_id, 'system'), e.ticket_id, e.id,
      'bench/' || e.id, case when e.type = 'submitted' then '现场照片.jpg' else '答复意见书.pdf' end,
      case when e.type = 'submitted' then 'image/jpeg' else 'application/pdf' end, 150000 + (e.id % 500000)::int, md5(e.id::text) || md5(e.ticket_id::text),
      e.created_at
    from ticket_events e
    where (e.type = 'submitted' and abs(hashtext(e.ticket_id::text)) % 5 = 0)
       or (e.type = 'resolved' and abs(hashtext(e.ticket_id::text)) % 10 = 0);
  `);
}
