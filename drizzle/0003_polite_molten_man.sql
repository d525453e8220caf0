CREATE TABLE "ticket_stats" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"month" date NOT NULL,
	"district_code" varchar(6) NOT NULL,
	"holder" uuid NOT NULL,
	"pool_type" varchar(20) NOT NULL,
	"category_code" varchar(32) NOT NULL,
	"channel" varchar(8) NOT NULL,
	"received" integer NOT NULL,
	"effective" integer NOT NULL,
	"response_on_time" integer NOT NULL,
	"response_due" integer NOT NULL,
	"completed" integer NOT NULL,
	"resolved" integer NOT NULL,
	"resolved_on_time" integer NOT NULL,
	"rated" integer NOT NULL,
	"solved" integer NOT NULL,
	"satisfied" integer NOT NULL,
	"basically_satisfied" integer NOT NULL,
	"claimed" integer NOT NULL,
	"claim_seconds" numeric NOT NULL,
	"resolve_seconds" numeric NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_resolved_on_time" boolean;--> statement-breakpoint
CREATE INDEX "ticket_stats_grain_month_idx" ON "ticket_stats" USING btree ("category_code","month");--> statement-breakpoint
CREATE INDEX "tickets_live_idx" ON "tickets" USING btree ("created_at") WHERE "tickets"."status" in ('pending_dispatch', 'pending_claim', 'in_progress') or ("tickets"."first_entered_pool_at" is not null and "tickets"."first_claimed_at" is null and "tickets"."status" not in ('withdrawn', 'invalid'));--> statement-breakpoint
-- The first resolution's on-time flag, kept on the ticket from now on; until now it was read from the first resolved event.
UPDATE "tickets" t SET "first_resolved_on_time" = coalesce(
  (SELECT (e.data->>'onTime')::boolean FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'resolved' ORDER BY e.id LIMIT 1),
  t.first_resolved_at <= t.resolve_due_at)
WHERE t.first_resolved_at IS NOT NULL;--> statement-breakpoint
-- Settled: not live (tickets/list.ts measure.live, the predicate of tickets_live_idx): no figure of the ticket depends on the clock.
CREATE FUNCTION ticket_stats_settled(t tickets) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT NOT (t.status IN ('pending_dispatch', 'pending_claim', 'in_progress')
    OR (t.first_entered_pool_at IS NOT NULL AND t.first_claimed_at IS NULL AND t.status NOT IN ('withdrawn', 'invalid')))
$$;--> statement-breakpoint
-- One settled ticket's contribution to the figures (times s), by the predicates of tickets/list.ts `measure`: a
-- fine row (every dimension) and a coarse one (category and channel '*': what most requests need, ~20× fewer rows).
CREATE FUNCTION ticket_stats_of(t tickets, s integer) RETURNS TABLE (
  month date, district_code varchar, holder uuid, pool_type varchar, category_code varchar, channel varchar,
  received integer, effective integer, response_on_time integer, response_due integer, completed integer, resolved integer,
  resolved_on_time integer, rated integer, solved integer, satisfied integer, basically_satisfied integer, claimed integer,
  claim_seconds numeric, resolve_seconds numeric
) LANGUAGE sql STABLE AS $$
  SELECT date_trunc('month', t.created_at AT TIME ZONE 'Asia/Shanghai')::date, t.district_code,
    coalesce(t.station_id, t.target_station_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(t.pool_type, ''),
    g.category_code, g.channel,
    s,
    s * (t.status NOT IN ('withdrawn', 'invalid'))::int,
    s * (r.response = 'on_time')::int,
    s * (r.response IN ('on_time', 'late'))::int,
    s * (t.status NOT IN ('withdrawn', 'invalid') AND (t.status = 'resolved' OR (t.status = 'closed' AND t.first_resolved_at IS NOT NULL)))::int,
    s * (t.first_resolved_at IS NOT NULL)::int,
    s * coalesce(t.first_resolved_at IS NOT NULL AND coalesce(t.first_resolved_on_time, t.first_resolved_at <= t.resolve_due_at), false)::int,
    s * (t.satisfaction IS NOT NULL)::int,
    s * coalesce(t.satisfaction IS NOT NULL AND t.solved, false)::int,
    s * coalesce(t.satisfaction = 'satisfied', false)::int,
    s * coalesce(t.satisfaction = 'basically_satisfied', false)::int,
    s * (t.first_claimed_at IS NOT NULL)::int,
    s * coalesce(extract(epoch FROM (t.first_claimed_at - t.created_at)), 0),
    s * coalesce(extract(epoch FROM (t.first_resolved_at - t.created_at)), 0)
  FROM (SELECT CASE
    WHEN t.first_entered_pool_at IS NULL THEN 'none'
    WHEN t.first_claimed_at IS NOT NULL AND t.first_claimed_at <= t.first_claim_due_at THEN 'on_time'
    WHEN t.first_claimed_at IS NOT NULL THEN 'late'
    WHEN t.first_claim_due_at < t.closed_at THEN 'late'
    ELSE 'not_due' END AS response) r,
    (VALUES (t.category_code, t.channel), ('*', '*')) g (category_code, channel)
$$;--> statement-breakpoint
-- Every change of a settled ticket's contribution, as rows appended to ticket_stats: -1 × before, +1 × after.
CREATE FUNCTION ticket_stats_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND ticket_stats_settled(OLD) THEN
    IF TG_OP = 'UPDATE' AND ticket_stats_settled(NEW)
      AND ARRAY(SELECT c FROM ticket_stats_of(OLD, 1) c) IS NOT DISTINCT FROM ARRAY(SELECT c FROM ticket_stats_of(NEW, 1) c) THEN
      RETURN NULL;
    END IF;
    INSERT INTO ticket_stats (month, district_code, holder, pool_type, category_code, channel, received, effective, response_on_time,
      response_due, completed, resolved, resolved_on_time, rated, solved, satisfied, basically_satisfied, claimed, claim_seconds, resolve_seconds)
    SELECT * FROM ticket_stats_of(OLD, -1);
  END IF;
  IF TG_OP <> 'DELETE' AND ticket_stats_settled(NEW) THEN
    INSERT INTO ticket_stats (month, district_code, holder, pool_type, category_code, channel, received, effective, response_on_time,
      response_due, completed, resolved, resolved_on_time, rated, solved, satisfied, basically_satisfied, claimed, claim_seconds, resolve_seconds)
    SELECT * FROM ticket_stats_of(NEW, 1);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Sums the rows of each group that has several into one (rows netting to nothing go): returns how many rows it merged.
CREATE FUNCTION ticket_stats_compact() RETURNS integer LANGUAGE sql AS $$
  WITH groups AS (
    SELECT month, district_code, holder, pool_type, category_code, channel FROM ticket_stats
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) > 1
  ), moved AS (
    DELETE FROM ticket_stats s USING groups g
    WHERE s.month = g.month AND s.district_code = g.district_code AND s.holder = g.holder AND s.pool_type = g.pool_type
      AND s.category_code = g.category_code AND s.channel = g.channel
    RETURNING s.*
  ), merged AS (
    INSERT INTO ticket_stats (month, district_code, holder, pool_type, category_code, channel, received, effective, response_on_time,
      response_due, completed, resolved, resolved_on_time, rated, solved, satisfied, basically_satisfied, claimed, claim_seconds, resolve_seconds)
    SELECT month, district_code, holder, pool_type, category_code, channel, sum(received), sum(effective), sum(response_on_time),
      sum(response_due), sum(completed), sum(resolved), sum(resolved_on_time), sum(rated), sum(solved), sum(satisfied),
      sum(basically_satisfied), sum(claimed), sum(claim_seconds), sum(resolve_seconds)
    FROM moved GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(received) <> 0
    RETURNING 1
  )
  SELECT count(*)::int FROM moved
$$;--> statement-breakpoint
-- The rollup from the tickets alone (after a bulk load with triggers off, or to check it).
CREATE FUNCTION ticket_stats_rebuild() RETURNS integer LANGUAGE sql AS $$
  DELETE FROM ticket_stats;
  INSERT INTO ticket_stats (month, district_code, holder, pool_type, category_code, channel, received, effective, response_on_time,
    response_due, completed, resolved, resolved_on_time, rated, solved, satisfied, basically_satisfied, claimed, claim_seconds, resolve_seconds)
  SELECT c.month, c.district_code, c.holder, c.pool_type, c.category_code, c.channel, sum(c.received), sum(c.effective),
    sum(c.response_on_time), sum(c.response_due), sum(c.completed), sum(c.resolved), sum(c.resolved_on_time), sum(c.rated),
    sum(c.solved), sum(c.satisfied), sum(c.basically_satisfied), sum(c.claimed), sum(c.claim_seconds), sum(c.resolve_seconds)
  FROM tickets t, ticket_stats_of(t, 1) c
  WHERE ticket_stats_settled(t)
  GROUP BY 1, 2, 3, 4, 5, 6;
  SELECT count(*)::int FROM ticket_stats
$$;--> statement-breakpoint
SELECT ticket_stats_rebuild();--> statement-breakpoint
CREATE TRIGGER tickets_stats AFTER INSERT OR UPDATE OR DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION ticket_stats_track();
