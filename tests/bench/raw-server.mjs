/**
 * The raw ceiling: a minimal Fastify server doing the same database work as the product's routes and
 * nothing else — no auth, no validation, no ORM, no response schema.
 *   POST /insert     one INSERT of a ticket row (same table, same indexes)
 *   GET  /select     one indexed SELECT of 20 ticket rows
 *   GET  /aggregate  the naive full-scan aggregate of the figures, grouped by station
 * DATABASE_URL → postgres.js with DATABASE_POOL_SIZE connections; else PGlite in DATA_DIR/pgdata.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(path.join(root, 'apps/api/package.json'));
const { default: Fastify } = await import(require.resolve('fastify'));

const url = process.env.DATABASE_URL;
let query;
if (url) {
  const { default: postgres } = await import(require.resolve('postgres'));
  const sql = postgres(url, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), onnotice: () => {} });
  query = (text, params) => sql.unsafe(text, params, { prepare: true });
} else {
  const { PGlite } = await import(require.resolve('@electric-sql/pglite'));
  const pg = await PGlite.create({ dataDir: path.join(process.env.DATA_DIR, 'pgdata') });
  query = async (text, params) => (await pg.query(text, params)).rows;
}

const [{ district, category }] = await query(`select district_code as district, category_code as category from tickets order by created_at desc limit 1`);
const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
let seq = 0;
const tag = String(process.pid % 10_000).padStart(4, '0');

const app = Fastify({ logger: false });

app.post('/insert', async () => {
  seq += 1;
  const no = `RW${tag}${String(seq).padStart(10, '0')}`;
  const [row] = await query(
    `insert into tickets (no, channel, enterprise_name, uscc, contact_name, contact_phone, district_code, category_code, title, content, status,
       resolve_due_at, first_resolve_due_at)
     values ($1, 'h5', '包头市稀宝新材料有限公司', '91150207MA0N1234X1', '张经理', '13800000000', $2, $3, '合同纠纷案件进度咨询', '基准测试', 'pending_dispatch',
       now() + interval '10 days', now() + interval '10 days')
     returning id, no`,
    [no, district, category],
  );
  return row;
});

app.get('/select', async () =>
  query(
    `select id, no, channel, status, title, enterprise_name, district_code, category_code, station_id, assignee_id, target_station_id,
       pool_type, pool_district_code, claim_due_at, resolve_due_at, created_at, resolved_at, closed_at, supervised, awaiting_supplement,
       extension_pending_days, reopen_count, satisfaction
     from tickets where district_code = $1 and created_at >= $2 order by created_at limit 20`,
    [district, from],
  ),
);

app.get('/aggregate', async () =>
  query(`
    select station_id,
      count(*) as received,
      count(*) filter (where status not in ('withdrawn', 'invalid')) as effective,
      count(*) filter (where first_claimed_at is not null and first_claimed_at <= first_claim_due_at) as claimed_on_time,
      count(*) filter (where first_resolved_at is not null and status not in ('withdrawn', 'invalid')) as completed,
      count(*) filter (where first_resolved_at <= first_resolve_due_at) as on_time,
      count(*) filter (where satisfaction is not null) as rated,
      count(*) filter (where satisfaction in ('satisfied', 'basically_satisfied')) as satisfied,
      count(*) filter (where status in ('pending_dispatch', 'pending_claim', 'in_progress') and resolve_due_at < now()) as overdue_open,
      avg(extract(epoch from first_claimed_at - created_at) / 3600) as avg_claim_hours,
      avg(extract(epoch from first_resolved_at - created_at) / 3600) as avg_resolve_hours
    from tickets group by station_id`),
);

app.get('/readyz', async () => ({ status: 'ready' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3199) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
