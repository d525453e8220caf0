-- The times an open ticket turns yellow (half its time gone) and orange (four fifths gone, or its claim overdue while
-- it waits in a pool): the colour rule of tickets/repo.ts colorSql as two instants. Epoch seconds keep them independent
-- of the time zone, so they may be indexed (IMMUTABLE); the list uses them to narrow a colour filter to a range and
-- still decides every colour with colorSql itself.
CREATE FUNCTION ticket_yellow_at(created_at timestamptz, resolve_due_at timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_timestamp(extract(epoch FROM created_at) + 0.5 * (extract(epoch FROM resolve_due_at) - extract(epoch FROM created_at)))
$$;--> statement-breakpoint
CREATE FUNCTION ticket_orange_at(status varchar, created_at timestamptz, resolve_due_at timestamptz, claim_due_at timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT least(to_timestamp(extract(epoch FROM created_at) + 0.8 * (extract(epoch FROM resolve_due_at) - extract(epoch FROM created_at))),
    CASE WHEN status = 'pending_claim' THEN to_timestamp(extract(epoch FROM claim_due_at) + 0.000001) END)
$$;--> statement-breakpoint
CREATE INDEX "tickets_yellow_at_idx" ON "tickets" USING btree (ticket_yellow_at("created_at", "resolve_due_at")) WHERE "tickets"."status" in ('pending_dispatch', 'pending_claim', 'in_progress');--> statement-breakpoint
CREATE INDEX "tickets_orange_at_idx" ON "tickets" USING btree (ticket_orange_at("status", "created_at", "resolve_due_at", "claim_due_at")) INCLUDE ("status", "created_at", "resolve_due_at", "claim_due_at", "id") WHERE "tickets"."status" in ('pending_dispatch', 'pending_claim', 'in_progress');