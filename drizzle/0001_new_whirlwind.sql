CREATE TABLE "rating_link_uses" (
	"link_id" varchar(40) PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"used_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rating_link_uses" ADD CONSTRAINT "rating_link_uses_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;