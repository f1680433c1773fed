CREATE SEQUENCE "public"."diagnosis_request_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "diagnosis_attachments" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" varchar(64) NOT NULL,
	"storage_key" text NOT NULL,
	"meta" jsonb,
	"uploaded_by" text,
	"uploaded_by_name" text NOT NULL,
	"uploaded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "diagnosis_attachments_size" CHECK ("diagnosis_attachments"."size_bytes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "diagnosis_center_members" (
	"center_id" text NOT NULL,
	"organization_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_centers" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"requires_second_signoff" boolean DEFAULT false NOT NULL,
	"member_mode" text DEFAULT 'alliance' NOT NULL,
	"report_header" text,
	"phone" text,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_critical_log" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"critical_value_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"actor_user_id" text,
	"actor_name" text NOT NULL,
	"text" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "diagnosis_critical_values" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"center_id" text NOT NULL,
	"finding" text NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"flagged_by" text NOT NULL,
	"flagged_by_name" text NOT NULL,
	"flagged_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"acknowledged_by_name" text,
	"received_by" text,
	"read_back" text,
	"action_taken" text
);
--> statement-breakpoint
CREATE TABLE "diagnosis_events" (
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
CREATE TABLE "diagnosis_readers" (
	"id" text PRIMARY KEY NOT NULL,
	"center_id" text NOT NULL,
	"user_id" text NOT NULL,
	"specialties" text[] DEFAULT '{}'::text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_report_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"report_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"findings" text NOT NULL,
	"impression" text NOT NULL,
	"author_user_id" text,
	"author_name" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"status" text NOT NULL,
	"findings" text NOT NULL,
	"impression" text NOT NULL,
	"template_id" text,
	"author_user_id" text NOT NULL,
	"author_name" text NOT NULL,
	"signed_off_by" text,
	"signed_off_by_name" text,
	"signed_off_at" timestamp with time zone,
	"finalized_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "diagnosis_reports_signer_differs" CHECK ("diagnosis_reports"."signed_off_by" is null or "diagnosis_reports"."signed_off_by" <> "diagnosis_reports"."author_user_id")
);
--> statement-breakpoint
CREATE TABLE "diagnosis_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"kind" text DEFAULT 'exam' NOT NULL,
	"status" text NOT NULL,
	"urgency" text NOT NULL,
	"center_id" text NOT NULL,
	"center_organization_id" text NOT NULL,
	"requester_organization_id" text NOT NULL,
	"requester_user_id" text,
	"requester_name" text NOT NULL,
	"patient_id" text NOT NULL,
	"county_code" varchar(6),
	"modality" text NOT NULL,
	"exam_type" text NOT NULL,
	"body_part" text,
	"clinical_question" text NOT NULL,
	"clinical_summary" text,
	"assigned_user_id" text,
	"claimed_by" text,
	"claimed_at" timestamp with time zone,
	"image_quality" text,
	"return_reason" text,
	"resubmit_count" integer DEFAULT 0 NOT NULL,
	"cancel_reason" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_shifts" (
	"id" text PRIMARY KEY NOT NULL,
	"center_id" text NOT NULL,
	"reader_id" text NOT NULL,
	"day" date NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"role" text DEFAULT 'reader' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "diagnosis_shifts_period" CHECK ("diagnosis_shifts"."ends_at" > "diagnosis_shifts"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "diagnosis_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"center_id" text NOT NULL,
	"exam_type" text NOT NULL,
	"modality" text,
	"name" text NOT NULL,
	"findings" text NOT NULL,
	"impression" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "diagnosis_attachments" ADD CONSTRAINT "diagnosis_attachments_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_attachments" ADD CONSTRAINT "diagnosis_attachments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_attachments" ADD CONSTRAINT "diagnosis_attachments_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_center_members" ADD CONSTRAINT "diagnosis_center_members_center_id_diagnosis_centers_id_fk" FOREIGN KEY ("center_id") REFERENCES "public"."diagnosis_centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_center_members" ADD CONSTRAINT "diagnosis_center_members_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_centers" ADD CONSTRAINT "diagnosis_centers_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_critical_log" ADD CONSTRAINT "diagnosis_critical_log_critical_value_id_diagnosis_critical_values_id_fk" FOREIGN KEY ("critical_value_id") REFERENCES "public"."diagnosis_critical_values"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_critical_values" ADD CONSTRAINT "diagnosis_critical_values_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_critical_values" ADD CONSTRAINT "diagnosis_critical_values_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_critical_values" ADD CONSTRAINT "diagnosis_critical_values_center_id_diagnosis_centers_id_fk" FOREIGN KEY ("center_id") REFERENCES "public"."diagnosis_centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_critical_values" ADD CONSTRAINT "diagnosis_critical_values_flagged_by_users_id_fk" FOREIGN KEY ("flagged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_critical_values" ADD CONSTRAINT "diagnosis_critical_values_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_events" ADD CONSTRAINT "diagnosis_events_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_readers" ADD CONSTRAINT "diagnosis_readers_center_id_diagnosis_centers_id_fk" FOREIGN KEY ("center_id") REFERENCES "public"."diagnosis_centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_readers" ADD CONSTRAINT "diagnosis_readers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_report_versions" ADD CONSTRAINT "diagnosis_report_versions_report_id_diagnosis_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."diagnosis_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_report_versions" ADD CONSTRAINT "diagnosis_report_versions_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_reports" ADD CONSTRAINT "diagnosis_reports_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_reports" ADD CONSTRAINT "diagnosis_reports_template_id_diagnosis_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."diagnosis_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_reports" ADD CONSTRAINT "diagnosis_reports_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_reports" ADD CONSTRAINT "diagnosis_reports_signed_off_by_users_id_fk" FOREIGN KEY ("signed_off_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_center_id_diagnosis_centers_id_fk" FOREIGN KEY ("center_id") REFERENCES "public"."diagnosis_centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_center_organization_id_organizations_id_fk" FOREIGN KEY ("center_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_requester_organization_id_organizations_id_fk" FOREIGN KEY ("requester_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_requester_user_id_users_id_fk" FOREIGN KEY ("requester_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_requests" ADD CONSTRAINT "diagnosis_requests_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_shifts" ADD CONSTRAINT "diagnosis_shifts_center_id_diagnosis_centers_id_fk" FOREIGN KEY ("center_id") REFERENCES "public"."diagnosis_centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_shifts" ADD CONSTRAINT "diagnosis_shifts_reader_id_diagnosis_readers_id_fk" FOREIGN KEY ("reader_id") REFERENCES "public"."diagnosis_readers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_templates" ADD CONSTRAINT "diagnosis_templates_center_id_diagnosis_centers_id_fk" FOREIGN KEY ("center_id") REFERENCES "public"."diagnosis_centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "diagnosis_attachments_request_idx" ON "diagnosis_attachments" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_center_members_uq" ON "diagnosis_center_members" USING btree ("center_id","organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_centers_org_type_uq" ON "diagnosis_centers" USING btree ("organization_id","type");--> statement-breakpoint
CREATE INDEX "diagnosis_critical_log_value_idx" ON "diagnosis_critical_log" USING btree ("critical_value_id","seq");--> statement-breakpoint
CREATE INDEX "diagnosis_critical_values_request_idx" ON "diagnosis_critical_values" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "diagnosis_critical_values_org_idx" ON "diagnosis_critical_values" USING btree ("organization_id","state","flagged_at");--> statement-breakpoint
CREATE INDEX "diagnosis_events_request_idx" ON "diagnosis_events" USING btree ("request_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_readers_center_user_uq" ON "diagnosis_readers" USING btree ("center_id","user_id");--> statement-breakpoint
CREATE INDEX "diagnosis_readers_user_idx" ON "diagnosis_readers" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_report_versions_uq" ON "diagnosis_report_versions" USING btree ("report_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_reports_request_uq" ON "diagnosis_reports" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_requests_number_uq" ON "diagnosis_requests" USING btree ("number");--> statement-breakpoint
CREATE INDEX "diagnosis_requests_center_idx" ON "diagnosis_requests" USING btree ("center_id","status","created_at");--> statement-breakpoint
CREATE INDEX "diagnosis_requests_requester_idx" ON "diagnosis_requests" USING btree ("requester_organization_id","status","created_at");--> statement-breakpoint
CREATE INDEX "diagnosis_requests_patient_idx" ON "diagnosis_requests" USING btree ("patient_id","created_at");--> statement-breakpoint
CREATE INDEX "diagnosis_requests_claimed_idx" ON "diagnosis_requests" USING btree ("claimed_by") WHERE "diagnosis_requests"."claimed_by" is not null;--> statement-breakpoint
CREATE INDEX "diagnosis_requests_assigned_idx" ON "diagnosis_requests" USING btree ("assigned_user_id") WHERE "diagnosis_requests"."assigned_user_id" is not null;--> statement-breakpoint
CREATE INDEX "diagnosis_shifts_center_time_idx" ON "diagnosis_shifts" USING btree ("center_id","starts_at");--> statement-breakpoint
CREATE INDEX "diagnosis_templates_center_idx" ON "diagnosis_templates" USING btree ("center_id","exam_type");