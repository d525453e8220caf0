-- A station's history length counted once per statement instead of once per row: a claim still appends one row,
-- and a statement that adds or removes many rows (the rebuild below: ~1 M at city scale) appends one per station,
-- not one per row. No row is updated, as before.
DROP TRIGGER station_tickets_counts ON station_tickets;--> statement-breakpoint
DROP FUNCTION station_history_counts_track();--> statement-breakpoint
CREATE FUNCTION station_history_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO station_history_counts (station_id, n) SELECT station_id, count(*) FROM added GROUP BY 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION station_history_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO station_history_counts (station_id, n) SELECT station_id, -count(*) FROM removed GROUP BY 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER station_tickets_counts_added AFTER INSERT ON station_tickets REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION station_history_counts_added();--> statement-breakpoint
CREATE TRIGGER station_tickets_counts_removed AFTER DELETE ON station_tickets REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION station_history_counts_removed();
