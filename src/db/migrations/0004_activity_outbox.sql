CREATE TABLE "activity_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"payload" json NOT NULL,
	"records" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
