-- Every statement that changes users or stations says so on the channel staff_changed (the table's name as payload),
-- delivered when its transaction commits. The auth hook keeps the staff rows it reads in memory on PGlite and drops
-- them on this signal (plugins/auth.ts); on PostgreSQL nothing listens and it reads the row on every request.
CREATE FUNCTION staff_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('staff_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER users_staff_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION staff_changed_notify();--> statement-breakpoint
CREATE TRIGGER stations_staff_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stations
  FOR EACH STATEMENT EXECUTE FUNCTION staff_changed_notify();
