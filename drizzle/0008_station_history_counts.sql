CREATE TABLE "station_history_counts" (
	"station_id" uuid NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "station_history_counts" ADD CONSTRAINT "station_history_counts_station_id_stations_id_fk" FOREIGN KEY ("station_id") REFERENCES "public"."stations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "station_history_counts_station_idx" ON "station_history_counts" USING btree ("station_id","n");--> statement-breakpoint
-- Each row added to or taken from a station's history appends +1 or −1 for the station: no row is updated, so two
-- claims by one station never wait for each other's count.
CREATE FUNCTION station_history_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO station_history_counts (station_id, n) VALUES (NEW.station_id, 1);
  ELSE
    INSERT INTO station_history_counts (station_id, n) VALUES (OLD.station_id, -1);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER station_tickets_counts AFTER INSERT OR DELETE ON station_tickets FOR EACH ROW EXECUTE FUNCTION station_history_counts_track();--> statement-breakpoint
-- The sweep's merge: each station's rows summed into one (rows a transaction appends meanwhile stay as they are).
CREATE FUNCTION station_history_counts_compact() RETURNS integer LANGUAGE sql AS $$
  WITH many AS (
    SELECT station_id FROM station_history_counts GROUP BY 1 HAVING count(*) > 1
  ), moved AS (
    DELETE FROM station_history_counts c USING many m WHERE c.station_id = m.station_id RETURNING c.*
  ), merged AS (
    INSERT INTO station_history_counts (station_id, n) SELECT station_id, sum(n) FROM moved GROUP BY 1 HAVING sum(n) <> 0 RETURNING 1
  )
  SELECT count(*)::int FROM moved
$$;--> statement-breakpoint
-- The histories from the events alone (after a bulk load with triggers off, or to check them), and their lengths.
CREATE OR REPLACE FUNCTION station_tickets_rebuild() RETURNS integer LANGUAGE sql AS $$
  DELETE FROM station_tickets;
  INSERT INTO station_tickets (station_id, ticket_id, open)
  SELECT h.station_id, h.ticket_id, t.status IN ('pending_dispatch', 'pending_claim', 'in_progress')
  FROM (SELECT DISTINCT actor_station_id AS station_id, ticket_id FROM ticket_events WHERE actor_station_id IS NOT NULL) h
  JOIN tickets t ON t.id = h.ticket_id;
  DELETE FROM station_history_counts;
  INSERT INTO station_history_counts (station_id, n) SELECT station_id, count(*) FROM station_tickets GROUP BY 1;
  SELECT count(*)::int FROM station_tickets
$$;--> statement-breakpoint
INSERT INTO station_history_counts (station_id, n) SELECT station_id, count(*) FROM station_tickets GROUP BY 1;
