CREATE TABLE "station_tickets" (
	"station_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"open" boolean NOT NULL,
	CONSTRAINT "station_tickets_station_id_ticket_id_pk" PRIMARY KEY("station_id","ticket_id")
);
--> statement-breakpoint
DROP INDEX "ticket_events_actor_station_idx";--> statement-breakpoint
ALTER TABLE "station_tickets" ADD CONSTRAINT "station_tickets_station_id_stations_id_fk" FOREIGN KEY ("station_id") REFERENCES "public"."stations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "station_tickets" ADD CONSTRAINT "station_tickets_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "station_tickets_ticket_idx" ON "station_tickets" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "station_tickets_open_idx" ON "station_tickets" USING btree ("station_id","ticket_id") WHERE "station_tickets"."open";--> statement-breakpoint
-- A station's first event on a ticket adds the ticket to the station's history. The ticket's row is read FOR SHARE:
-- a status change in flight commits first (and `open` is read after it), or waits for this one (and then sees the row).
CREATE FUNCTION station_tickets_track_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO station_tickets (station_id, ticket_id, open)
  SELECT NEW.actor_station_id, t.id, t.status IN ('pending_dispatch', 'pending_claim', 'in_progress')
  FROM (SELECT id, status FROM tickets WHERE id = NEW.ticket_id FOR SHARE) t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER ticket_events_station_tickets AFTER INSERT ON ticket_events FOR EACH ROW
  WHEN (NEW.actor_station_id IS NOT NULL) EXECUTE FUNCTION station_tickets_track_event();--> statement-breakpoint
-- A ticket that opens or settles moves in the history of every station that acted on it.
CREATE FUNCTION station_tickets_track_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE station_tickets SET open = NEW.status IN ('pending_dispatch', 'pending_claim', 'in_progress')
  WHERE ticket_id = NEW.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER tickets_station_tickets AFTER UPDATE OF status ON tickets FOR EACH ROW
  WHEN ((OLD.status IN ('pending_dispatch', 'pending_claim', 'in_progress')) IS DISTINCT FROM (NEW.status IN ('pending_dispatch', 'pending_claim', 'in_progress')))
  EXECUTE FUNCTION station_tickets_track_status();--> statement-breakpoint
-- The histories from the events alone (after a bulk load with triggers off, or to check them).
CREATE FUNCTION station_tickets_rebuild() RETURNS integer LANGUAGE sql AS $$
  DELETE FROM station_tickets;
  INSERT INTO station_tickets (station_id, ticket_id, open)
  SELECT h.station_id, h.ticket_id, t.status IN ('pending_dispatch', 'pending_claim', 'in_progress')
  FROM (SELECT DISTINCT actor_station_id AS station_id, ticket_id FROM ticket_events WHERE actor_station_id IS NOT NULL) h
  JOIN tickets t ON t.id = h.ticket_id;
  SELECT count(*)::int FROM station_tickets
$$;--> statement-breakpoint
SELECT station_tickets_rebuild();
