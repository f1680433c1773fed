CREATE TABLE "alliance_memberships" (
	"id" text PRIMARY KEY NOT NULL,
	"alliance_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	CONSTRAINT "alliance_memberships_period" CHECK ("alliance_memberships"."valid_to" is null or "alliance_memberships"."valid_to" > "alliance_memberships"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "alliances" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"lead_organization_id" text NOT NULL,
	"division_code" varchar(12),
	"specialty" text,
	"established_on" date NOT NULL,
	"dissolved_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"specialty" text NOT NULL,
	"beds" integer DEFAULT 0 NOT NULL,
	"is_tcm" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "divisions" (
	"code" varchar(12) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent_code" varchar(12),
	"full_name" text NOT NULL,
	"county_code" varchar(6)
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"identifier_kind" text NOT NULL,
	"name" text NOT NULL,
	"short_name" text,
	"tier" text NOT NULL,
	"hospital_level" text,
	"hospital_grade" text,
	"ownership" text DEFAULT 'public' NOT NULL,
	"beds" integer DEFAULT 0 NOT NULL,
	"division_code" varchar(12) NOT NULL,
	"county_code" varchar(6) NOT NULL,
	"address_line" text,
	"phone" text,
	"supervisor_id" text,
	"is_central" boolean DEFAULT false NOT NULL,
	"meets_capability_standard" boolean DEFAULT false NOT NULL,
	"latitude" numeric(9, 6),
	"longitude" numeric(9, 6),
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_beds_nonneg" CHECK ("organizations"."beds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "practitioner_roles" (
	"id" text PRIMARY KEY NOT NULL,
	"practitioner_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"department_id" text,
	"kind" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"note" text,
	CONSTRAINT "practitioner_roles_period" CHECK ("practitioner_roles"."valid_to" is null or "practitioner_roles"."valid_to" > "practitioner_roles"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "practitioners" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"name" text NOT NULL,
	"sex" text NOT NULL,
	"profession" text NOT NULL,
	"title" text NOT NULL,
	"specialty" text NOT NULL,
	"home_organization_id" text NOT NULL,
	"department_id" text,
	"phone" text,
	"practice_start_year" smallint,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "support_pairings" (
	"id" text PRIMARY KEY NOT NULL,
	"supporting_organization_id" text NOT NULL,
	"supported_organization_id" text NOT NULL,
	"support_tier" smallint DEFAULT 1 NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"note" text,
	CONSTRAINT "support_pairings_tier" CHECK ("support_pairings"."support_tier" between 1 and 3),
	CONSTRAINT "support_pairings_distinct" CHECK ("support_pairings"."supporting_organization_id" <> "support_pairings"."supported_organization_id"),
	CONSTRAINT "support_pairings_period" CHECK ("support_pairings"."valid_to" is null or "support_pairings"."valid_to" > "support_pairings"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "tier_catalogue_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"tier" text NOT NULL,
	"alliance_id" text,
	"code_from" varchar(8) NOT NULL,
	"code_to" varchar(8) NOT NULL,
	"effect" text DEFAULT 'include' NOT NULL,
	"label" text NOT NULL,
	"note" text,
	"source" text
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"id" text PRIMARY KEY NOT NULL,
	"id_number" varchar(18),
	"name" text NOT NULL,
	"sex" text NOT NULL,
	"birth_date" date NOT NULL,
	"phone" varchar(20),
	"residence_division_code" varchar(12),
	"county_code" varchar(6),
	"address_line" text,
	"managing_organization_id" text NOT NULL,
	"family_doctor_team" text,
	"chronic_conditions" text[] DEFAULT '{}'::text[] NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text
);
--> statement-breakpoint
CREATE TABLE "access_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"client_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"name" text NOT NULL,
	"service_user_id" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_roles" (
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "user_roles_user_id_role_pk" PRIMARY KEY("user_id","role")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"organization_id" text,
	"practitioner_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" text,
	"actor_username" text NOT NULL,
	"organization_id" text,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"patient_id" text,
	"basis" text NOT NULL,
	"outcome" text NOT NULL,
	"channel" text NOT NULL,
	"ip" text,
	"detail" jsonb
);
--> statement-breakpoint
ALTER TABLE "alliance_memberships" ADD CONSTRAINT "alliance_memberships_alliance_id_alliances_id_fk" FOREIGN KEY ("alliance_id") REFERENCES "public"."alliances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alliance_memberships" ADD CONSTRAINT "alliance_memberships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alliances" ADD CONSTRAINT "alliances_lead_organization_id_organizations_id_fk" FOREIGN KEY ("lead_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alliances" ADD CONSTRAINT "alliances_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practitioner_roles" ADD CONSTRAINT "practitioner_roles_practitioner_id_practitioners_id_fk" FOREIGN KEY ("practitioner_id") REFERENCES "public"."practitioners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practitioner_roles" ADD CONSTRAINT "practitioner_roles_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practitioner_roles" ADD CONSTRAINT "practitioner_roles_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practitioners" ADD CONSTRAINT "practitioners_home_organization_id_organizations_id_fk" FOREIGN KEY ("home_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practitioners" ADD CONSTRAINT "practitioners_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_pairings" ADD CONSTRAINT "support_pairings_supporting_organization_id_organizations_id_fk" FOREIGN KEY ("supporting_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_pairings" ADD CONSTRAINT "support_pairings_supported_organization_id_organizations_id_fk" FOREIGN KEY ("supported_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_catalogue_entries" ADD CONSTRAINT "tier_catalogue_entries_alliance_id_alliances_id_fk" FOREIGN KEY ("alliance_id") REFERENCES "public"."alliances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_residence_division_code_divisions_code_fk" FOREIGN KEY ("residence_division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_managing_organization_id_organizations_id_fk" FOREIGN KEY ("managing_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_tokens" ADD CONSTRAINT "access_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD CONSTRAINT "oauth_clients_service_user_id_users_id_fk" FOREIGN KEY ("service_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_practitioner_id_practitioners_id_fk" FOREIGN KEY ("practitioner_id") REFERENCES "public"."practitioners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alliance_memberships_alliance_idx" ON "alliance_memberships" USING btree ("alliance_id","valid_from");--> statement-breakpoint
CREATE INDEX "alliance_memberships_org_idx" ON "alliance_memberships" USING btree ("organization_id","valid_from");--> statement-breakpoint
CREATE UNIQUE INDEX "alliances_identifier_uq" ON "alliances" USING btree ("identifier");--> statement-breakpoint
CREATE UNIQUE INDEX "departments_org_code_uq" ON "departments" USING btree ("organization_id","code");--> statement-breakpoint
CREATE INDEX "divisions_parent_idx" ON "divisions" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "divisions_county_idx" ON "divisions" USING btree ("county_code","level");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_identifier_uq" ON "organizations" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "organizations_tier_idx" ON "organizations" USING btree ("tier");--> statement-breakpoint
CREATE INDEX "organizations_division_idx" ON "organizations" USING btree ("division_code");--> statement-breakpoint
CREATE INDEX "organizations_county_idx" ON "organizations" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "organizations_supervisor_idx" ON "organizations" USING btree ("supervisor_id");--> statement-breakpoint
CREATE INDEX "organizations_name_idx" ON "organizations" USING btree ("name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "practitioner_roles_practitioner_idx" ON "practitioner_roles" USING btree ("practitioner_id");--> statement-breakpoint
CREATE INDEX "practitioner_roles_org_idx" ON "practitioner_roles" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "practitioners_identifier_uq" ON "practitioners" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "practitioners_home_org_idx" ON "practitioners" USING btree ("home_organization_id");--> statement-breakpoint
CREATE INDEX "practitioners_name_idx" ON "practitioners" USING btree ("name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "support_pairings_supporting_idx" ON "support_pairings" USING btree ("supporting_organization_id");--> statement-breakpoint
CREATE INDEX "support_pairings_supported_idx" ON "support_pairings" USING btree ("supported_organization_id");--> statement-breakpoint
CREATE INDEX "tier_catalogue_tier_idx" ON "tier_catalogue_entries" USING btree ("tier","alliance_id");--> statement-breakpoint
CREATE UNIQUE INDEX "patients_id_number_uq" ON "patients" USING btree ("id_number");--> statement-breakpoint
CREATE INDEX "patients_name_c_idx" ON "patients" USING btree ("name" collate "C","managing_organization_id");--> statement-breakpoint
CREATE INDEX "patients_org_name_c_idx" ON "patients" USING btree ("managing_organization_id","name" collate "C");--> statement-breakpoint
CREATE INDEX "patients_birth_date_idx" ON "patients" USING btree ("birth_date");--> statement-breakpoint
CREATE INDEX "patients_phone_idx" ON "patients" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "patients_residence_idx" ON "patients" USING btree ("residence_division_code");--> statement-breakpoint
CREATE INDEX "access_tokens_user_idx" ON "access_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "access_tokens_expiry_idx" ON "access_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_uq" ON "users" USING btree ("username");--> statement-breakpoint
CREATE INDEX "users_org_idx" ON "users" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_patient_idx" ON "audit_events" USING btree ("patient_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_username","at");--> statement-breakpoint
CREATE INDEX "audit_events_org_idx" ON "audit_events" USING btree ("organization_id","at");