/**
 * The enterprise's SMS through an outbox: rows are inserted in the transaction of the event that causes
 * them (at most one per event: the dedupe key), and a background dispatcher sends them, so that a slow or
 * failing gateway never blocks a request. Failures are retried with backoff and recorded; several
 * instances share the work through FOR UPDATE SKIP LOCKED and a lease on the rows they took.
 */

import { type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SmsMessage } from '../public/sms.ts';
import { ratingLinkExpiry, ratingLinkUrl, signRatingLink } from './rating-link.ts';
import { timestamp } from './recipients.ts';

export type SmsTemplate = Exclude<SmsMessage['template'], 'otp'>;

export const SMS_MAX_ATTEMPTS = 6;
/** How long a dispatcher holds the rows it took before another instance may retry them. */
const LEASE_MS = 120_000;
const BATCH = 20;
const POLL_MS = 2000;

/** 30 s, 1 min, 2 min, … up to an hour. */
export const backoffMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/**
 * One SMS to the ticket's contact phone, unless one with this key exists: the INSERT, to run beside the event's
 * (params and key as SQL, since they may name the event's id; the ticket read from `ticketsFrom`).
 */
export function enqueueSmsSql(ticketId: SQL, template: SmsTemplate, params: SQL, dedupeKey: SQL, at: Date | SQL, ticketsFrom: SQL = sql`tickets`): SQL {
  return sql`insert into sms_outbox (phone, template, params, dedupe_key, status, attempts, next_attempt_at, created_at)
    select t.contact_phone, ${template}, jsonb_build_object('no', t.no) || ${params}, ${dedupeKey}, 'pending', 0,
      ${timestamp(at)}, ${timestamp(at)}
    from ${ticketsFrom} t where t.id = ${ticketId}
    on conflict (dedupe_key) do nothing`;
}

interface OutboxRow extends Record<string, unknown> {
  id: number;
  phone: string;
  template: SmsTemplate;
  params: Record<string, string>;
  attempts: number;
}

/** The message as the gateway gets it: the resolved SMS gains its signed rating link here (secrets never sit in the table). */
function messageOf(app: FastifyInstance, row: OutboxRow): SmsMessage {
  const { linkEventId, linkIssuedAt, ...params } = row.params;
  if (row.template === 'resolved' && linkEventId && linkIssuedAt) {
    const token = signRatingLink(app.config.jwtSecret, { eventId: Number(linkEventId), expiresAt: ratingLinkExpiry(new Date(linkIssuedAt)) });
    params.link = ratingLinkUrl(app.config.publicBaseUrl, token);
  }
  return { phone: row.phone, template: row.template, params };
}

export interface DeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

/** Takes due rows (skipping those another instance holds), sends them, and records the outcome of each. */
export async function deliverSmsOutbox(app: FastifyInstance): Promise<DeliveryResult> {
  const now = app.now();
  const at = sql`${now.toISOString()}::timestamptz`;
  const rows = await app.db.rows<OutboxRow>(sql`
    update sms_outbox o set attempts = o.attempts + 1, next_attempt_at = ${new Date(now.getTime() + LEASE_MS).toISOString()}::timestamptz
    from (select id from sms_outbox where status = 'pending' and next_attempt_at <= ${at} order by next_attempt_at, id limit ${BATCH} for update skip locked) due
    where o.id = due.id
    returning o.id, o.phone, o.template, o.params, o.attempts`);
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
  await Promise.all(
    rows.map(async (row) => {
      try {
        await app.sms.send(messageOf(app, row));
        await app.db.rows(sql`update sms_outbox set status = 'sent', sent_at = ${at}, last_error = null where id = ${row.id} and attempts = ${row.attempts}`);
        result.sent++;
      } catch (err) {
        const lastError = String((err as Error)?.message ?? err).slice(0, 500);
        const giveUp = row.attempts >= SMS_MAX_ATTEMPTS;
        await app.db.rows(sql`update sms_outbox set status = ${giveUp ? 'failed' : 'pending'}, last_error = ${lastError},
          next_attempt_at = ${new Date(now.getTime() + backoffMs(row.attempts)).toISOString()}::timestamptz
          where id = ${row.id} and attempts = ${row.attempts}`);
        if (giveUp) result.failed++;
        else result.retried++;
      }
    }),
  );
  return result;
}

/** Runs the dispatcher every few seconds while the app is up (with the sweep: SWEEP_INTERVAL_SECONDS=0 turns both off). */
export default fp(
  async function smsOutbox(app: FastifyInstance) {
    if (app.config.sweepIntervalSeconds <= 0) return;
    let running: Promise<unknown> | null = null;
    let timer: NodeJS.Timeout | null = null;
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        if (running) return;
        running = deliverSmsOutbox(app)
          .catch((err) => app.log.error({ err }, 'SMS outbox delivery failed'))
          .finally(() => {
            running = null;
          });
      }, POLL_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
      await running;
    });
  },
  { name: 'sms-outbox', dependencies: ['db'] },
);
