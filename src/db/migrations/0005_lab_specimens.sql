CREATE TABLE "diagnosis_lab_results" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"report_version_id" text NOT NULL,
	"position" integer NOT NULL,
	"analyte_code" text NOT NULL,
	"loinc" text,
	"analyte_name" text NOT NULL,
	"value_text" text NOT NULL,
	"value_numeric" numeric,
	"unit" text NOT NULL,
	"reference_low" numeric,
	"reference_high" numeric,
	"reference_text" text NOT NULL,
	"flag" text,
	"specimen_id" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnosis_specimens" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"barcode" text NOT NULL,
	"barcode_source" text NOT NULL,
	"specimen_type" text NOT NULL,
	"container" text,
	"label_attachment_id" text,
	"state" text DEFAULT 'registered' NOT NULL,
	"collected_at" timestamp with time zone NOT NULL,
	"collected_by" text,
	"collected_by_name" text NOT NULL,
	"received_at" timestamp with time zone,
	"received_by" text,
	"received_by_name" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "diagnosis_specimens_received" CHECK (("diagnosis_specimens"."state" = 'received') = ("diagnosis_specimens"."received_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "diagnosis_lab_results" ADD CONSTRAINT "diagnosis_lab_results_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_lab_results" ADD CONSTRAINT "diagnosis_lab_results_report_version_id_diagnosis_report_versions_id_fk" FOREIGN KEY ("report_version_id") REFERENCES "public"."diagnosis_report_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_lab_results" ADD CONSTRAINT "diagnosis_lab_results_specimen_id_diagnosis_specimens_id_fk" FOREIGN KEY ("specimen_id") REFERENCES "public"."diagnosis_specimens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_specimens" ADD CONSTRAINT "diagnosis_specimens_request_id_diagnosis_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."diagnosis_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_specimens" ADD CONSTRAINT "diagnosis_specimens_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_specimens" ADD CONSTRAINT "diagnosis_specimens_label_attachment_id_diagnosis_attachments_id_fk" FOREIGN KEY ("label_attachment_id") REFERENCES "public"."diagnosis_attachments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_specimens" ADD CONSTRAINT "diagnosis_specimens_collected_by_users_id_fk" FOREIGN KEY ("collected_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnosis_specimens" ADD CONSTRAINT "diagnosis_specimens_received_by_users_id_fk" FOREIGN KEY ("received_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_lab_results_version_position_uq" ON "diagnosis_lab_results" USING btree ("report_version_id","position");--> statement-breakpoint
CREATE INDEX "diagnosis_lab_results_request_idx" ON "diagnosis_lab_results" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "diagnosis_specimens_barcode_uq" ON "diagnosis_specimens" USING btree ("barcode");--> statement-breakpoint
CREATE INDEX "diagnosis_specimens_request_idx" ON "diagnosis_specimens" USING btree ("request_id","created_at");--> statement-breakpoint
-- Backfill from the stop-gap storage of the previous increment: specimens listed in label sheets' jsonb meta, result
-- values in the report writes' timeline rows (detail.labResults) — both now live in the tables above.
INSERT INTO "diagnosis_specimens" ("id", "request_id", "organization_id", "barcode", "barcode_source", "specimen_type", "container", "label_attachment_id", "state", "collected_at", "collected_by", "collected_by_name", "created_at")
SELECT a."id" || '-' || s.ord, a."request_id", a."organization_id", s.sp->>'barcode', coalesce(s.sp->>'barcodeSource', 'own'), coalesce(s.sp->>'specimenType', ''), s.sp->>'container', a."id", 'registered', a."uploaded_at", a."uploaded_by", a."uploaded_by_name", a."uploaded_at"
FROM "diagnosis_attachments" a CROSS JOIN LATERAL jsonb_array_elements(a."meta"->'specimens') WITH ORDINALITY AS s(sp, ord)
WHERE a."meta"->>'kind' = 'specimen-labels' AND jsonb_typeof(a."meta"->'specimens') = 'array'
ON CONFLICT ("barcode") DO NOTHING;--> statement-breakpoint
INSERT INTO "diagnosis_lab_results" ("id", "request_id", "report_version_id", "position", "analyte_code", "loinc", "analyte_name", "value_text", "value_numeric", "unit", "reference_low", "reference_high", "reference_text", "flag", "specimen_id", "created_at")
SELECT e."id" || '-' || x.ord, e."request_id", v."id", x.ord - 1, x.r->>'code', x.r->>'loinc', coalesce(x.r->>'name', x.r->>'code'), x.r->>'value',
  CASE WHEN x.r->>'value' ~ '^[-+]?[0-9]+(\.[0-9]+)?$' THEN (x.r->>'value')::numeric END, coalesce(x.r->>'unit', ''), NULL, NULL, coalesce(x.r->>'referenceRange', ''), x.r->>'flag', sp."id", e."at"
FROM "diagnosis_events" e
CROSS JOIN LATERAL jsonb_array_elements(e."detail"->'labResults') WITH ORDINALITY AS x(r, ord)
JOIN "diagnosis_report_versions" v ON v."report_id" = e."detail"->>'reportId' AND v."version" = (e."detail"->>'reportVersion')::int
LEFT JOIN "diagnosis_specimens" sp ON sp."barcode" = x.r->>'specimenBarcode'
WHERE jsonb_typeof(e."detail"->'labResults') = 'array'
ON CONFLICT ("report_version_id", "position") DO NOTHING;
