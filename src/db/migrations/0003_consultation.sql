CREATE TABLE "diagnosis_consultation_events" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"request_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor_user_id" text,
	"actor_name" text NOT NULL,
	"reason" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "diagnosis_consultation_experts" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"user_id" text NOT NULL,
	"reader_id" text NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"specialty" text,
	"state" text DEFAULT 'invited' NOT NULL,
	"reason" text,
	"invited_by" text,
	"invited_by_name" text NOT NULL,
	"invited_at" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "diagnosis_consultation_opinions" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"request_id" text NOT NULL,
	"expert_id" text NOT NULL,
	"author_user_id" text NOT NULL,
	"author_name" text NOT NULL,
	"specialty" text,
	"opinion" text NOT NULL,
	"recommendations" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_consultations" (
	"request_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"specialty" text NOT NULL,
	"preferred_at" timestamp with time zone,
	"scheduled_start" timestamp with time zone,
	"scheduled_end" timestamp with time zone,
	"video_link" text,
	"scheduled_by" text,
	"scheduled_by_name" text,
	"scheduled_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"decision" text,
	"decision_by" text,
	"decision_by_name" text,
	"decided_at" timestamp with time zone,
	"decline_reason" text,
	"consent_signer" text NOT NULL,
	"consent_signer_name" text NOT NULL,
	"consent_signed_at" timestamp with time zone NOT NULL,
	"consent_form_reference" text NOT NULL,
	"consent_recorded_by" text,
	"consent_recorded_by_name" text NOT NULL,
	"consent_recorded_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "diagnosis_consultations_period" CHECK ("diagnosis_consultations"."scheduled_end" is null or "diagnosis_consultations"."scheduled_end" > "diagnosis_consultations"."scheduled_start"),
	CONSTRAINT "diagnosis_consultations_decided" CHECK ("diagnosis_consultations"."status" <> 'concluded' or "diagnosis_consultations"."decision" is not null)
);
--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_events" ADD CONSTRAINT "diagnosis_consultation_events_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_experts" ADD CONSTRAINT "diagnosis_consultation_experts_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_experts" ADD CONSTRAINT "diagnosis_consultation_experts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_experts" ADD CONSTRAINT "diagnosis_consultation_experts_reader_id_diagnosis_readers_id_fk" FOREIGN KEY ("reader_id") REFERENCES "public"."diagnosis_readers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_experts" ADD CONSTRAINT "diagnosis_consultation_experts_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_opinions" ADD CONSTRAINT "diagnosis_consultation_opinions_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_opinions" ADD CONSTRAINT "diagnosis_consultation_opinions_expert_id_diagnosis_consultation_experts_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."diagnosis_consultation_experts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultation_opinions" ADD CONSTRAINT "diagnosis_consultation_opinions_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultations" ADD CONSTRAINT "diagnosis_consultations_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultations" ADD CONSTRAINT "diagnosis_consultations_scheduled_by_users_id_fk" FOREIGN KEY ("scheduled_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultations" ADD CONSTRAINT "diagnosis_consultations_decision_by_users_id_fk" FOREIGN KEY ("decision_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_consultations" ADD CONSTRAINT "diagnosis_consultations_consent_recorded_by_users_id_fk" FOREIGN KEY ("consent_recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "diagnosis_consultation_events_request_idx" ON "diagnosis_consultation_events" USING btree ("request_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_consultation_experts_uq" ON "diagnosis_consultation_experts" USING btree ("request_id","user_id");--> statement-breakpoint
CREATE INDEX "diagnosis_consultation_experts_user_idx" ON "diagnosis_consultation_experts" USING btree ("user_id","state");--> statement-breakpoint
CREATE INDEX "diagnosis_consultation_opinions_request_idx" ON "diagnosis_consultation_opinions" USING btree ("request_id","seq");--> statement-breakpoint
CREATE INDEX "diagnosis_consultations_status_idx" ON "diagnosis_consultations" USING btree ("status","scheduled_start");