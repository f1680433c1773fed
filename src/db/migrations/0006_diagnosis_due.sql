ALTER TABLE "diagnosis_requests" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "diagnosis_requests_worklist_idx" ON "diagnosis_requests" USING btree ("center_id","due_at","created_at","id") WHERE "diagnosis_requests"."status" in ('requested', 'in-progress', 'preliminary', 'awaiting-signoff') and "diagnosis_requests"."kind" = 'exam';--> statement-breakpoint
CREATE INDEX "diagnosis_requests_sent_open_idx" ON "diagnosis_requests" USING btree ("requester_organization_id","due_at","created_at","id") WHERE "diagnosis_requests"."status" in ('requested', 'in-progress', 'returned', 'preliminary', 'awaiting-signoff') and "diagnosis_requests"."kind" = 'exam';--> statement-breakpoint
-- Backfill: existing requests take the due time of their running report or consultation-respond deadline (the one due
-- first, as DiagnosisRepository.syncDueAt computes it); paused, met and cancelled clocks leave it null.
UPDATE "diagnosis_requests" r SET "due_at" = d."due_at"
FROM (SELECT "subject_id", min("due_at") AS "due_at" FROM "deadlines" WHERE "subject_type" = 'diagnosis' AND "state" = 'running' GROUP BY "subject_id") d
WHERE d."subject_id" = r."id";
