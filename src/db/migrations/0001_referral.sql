CREATE SEQUENCE "public"."admission_notice_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."referral_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "appointments" (
	"id" text PRIMARY KEY NOT NULL,
	"slot_id" text NOT NULL,
	"referral_id" text,
	"patient_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"status" text NOT NULL,
	"booked_at" timestamp with time zone NOT NULL,
	"booked_by" text NOT NULL,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text
);
--> statement-breakpoint
CREATE TABLE "bed_pool_days" (
	"bed_pool_id" text NOT NULL,
	"day" date NOT NULL,
	"capacity" integer NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "bed_pool_days_within" CHECK ("bed_pool_days"."held" >= 0 and "bed_pool_days"."held" <= "bed_pool_days"."capacity")
);
--> statement-breakpoint
CREATE TABLE "bed_pools" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"department_id" text NOT NULL,
	"name" text NOT NULL,
	"reserved_beds" integer NOT NULL,
	"reserved_for_alliance_id" text,
	"reserved_for_organization_id" text,
	"release_hours_before" integer DEFAULT 12 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bed_pools_reserved_nonneg" CHECK ("bed_pools"."reserved_beds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "bed_reservations" (
	"id" text PRIMARY KEY NOT NULL,
	"bed_pool_id" text NOT NULL,
	"day" date NOT NULL,
	"referral_id" text NOT NULL,
	"patient_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"status" text NOT NULL,
	"admission_notice_number" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "capacity_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"department_id" text,
	"kind" text NOT NULL,
	"alliance_id" text,
	"member_organization_id" text,
	"referral_share" numeric(4, 3) NOT NULL,
	"release_hours_before" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text,
	CONSTRAINT "capacity_policies_share" CHECK ("capacity_policies"."referral_share" >= 0 and "capacity_policies"."referral_share" <= 1),
	CONSTRAINT "capacity_policies_release" CHECK ("capacity_policies"."release_hours_before" >= 0)
);
--> statement-breakpoint
CREATE TABLE "care_plan_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"referral_id" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"due_date" date NOT NULL,
	"organization_id" text NOT NULL,
	"assigned_user_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"outcome" text,
	"completed_at" timestamp with time zone,
	"completed_by" text
);
--> statement-breakpoint
CREATE TABLE "care_plans" (
	"referral_id" text PRIMARY KEY NOT NULL,
	"diagnosis_summary" text NOT NULL,
	"medications" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rehabilitation_advice" text,
	"warning_signs" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referral_events" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"referral_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"from_sub_state" text,
	"to_sub_state" text,
	"actor_user_id" text,
	"actor_name" text NOT NULL,
	"reason" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" text PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"direction" text NOT NULL,
	"status" text NOT NULL,
	"sub_state" text,
	"held_from_status" text,
	"held_from_sub_state" text,
	"hold_reason" text,
	"no_capacity_since" timestamp with time zone,
	"urgency" text NOT NULL,
	"patient_id" text NOT NULL,
	"origin_organization_id" text NOT NULL,
	"origin_department_id" text,
	"requester_user_id" text,
	"requester_name" text NOT NULL,
	"destination_organization_id" text NOT NULL,
	"destination_department_id" text,
	"assigned_user_id" text,
	"alliance_id" text,
	"county_code" varchar(6),
	"diagnosis_code" varchar(10) NOT NULL,
	"diagnosis_name" text NOT NULL,
	"secondary_diagnoses" text[] DEFAULT '{}'::text[] NOT NULL,
	"reason" text NOT NULL,
	"clinical_summary" text NOT NULL,
	"treatment_given" text,
	"medications" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attached_results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"consent_by" text,
	"consent_method" text,
	"consent_at" timestamp with time zone,
	"down_kind" text,
	"in_own_catalogue_note" text,
	"recommended_organization_id" text,
	"override_reason" text,
	"rejection_reason" text,
	"cancel_reason" text,
	"previous_referral_id" text,
	"returned_summary" text,
	"contact_phone" varchar(20),
	"requested_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"arrived_at" timestamp with time zone,
	"admitted_at" timestamp with time zone,
	"discharged_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "referrals_origin_not_destination" CHECK ("referrals"."origin_organization_id" <> "referrals"."destination_organization_id")
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"department_id" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"practitioner_name" text,
	"active" integer DEFAULT 1 NOT NULL,
	"template" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slots" (
	"id" text PRIMARY KEY NOT NULL,
	"schedule_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"department_id" text NOT NULL,
	"kind" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'free' NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"reserved_for_alliance_id" text,
	"reserved_for_organization_id" text,
	"release_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "slots_period" CHECK ("slots"."end" > "slots"."start")
);
--> statement-breakpoint
CREATE TABLE "deadline_escalations" (
	"id" text PRIMARY KEY NOT NULL,
	"deadline_id" text NOT NULL,
	"level" integer NOT NULL,
	"rung" text NOT NULL,
	"fired_at" timestamp with time zone NOT NULL,
	"recipient_user_ids" text[] DEFAULT '{}'::text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deadline_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"subject_type" text NOT NULL,
	"step" text NOT NULL,
	"urgency" text NOT NULL,
	"organization_id" text,
	"minutes" integer NOT NULL,
	"calendar_id" text,
	"ladder" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text,
	CONSTRAINT "deadline_policies_minutes" CHECK ("deadline_policies"."minutes" > 0)
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"id" text PRIMARY KEY NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"step" text NOT NULL,
	"urgency" text NOT NULL,
	"organization_id" text NOT NULL,
	"policy_id" text,
	"calendar_id" text,
	"ladder" jsonb NOT NULL,
	"state" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"paused_at" timestamp with time zone,
	"remaining_ms" bigint,
	"paused_total_ms" bigint DEFAULT 0 NOT NULL,
	"overdue_at" timestamp with time zone,
	"escalation_level" integer DEFAULT 0 NOT NULL,
	"next_check_at" timestamp with time zone,
	"met_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "working_calendars" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"organization_id" text,
	"weekly" jsonb NOT NULL,
	"holidays" text[] DEFAULT '{}'::text[] NOT NULL,
	"extra_workdays" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fhir_subscription_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"subscription_id" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text NOT NULL,
	"resource_version" integer NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" text[] NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "fhir_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"criteria" text NOT NULL,
	"endpoint" text NOT NULL,
	"headers" text[] NOT NULL,
	"payload" text,
	"status" text NOT NULL,
	"reason" text,
	"error" text,
	"owner_user_id" text NOT NULL,
	"end_at" timestamp with time zone,
	"cursor_at" timestamp with time zone NOT NULL,
	"cursor_id" text DEFAULT '' NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"recipient_user_id" text,
	"recipient_patient_id" text,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"subject_type" text,
	"subject_id" text,
	"link" text,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outbound_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"adapter" text NOT NULL,
	"address" text NOT NULL,
	"recipient_user_id" text,
	"recipient_patient_id" text,
	"notification_id" text,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "activity_daily" (
	"county_code" varchar(6) NOT NULL,
	"day" date NOT NULL,
	"facility_id" text,
	"facility_county_code" varchar(6) NOT NULL,
	"facility_tier" text,
	"class" text NOT NULL,
	"tcm" boolean NOT NULL,
	"insured" boolean NOT NULL,
	"pharmacy" boolean NOT NULL,
	"via_referral" boolean NOT NULL,
	"records" integer NOT NULL,
	"discharges" integer NOT NULL,
	"total_cost" numeric(16, 2) NOT NULL,
	"fund_paid" numeric(16, 2) NOT NULL,
	"fund_records" integer NOT NULL,
	CONSTRAINT "activity_daily_key" UNIQUE NULLS NOT DISTINCT("county_code","day","facility_id","facility_county_code","facility_tier","class","tcm","insured","pharmacy","via_referral")
);
--> statement-breakpoint
CREATE TABLE "activity_records" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"source_record_id" text NOT NULL,
	"class" text NOT NULL,
	"patient_id" text,
	"residence_division_code" varchar(12) NOT NULL,
	"county_code" varchar(6) NOT NULL,
	"facility_id" text,
	"facility_division_code" varchar(12) NOT NULL,
	"facility_county_code" varchar(6) NOT NULL,
	"facility_tier" text,
	"department_specialty" text,
	"tcm" boolean NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"diagnoses" text[] DEFAULT '{}'::text[] NOT NULL,
	"total_cost" numeric(14, 2) NOT NULL,
	"fund_paid" numeric(14, 2),
	"insured" boolean NOT NULL,
	"pharmacy" boolean NOT NULL,
	"via_referral" boolean NOT NULL,
	"referral_id" text,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "activity_records_money" CHECK ("activity_records"."total_cost" >= 0 and ("activity_records"."fund_paid" is null or ("activity_records"."fund_paid" >= 0 and "activity_records"."fund_paid" <= "activity_records"."total_cost"))),
	CONSTRAINT "activity_records_period" CHECK ("activity_records"."end_date" is null or "activity_records"."end_date" >= "activity_records"."start_date")
);
--> statement-breakpoint
CREATE TABLE "indicator_definitions" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"version" integer NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"dimension" text NOT NULL,
	"formula" text NOT NULL,
	"numerator" jsonb NOT NULL,
	"denominator" jsonb,
	"base_code" text,
	"scale" integer DEFAULT 1 NOT NULL,
	"unit" text NOT NULL,
	"direction" text NOT NULL,
	"levels" text[] NOT NULL,
	"periods" text[] NOT NULL,
	"source" text NOT NULL,
	"note" text,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "indicator_definitions_period" CHECK ("indicator_definitions"."valid_to" is null or "indicator_definitions"."valid_to" > "indicator_definitions"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "indicator_targets" (
	"id" text PRIMARY KEY NOT NULL,
	"indicator_code" text NOT NULL,
	"division_code" varchar(12) NOT NULL,
	"year" integer NOT NULL,
	"target" numeric(14, 4) NOT NULL,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "departments" ADD COLUMN "head_practitioner_id" text;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_pool_days" ADD CONSTRAINT "bed_pool_days_bed_pool_id_bed_pools_id_fk" FOREIGN KEY ("bed_pool_id") REFERENCES "public"."bed_pools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_pools" ADD CONSTRAINT "bed_pools_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_pools" ADD CONSTRAINT "bed_pools_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_pools" ADD CONSTRAINT "bed_pools_reserved_for_alliance_id_alliances_id_fk" FOREIGN KEY ("reserved_for_alliance_id") REFERENCES "public"."alliances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_pools" ADD CONSTRAINT "bed_pools_reserved_for_organization_id_organizations_id_fk" FOREIGN KEY ("reserved_for_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_reservations" ADD CONSTRAINT "bed_reservations_bed_pool_id_bed_pools_id_fk" FOREIGN KEY ("bed_pool_id") REFERENCES "public"."bed_pools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_reservations" ADD CONSTRAINT "bed_reservations_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_reservations" ADD CONSTRAINT "bed_reservations_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bed_reservations" ADD CONSTRAINT "bed_reservations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_policies" ADD CONSTRAINT "capacity_policies_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_policies" ADD CONSTRAINT "capacity_policies_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_policies" ADD CONSTRAINT "capacity_policies_alliance_id_alliances_id_fk" FOREIGN KEY ("alliance_id") REFERENCES "public"."alliances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_policies" ADD CONSTRAINT "capacity_policies_member_organization_id_organizations_id_fk" FOREIGN KEY ("member_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_plan_tasks" ADD CONSTRAINT "care_plan_tasks_referral_id_care_plans_referral_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."care_plans"("referral_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_plan_tasks" ADD CONSTRAINT "care_plan_tasks_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_plan_tasks" ADD CONSTRAINT "care_plan_tasks_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_plans" ADD CONSTRAINT "care_plans_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral_events" ADD CONSTRAINT "referral_events_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_origin_organization_id_organizations_id_fk" FOREIGN KEY ("origin_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_origin_department_id_departments_id_fk" FOREIGN KEY ("origin_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_requester_user_id_users_id_fk" FOREIGN KEY ("requester_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_destination_organization_id_organizations_id_fk" FOREIGN KEY ("destination_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_destination_department_id_departments_id_fk" FOREIGN KEY ("destination_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_alliance_id_alliances_id_fk" FOREIGN KEY ("alliance_id") REFERENCES "public"."alliances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_recommended_organization_id_organizations_id_fk" FOREIGN KEY ("recommended_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_previous_referral_id_referrals_id_fk" FOREIGN KEY ("previous_referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_reserved_for_alliance_id_alliances_id_fk" FOREIGN KEY ("reserved_for_alliance_id") REFERENCES "public"."alliances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_reserved_for_organization_id_organizations_id_fk" FOREIGN KEY ("reserved_for_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_escalations" ADD CONSTRAINT "deadline_escalations_deadline_id_deadlines_id_fk" FOREIGN KEY ("deadline_id") REFERENCES "public"."deadlines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_policies" ADD CONSTRAINT "deadline_policies_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_policies" ADD CONSTRAINT "deadline_policies_calendar_id_working_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."working_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadlines" ADD CONSTRAINT "deadlines_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadlines" ADD CONSTRAINT "deadlines_policy_id_deadline_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."deadline_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadlines" ADD CONSTRAINT "deadlines_calendar_id_working_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."working_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "working_calendars" ADD CONSTRAINT "working_calendars_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fhir_subscription_deliveries" ADD CONSTRAINT "fhir_subscription_deliveries_subscription_id_fhir_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."fhir_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fhir_subscriptions" ADD CONSTRAINT "fhir_subscriptions_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_recipient_user_id_users_id_fk" FOREIGN KEY ("recipient_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_recipient_patient_id_patients_id_fk" FOREIGN KEY ("recipient_patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_records" ADD CONSTRAINT "activity_records_facility_id_organizations_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_slot_booked_uq" ON "appointments" USING btree ("slot_id") WHERE "appointments"."status" in ('booked','fulfilled');--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_referral_booked_uq" ON "appointments" USING btree ("referral_id") WHERE "appointments"."status" = 'booked';--> statement-breakpoint
CREATE INDEX "appointments_referral_idx" ON "appointments" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "appointments_patient_idx" ON "appointments" USING btree ("patient_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bed_pool_days_pk" ON "bed_pool_days" USING btree ("bed_pool_id","day");--> statement-breakpoint
CREATE INDEX "bed_pools_org_idx" ON "bed_pools" USING btree ("organization_id","department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bed_reservations_referral_live_uq" ON "bed_reservations" USING btree ("referral_id") WHERE "bed_reservations"."status" in ('held','admitted');--> statement-breakpoint
CREATE UNIQUE INDEX "bed_reservations_notice_uq" ON "bed_reservations" USING btree ("admission_notice_number");--> statement-breakpoint
CREATE INDEX "bed_reservations_pool_day_idx" ON "bed_reservations" USING btree ("bed_pool_id","day");--> statement-breakpoint
CREATE INDEX "capacity_policies_org_idx" ON "capacity_policies" USING btree ("organization_id","kind");--> statement-breakpoint
CREATE INDEX "care_plan_tasks_referral_idx" ON "care_plan_tasks" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "care_plan_tasks_org_idx" ON "care_plan_tasks" USING btree ("organization_id","status","due_date");--> statement-breakpoint
CREATE INDEX "referral_events_referral_idx" ON "referral_events" USING btree ("referral_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_number_uq" ON "referrals" USING btree ("number");--> statement-breakpoint
CREATE INDEX "referrals_patient_idx" ON "referrals" USING btree ("patient_id","created_at");--> statement-breakpoint
CREATE INDEX "referrals_origin_idx" ON "referrals" USING btree ("origin_organization_id","status","created_at");--> statement-breakpoint
CREATE INDEX "referrals_destination_idx" ON "referrals" USING btree ("destination_organization_id","status","created_at");--> statement-breakpoint
CREATE INDEX "referrals_alliance_idx" ON "referrals" USING btree ("alliance_id","status","created_at");--> statement-breakpoint
CREATE INDEX "referrals_county_idx" ON "referrals" USING btree ("county_code","created_at");--> statement-breakpoint
CREATE INDEX "referrals_no_capacity_idx" ON "referrals" USING btree ("no_capacity_since") WHERE "referrals"."no_capacity_since" is not null;--> statement-breakpoint
CREATE INDEX "schedules_org_idx" ON "schedules" USING btree ("organization_id","department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "slots_schedule_start_uq" ON "slots" USING btree ("schedule_id","start");--> statement-breakpoint
CREATE INDEX "slots_org_start_idx" ON "slots" USING btree ("organization_id","start");--> statement-breakpoint
CREATE UNIQUE INDEX "deadline_escalations_level_uq" ON "deadline_escalations" USING btree ("deadline_id","level");--> statement-breakpoint
CREATE UNIQUE INDEX "deadline_policies_key_uq" ON "deadline_policies" USING btree ("subject_type","step","urgency",coalesce("organization_id", ''));--> statement-breakpoint
CREATE UNIQUE INDEX "deadlines_live_uq" ON "deadlines" USING btree ("subject_type","subject_id","step") WHERE "deadlines"."state" in ('running','paused');--> statement-breakpoint
CREATE INDEX "deadlines_next_check_idx" ON "deadlines" USING btree ("next_check_at") WHERE "deadlines"."state" = 'running';--> statement-breakpoint
CREATE INDEX "deadlines_subject_idx" ON "deadlines" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "deadlines_org_idx" ON "deadlines" USING btree ("organization_id","state","due_at");--> statement-breakpoint
CREATE INDEX "fhir_subscription_deliveries_due_idx" ON "fhir_subscription_deliveries" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "fhir_subscription_deliveries_version_uq" ON "fhir_subscription_deliveries" USING btree ("subscription_id","resource_type","resource_id","resource_version");--> statement-breakpoint
CREATE INDEX "fhir_subscriptions_owner_idx" ON "fhir_subscriptions" USING btree ("owner_user_id");--> statement-breakpoint
CREATE INDEX "fhir_subscriptions_status_idx" ON "fhir_subscriptions" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedupe_uq" ON "notifications" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("recipient_user_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_subject_idx" ON "notifications" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_dedupe_uq" ON "outbound_messages" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "outbound_messages_created_idx" ON "outbound_messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "activity_daily_facility_county_idx" ON "activity_daily" USING btree ("facility_county_code","day");--> statement-breakpoint
CREATE INDEX "activity_daily_facility_idx" ON "activity_daily" USING btree ("facility_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_records_source_uq" ON "activity_records" USING btree ("source","source_record_id");--> statement-breakpoint
CREATE INDEX "activity_records_county_idx" ON "activity_records" USING btree ("county_code","start_date");--> statement-breakpoint
CREATE INDEX "activity_records_facility_county_idx" ON "activity_records" USING btree ("facility_county_code","start_date");--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_definitions_code_version_uq" ON "indicator_definitions" USING btree ("code","version");--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_targets_uq" ON "indicator_targets" USING btree ("indicator_code","division_code","year");--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_head_practitioner_id_practitioners_id_fk" FOREIGN KEY ("head_practitioner_id") REFERENCES "public"."practitioners"("id") ON DELETE no action ON UPDATE no action;