-- The colour rule of DESIGN §4 (tickets/repo.ts colorSql; the TypeScript twin is ticketColor in @ys/shared) and the
-- urgency rank it gives, as SQL functions of a ticket's columns and the moment asked about. PostgreSQL inlines them
-- (a single expression of their arguments), so a list or a figure runs the same expression as before; the
-- statements that use them carry a few words and one time each instead of the whole rule, four times over.
CREATE FUNCTION ticket_color(status varchar, created_at timestamptz, resolve_due_at timestamptz, claim_due_at timestamptz, at_time timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN status NOT IN ('pending_dispatch', 'pending_claim', 'in_progress') THEN NULL
    WHEN at_time > resolve_due_at THEN 'red'
    WHEN coalesce(extract(epoch FROM (at_time - created_at)) / nullif(extract(epoch FROM (resolve_due_at - created_at)), 0), 1) >= 0.8
      OR (status = 'pending_claim' AND at_time > claim_due_at) THEN 'orange'
    WHEN coalesce(extract(epoch FROM (at_time - created_at)) / nullif(extract(epoch FROM (resolve_due_at - created_at)), 0), 1) >= 0.5 THEN 'yellow'
    ELSE 'green' END
$$;--> statement-breakpoint
CREATE FUNCTION ticket_color_rank(status varchar, created_at timestamptz, resolve_due_at timestamptz, claim_due_at timestamptz, at_time timestamptz) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE ticket_color(status, created_at, resolve_due_at, claim_due_at, at_time)
    WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2 WHEN 'green' THEN 3 ELSE 4 END
$$;
