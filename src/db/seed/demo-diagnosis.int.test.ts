import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../client.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { DiagnosisListItemDto } from '../../contracts/diagnosis.js';
import type { Page } from '../../shared/pagination.js';
import { seedDemoReferrals } from './demo-referrals.js';
import {
  DEMO_CENTER_ACCOUNTS, DEMO_DIAGNOSIS_CALIBRATION, demoConsultationVolume, demoDiagnosisVolumes, seedDemoDiagnosis, type DemoDiagnosisSummary,
} from './demo-diagnosis.js';

/**
 * The demo's diagnosis centers (src/db/seed/demo-diagnosis.ts, docs/demo-data.md) on a small demo: centers with teams
 * and a roster that covers every hour, a year of history with the documented volumes and turnaround, a live queue in
 * every center ordered overdue-first, attachments whose bytes are stored, teleconsultations in every state (consent on
 * each, the unanswered emergency one escalated by the worker), and a second run that changes nothing.
 */
const NOW = '2026-11-22T02:00:00Z';
const RESIDENTS = 20_000;
let t: TestApp;
let dataDir: string;
let summary: DemoDiagnosisSummary;
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => queryRows<T>(t.database.db, query);
/** The consultations created through the service (the live stories): the history is bulk-inserted and has no create audit. */
const liveConsultation = (requestId: ReturnType<typeof sql>) =>
  sql`${requestId} in (select resource_id from audit_events where resource_type = 'DiagnosisConsultation' and action = 'create')`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'yilian-demo-diagnosis-'));
  t = await createTestApp({ residents: RESIDENTS, now: NOW, env: { YILIAN_DATA_DIR: dataDir, YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  // In the order src/main.ts and `yilian seed demo` seed: referrals first (the county hospitals' patients come from them).
  await seedDemoReferrals(t.database.db, t.services, { seed: 7, now: new Date(NOW), residents: RESIDENTS });
  summary = await seedDemoDiagnosis(t.database.db, t.services, { seed: 7, now: new Date(NOW), residents: RESIDENTS });
}, 300_000);
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('centers, teams and roster', () => {
  it('creates the five centers, the pathology center at the city hospital serving a list', async () => {
    expect(summary.skipped).toBe(false);
    expect(summary.live.failed).toEqual([]);
    const centers = await q<{ type: string; host: string; member_mode: string; readers: number }>(sql`
      select c.type, o.name as host, c.member_mode, (select count(*)::int from diagnosis_readers r where r.center_id = c.id) as readers
      from diagnosis_centers c join organizations o on o.id = c.organization_id order by c.type`);
    expect(centers.map((c) => c.type)).toEqual(['consultation', 'ecg', 'imaging', 'lab', 'pathology']);
    for (const c of centers) expect(c.host).toBe(c.type === 'pathology' ? '龙岩市第一医院' : '长汀县总医院');
    expect(centers.find((c) => c.type === 'pathology')!.member_mode).toBe('listed');
    expect(centers.find((c) => c.type === 'imaging')!.readers).toBeGreaterThanOrEqual(10);
    expect(centers.find((c) => c.type === 'ecg')!.readers).toBeGreaterThanOrEqual(4);
    expect(centers.find((c) => c.type === 'pathology')!.readers).toBeGreaterThanOrEqual(2);
  });

  it('the documented accounts sign in and read their center', async () => {
    for (const a of [...DEMO_CENTER_ACCOUNTS.map((x) => x.username), 'center.reader']) {
      const res = await t.as(a)({ url: '/api/v1/diagnosis/requests?view=worklist' });
      expect(res.statusCode, `${a}: ${res.body}`).toBe(200);
    }
  });

  it('covers every hour of every center from 30 days before to 60 days after, with one duty head per shift', async () => {
    const shifts = await q<{ center_id: string; starts_at: string; ends_at: string; role: string; day: string }>(sql`
      select center_id, starts_at::text, ends_at::text, role, day::text from diagnosis_shifts order by center_id, starts_at`);
    expect(shifts.length).toBe(summary.shifts);
    const byCenter = new Map<string, typeof shifts>();
    for (const s of shifts) byCenter.set(s.center_id, [...(byCenter.get(s.center_id) ?? []), s]);
    expect(byCenter.size).toBe(5);
    const from = new Date('2026-10-23T08:00:00+08:00').getTime();
    const to = new Date('2027-01-21T23:00:00+08:00').getTime();
    for (const list of byCenter.values()) {
      for (let at = from; at < to; at += 3_600_000) {
        const on = list.filter((s) => new Date(s.starts_at).getTime() <= at && at < new Date(s.ends_at).getTime());
        expect(on.length, new Date(at).toISOString()).toBeGreaterThan(0);
        expect(on.filter((s) => s.role === 'duty-head').length, new Date(at).toISOString()).toBe(1);
      }
    }
    // The roster read through the service, as the readers' screen reads it, covers now.
    const [imaging] = await q<{ id: string }>(sql`select id from diagnosis_centers where type = 'imaging'`);
    const res = await t.as('center.reader')({ url: `/api/v1/diagnosis/centers/${imaging!.id}/roster?from=2026-11-22&to=2026-11-22` });
    expect(res.statusCode, res.body).toBe(200);
    const now = new Date(NOW).getTime();
    const onNow = (res.json() as { startsAt: string; endsAt: string }[]).filter((s) => new Date(s.startsAt).getTime() <= now && now < new Date(s.endsAt).getTime());
    expect(onNow.length).toBeGreaterThanOrEqual(4);
  });
});

describe('history', () => {
  it('has the documented volumes', () => {
    const v = demoDiagnosisVolumes(RESIDENTS);
    expect(demoDiagnosisVolumes(390_000)).toMatchObject({ imaging: 6240, ecg: 4290, lab: 1950, pathology: 390, total: 12_870 });
    expect(v).toMatchObject({ imaging: 320, ecg: 220, lab: 100, pathology: 20, total: 660 });
    expect(summary.history).toMatchObject({ imaging: 320, ecg: 220, lab: 100, pathology: 20 });
    expect(summary.history.completed + summary.history.cancelled).toBe(v.total);
  });

  it('mostly on time, with the documented share of late, cancelled, returned and critical requests', async () => {
    const h = summary.history;
    const total = h.completed + h.cancelled;
    // cancelShare 0.8 %: 660 draws → expected ≈ 5.
    expect(h.cancelled).toBeGreaterThanOrEqual(1);
    expect(h.cancelled).toBeLessThanOrEqual(18);
    // On time 88–97 % per center and urgency: late between 2 % and 10 % of the completed.
    expect(h.late / h.completed).toBeGreaterThan(0.02);
    expect(h.late / h.completed).toBeLessThan(0.1);
    // QC returns 0.5–1.5 % (≈ 8), critical values ≈ 1 % of completed (≈ 6).
    expect(h.returned).toBeLessThanOrEqual(25);
    expect(h.critical).toBeGreaterThanOrEqual(2);
    expect(h.critical).toBeLessThanOrEqual(30);
    expect(total).toBe(660);
    // The same figures from the rows a statistics query reads: report deadlines met, the late ones past their due time
    // (the live queue adds a few on-time completions, so at least as many as the history's late ones).
    const [d] = await q<{ met: number; late: number; cancelled: number }>(sql`
      select count(*) filter (where state = 'met')::int as met, count(*) filter (where state = 'met' and met_at > due_at)::int as late,
             count(*) filter (where state = 'cancelled')::int as cancelled
      from deadlines where subject_type = 'diagnosis' and step not in ('critical-value-ack', 'consultation-respond')`);
    expect(d!.late).toBe(h.late);
    expect(d!.met).toBeGreaterThanOrEqual(h.completed);
    expect(d!.cancelled).toBeGreaterThanOrEqual(h.cancelled);
    const [overdueFlag] = await q<{ bad: number }>(sql`
      select count(*)::int as bad from deadlines where subject_type = 'diagnosis' and state = 'met' and ((met_at > due_at) <> (overdue_at is not null))`);
    expect(overdueFlag!.bad).toBe(0);
  });

  it('turnaround medians are inside the limits, per center and urgency', async () => {
    const rows = await q<{ type: string; urgency: string; median_min: number; n: number }>(sql`
      select c.type, r.urgency, percentile_cont(0.5) within group (order by extract(epoch from r.completed_at - r.submitted_at) / 60) as median_min, count(*)::int as n
      from diagnosis_requests r join diagnosis_centers c on c.id = r.center_id where r.status = 'completed' and r.kind <> 'consultation' and r.completed_at < ${NOW}::timestamptz - interval '2 days'
      group by c.type, r.urgency`);
    const limit = (type: string, urgency: string) => {
      const o = DEMO_DIAGNOSIS_CALIBRATION.overrides.find((x) => x.center === type && x.urgency === urgency);
      if (o) return o.minutes;
      return { imaging: { emergency: 30, urgent: 30, routine: 480 }, ecg: { emergency: 30, urgent: 30, routine: 480 }, lab: { emergency: 60, urgent: 120, routine: 1440 }, pathology: { emergency: 1440, urgent: 1440, routine: 1440 } }[type as 'lab']![urgency as 'routine'];
    };
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows.filter((x) => x.n >= 10)) {
      expect(Number(r.median_min), `${r.type}/${r.urgency}`).toBeLessThan(limit(r.type, r.urgency));
      expect(Number(r.median_min), `${r.type}/${r.urgency}`).toBeGreaterThan(1);
    }
  });

  it('every completed request has a final report with its versions; pathology is signed by a second pathologist', async () => {
    // A concluded teleconsultation is a completed request without a report: its outcome is the opinions and the decision.
    const [bad] = await q<{ n: number }>(sql`
      select count(*)::int as n from diagnosis_requests r left join diagnosis_reports p on p.request_id = r.id
      where r.status = 'completed' and r.kind <> 'consultation' and (p.id is null or p.status not in ('final', 'amended') or p.version <> (select count(*) from diagnosis_report_versions v where v.report_id = p.id))`);
    expect(bad!.n).toBe(0);
    const [path] = await q<{ n: number; signed: number }>(sql`
      select count(*)::int as n, count(*) filter (where p.signed_off_by is not null and p.signed_off_by <> p.author_user_id)::int as signed
      from diagnosis_reports p join diagnosis_requests r on r.id = p.request_id join diagnosis_centers c on c.id = r.center_id where c.type = 'pathology' and r.status = 'completed'`);
    expect(path!.n).toBeGreaterThan(0);
    expect(path!.signed).toBe(path!.n);
    // Timelines start with submit and complete with finalize or sign-off; every critical value of the history is acknowledged.
    const [timeline] = await q<{ n: number }>(sql`
      select count(*)::int as n from diagnosis_requests r where r.status = 'completed' and r.kind <> 'consultation' and not exists (
        select 1 from diagnosis_events e where e.request_id = r.id and e.action in ('finalize', 'sign-off') and e.to_status = 'completed')`);
    expect(timeline!.n).toBe(0);
    const [ack] = await q<{ n: number; open: number }>(sql`
      select count(*)::int as n, count(*) filter (where state = 'open')::int as open from diagnosis_critical_values`);
    expect(ack!.n).toBeGreaterThanOrEqual(summary.history.critical);
    expect(ack!.open).toBe(1); // the live STEMI for 河田镇中心卫生院
  });
});

describe('live queue', () => {
  it('has 20–40 requests created through the service, in several states', () => {
    expect(summary.live.requests).toBeGreaterThanOrEqual(20);
    expect(summary.live.requests).toBeLessThanOrEqual(40);
    for (const status of ['requested', 'in-progress', 'returned', 'preliminary', 'awaiting-signoff', 'completed']) {
      expect(summary.live.byStatus[status], status).toBeGreaterThan(0);
    }
    expect(summary.live.overdue).toBeGreaterThanOrEqual(5);
  });

  it('each center’s worklist is non-empty and ordered overdue first, then by due time', async () => {
    const readers: Record<string, string> = { imaging: 'center.reader', ecg: 'ecg.reader', lab: 'lab.reader', pathology: 'pathology.reader' };
    for (const [type, user] of Object.entries(readers)) {
      const [center] = await q<{ id: string }>(sql`select id from diagnosis_centers where type = ${type}`);
      const res = await t.as(user)({ url: `/api/v1/diagnosis/requests?view=worklist&centerId=${center!.id}&pageSize=100` });
      expect(res.statusCode, res.body).toBe(200);
      const items = (res.json() as Page<DiagnosisListItemDto>).items;
      expect(items.length, type).toBeGreaterThan(0);
      expect(items[0]!.overdue, type).toBe(true);
      for (let i = 1; i < items.length; i++) {
        const a = items[i - 1]!;
        const b = items[i]!;
        expect(Number(a.overdue) >= Number(b.overdue), `${type} #${i}`).toBe(true);
        if (a.overdue === b.overdue && a.dueAt && b.dueAt) expect(a.dueAt <= b.dueAt, `${type} #${i}`).toBe(true);
      }
    }
  });

  it('the township doctor has an unacknowledged critical value, and the awaiting sign-off report can be signed by the other pathologist', async () => {
    const res = await t.as('township.doctor')({ url: '/api/v1/diagnosis/critical-values?state=open' });
    expect(res.statusCode, res.body).toBe(200);
    const open = (res.json() as Page<{ finding: string; deadline: { overdue: boolean } | null }>).items;
    expect(open.length).toBe(1);
    expect(open[0]!.finding).toContain('ST 段抬高');
    expect(open[0]!.deadline?.overdue).toBe(true);
    const [waiting] = await q<{ id: string; author: string }>(sql`
      select r.id, u.username as author from diagnosis_requests r join diagnosis_reports p on p.request_id = r.id join users u on u.id = p.author_user_id where r.status = 'awaiting-signoff'`);
    const signer = waiting!.author === 'pathology.reader' ? 'pathology.head' : 'pathology.reader';
    const signed = await t.as(signer)({ method: 'POST', url: `/api/v1/diagnosis/requests/${waiting!.id}/report/sign-off` });
    expect(signed.statusCode, signed.body).toBe(200);
  });

  it('every attachment’s bytes are stored and match their SHA-256', async () => {
    const rows = await q<{ id: string; request_id: string; sha256: string; kind: string }>(sql`select id, request_id, sha256, kind from diagnosis_attachments`);
    expect(rows.length).toBe(summary.live.attachments);
    expect(rows.filter((r) => r.kind === 'dicom').length).toBeGreaterThanOrEqual(10);
    expect(rows.filter((r) => r.kind === 'ecg').length).toBeGreaterThanOrEqual(5);
    const [requester] = await q<{ username: string }>(sql`select 'center.reader' as username`);
    for (const r of rows) {
      const [type] = await q<{ type: string }>(sql`select c.type from diagnosis_requests q join diagnosis_centers c on c.id = q.center_id where q.id = ${r.request_id}`);
      const user = type!.type === 'imaging' ? requester!.username : 'ecg.reader';
      const res = await t.as(user)({ url: `/api/v1/diagnosis/requests/${r.request_id}/attachments/${r.id}` });
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
      expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(r.sha256);
    }
  });
});

describe('teleconsultations', () => {
  it('are created through the service in every state', async () => {
    expect(summary.consultations.failed).toEqual([]);
    expect(summary.consultations.byStatus).toEqual({ requested: 2, scheduled: 2, 'in-progress': 1, 'opinion-given': 1, concluded: 3, declined: 1, cancelled: 1 });
    const rows = await q<{ kind: string; specialty: string; org: string; tier: string }>(sql`
      select c.kind, c.specialty, o.name as org, o.tier from diagnosis_consultations c join diagnosis_requests r on r.id = c.request_id
      join organizations o on o.id = r.requester_organization_id where ${liveConsultation(sql`r.id`)}`);
    expect(rows.length).toBe(11);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['emergency', 'outpatient', 'inpatient']));
    expect(new Set(rows.map((r) => r.specialty)).size).toBeGreaterThanOrEqual(5);
    expect(rows.some((r) => r.tier === 'township-health-center' || r.tier === 'community-health-center')).toBe(true);
    // The county's other hospitals invite too (中医院 and 妇幼保健院), for patients referred to them.
    expect(rows.filter((r) => r.org === '长汀县中医院' || r.org === '长汀县妇幼保健院').length, JSON.stringify(rows.map((r) => r.org))).toBe(2);
    // Request numbers were reserved with the history's: in creation order, not all after the year's.
    const [numbers] = await q<{ bad: number }>(sql`
      select count(*)::int as bad from diagnosis_requests a join diagnosis_requests b on a.submitted_at < b.submitted_at and a.number > b.number
      where a.kind = 'consultation' and b.kind = 'consultation'`);
    expect(numbers!.bad).toBe(0);
  });

  it('every one records the patient’s written consent, signed before it was requested', async () => {
    const [c] = await q<{ n: number; bad: number; guardians: number }>(sql`
      select count(*)::int as n,
             count(*) filter (where c.consent_signed_at > r.submitted_at or c.consent_form_reference = '' or c.consent_signer_name = '' or c.consent_recorded_at <> r.submitted_at)::int as bad,
             count(*) filter (where c.consent_signer = 'guardian')::int as guardians
      from diagnosis_consultations c join diagnosis_requests r on r.id = c.request_id where ${liveConsultation(sql`r.id`)}`);
    expect(c!.n).toBe(11);
    expect(c!.bad).toBe(0);
    expect(c!.guardians).toBeGreaterThanOrEqual(1); // the febrile child
    const [audit] = await q<{ n: number }>(sql`select count(distinct resource_id)::int as n from audit_events where resource_type = 'DiagnosisConsultation' and action = 'create'`);
    expect(audit!.n).toBe(11);
  });

  it('scheduled ones have a session and a video room; concluded ones two experts’ opinions and the inviting doctor’s decision', async () => {
    const rows = await q<{ status: string; video_link: string | null; scheduled_start: string | null; opinions: number; experts: number; decision: string | null; decline_reason: string | null; cancel_reason: string | null }>(sql`
      select c.status, c.video_link, c.scheduled_start::text, c.decision, c.decline_reason, r.cancel_reason,
             (select count(distinct o.author_user_id)::int from diagnosis_consultation_opinions o where o.request_id = c.request_id) as opinions,
             (select count(*)::int from diagnosis_consultation_experts e where e.request_id = c.request_id) as experts
      from diagnosis_consultations c join diagnosis_requests r on r.id = c.request_id where ${liveConsultation(sql`r.id`)}`);
    for (const r of rows.filter((x) => ['scheduled', 'in-progress', 'opinion-given', 'concluded'].includes(x.status))) {
      expect(r.video_link, r.status).toMatch(/^https:\/\//);
      expect(r.scheduled_start, r.status).not.toBeNull();
    }
    const scheduledAhead = rows.filter((x) => x.status === 'scheduled' && new Date(x.scheduled_start!).getTime() > new Date(NOW).getTime());
    expect(scheduledAhead.length).toBe(2);
    for (const r of rows.filter((x) => x.status === 'concluded' || x.status === 'opinion-given')) {
      expect(r.opinions, r.status).toBe(2);
      expect(r.experts, r.status).toBe(2);
    }
    for (const r of rows.filter((x) => x.status === 'concluded')) expect(r.decision).toContain('会诊意见');
    expect(rows.find((x) => x.status === 'declined')!.decline_reason).toContain('眼科');
    expect(rows.find((x) => x.status === 'cancelled')!.cancel_reason).toBeTruthy();
  });

  it('the unanswered emergency one is overdue and escalated by the worker’s tick; every answer came within its limit', async () => {
    const deadlines = await q<{ state: string; overdue: boolean; late: boolean; kind: string; escalations: number }>(sql`
      select d.state, d.overdue_at is not null as overdue, (d.met_at > d.due_at) as late, c.kind,
             (select count(*)::int from deadline_escalations e where e.deadline_id = d.id) as escalations
      from deadlines d join diagnosis_consultations c on c.request_id = d.subject_id where d.subject_type = 'diagnosis' and d.step = 'consultation-respond'
        and ${liveConsultation(sql`d.subject_id`)}`);
    expect(deadlines.length).toBe(11);
    const overdue = deadlines.filter((d) => d.overdue);
    expect(overdue.length).toBe(1);
    expect(overdue[0]).toMatchObject({ kind: 'emergency', state: 'running' });
    expect(overdue[0]!.escalations).toBeGreaterThanOrEqual(1);
    expect(summary.consultations.overdue).toBeGreaterThanOrEqual(1);
    expect(deadlines.filter((d) => d.state === 'met').length).toBe(8);
    expect(deadlines.filter((d) => d.late === true).length).toBe(0);
    expect(deadlines.filter((d) => d.state === 'cancelled').length).toBe(1);
    // Another tick at the same instant finds nothing more to fire for it (each level fires once).
    const again = await t.services.deadlines.runDue(new Date(NOW));
    expect(again.fired).toBe(0);
  });

  it('township.doctor sees its consultations and county.specialist has invitations, through the API', async () => {
    const sent = await t.as('township.doctor')({ url: '/api/v1/diagnosis/consultations?view=sent&pageSize=50' });
    expect(sent.statusCode, sent.body).toBe(200);
    const mine = (sent.json() as Page<{ id: string; status: string }>).items;
    expect(mine.length).toBeGreaterThanOrEqual(3);
    const waiting = mine.find((x) => x.status === 'opinion-given');
    expect(waiting).toBeDefined();
    const detail = await t.as('township.doctor')({ url: `/api/v1/diagnosis/consultations/${waiting!.id}` });
    expect(detail.statusCode, detail.body).toBe(200);
    expect((detail.json() as { allowedActions: string[] }).allowedActions).toContain('conclude');
    const invited = await t.as('county.specialist')({ url: '/api/v1/diagnosis/consultations?view=expert&pageSize=50' });
    expect(invited.statusCode, invited.body).toBe(200);
    const items = (invited.json() as Page<{ id: string; status: string }>).items;
    expect(items.length).toBeGreaterThanOrEqual(5);
    const pending = await q<{ n: number }>(sql`
      select count(*)::int as n from diagnosis_consultation_experts e join users u on u.id = e.user_id where u.username = 'county.specialist' and e.state = 'invited'`);
    expect(pending[0]!.n).toBeGreaterThanOrEqual(1);
  });
});

describe('teleconsultation history', () => {
  type HistRow = {
    id: string; number: string; status: string; request_status: string; kind: string; urgency: string; specialty: string; requester_org: string;
    submitted_at: string; completed_at: string | null; decided_at: string | null; decision: string | null; decline_reason: string | null; cancel_reason: string | null;
    consent_signed_at: string; consent_form_reference: string; consent_signer_name: string; consent_recorded_at: string;
    scheduled_start: string | null; scheduled_at: string | null; started_at: string | null; video_link: string | null;
    experts: number; accepted: number; opinions: number; opinion_authors: number; expert_users: string[] | string | null;
  };
  let rows: HistRow[] = [];
  beforeAll(async () => {
    rows = await q<HistRow>(sql`
      select r.id, r.number, c.status, r.status as request_status, c.kind, r.urgency, c.specialty, r.requester_organization_id as requester_org,
             r.submitted_at::text, r.completed_at::text, c.decided_at::text, c.decision, c.decline_reason, r.cancel_reason,
             c.consent_signed_at::text, c.consent_form_reference, c.consent_signer_name, c.consent_recorded_at::text,
             c.scheduled_start::text, c.scheduled_at::text, c.started_at::text, c.video_link,
             (select count(*)::int from diagnosis_consultation_experts e where e.request_id = r.id) as experts,
             (select count(*)::int from diagnosis_consultation_experts e where e.request_id = r.id and e.state = 'accepted') as accepted,
             (select count(*)::int from diagnosis_consultation_opinions o where o.request_id = r.id) as opinions,
             (select count(distinct o.author_user_id)::int from diagnosis_consultation_opinions o where o.request_id = r.id) as opinion_authors,
             (select array_agg(e.user_id order by e.user_id) from diagnosis_consultation_experts e where e.request_id = r.id) as expert_users
      from diagnosis_requests r join diagnosis_consultations c on c.request_id = r.id
      where not ${liveConsultation(sql`r.id`)} order by r.submitted_at`);
  });

  it('has the documented volume, mostly concluded, a few declined or withdrawn', () => {
    expect(demoConsultationVolume(390_000)).toBe(312);
    expect(demoConsultationVolume(RESIDENTS)).toBe(16);
    expect(rows.length).toBe(16);
    expect(summary.history.consultation.requests).toBe(16);
    const by = (st: string) => rows.filter((r) => r.status === st).length;
    expect(by('concluded') + by('declined') + by('cancelled')).toBe(rows.length);
    // Declines 4 %, withdrawals 3 %: of 16, at most a handful.
    expect(by('concluded')).toBeGreaterThanOrEqual(12);
    expect(by('declined') + by('cancelled')).toBeLessThanOrEqual(4);
    expect(summary.history.consultation.byStatus).toEqual(Object.fromEntries(['cancelled', 'concluded', 'declined'].filter((st) => by(st) > 0).map((st) => [st, by(st)])));
    const first = new Date(rows[0]!.submitted_at).getTime();
    const last = new Date(rows[rows.length - 1]!.submitted_at).getTime();
    expect(new Date(NOW).getTime() - first).toBeGreaterThan(300 * 86_400_000);
    expect(last).toBeLessThan(new Date(NOW).getTime());
  });

  it('is spread over kinds, specialties, requesting facilities and experts', () => {
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['emergency', 'outpatient', 'inpatient']));
    expect(new Set(rows.map((r) => r.specialty)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(rows.map((r) => r.requester_org)).size).toBeGreaterThanOrEqual(4);
    const experts = new Set(rows.flatMap((r) => (Array.isArray(r.expert_users) ? r.expert_users : String(r.expert_users ?? '').replace(/[{}]/g, '').split(',').filter(Boolean))));
    expect(experts.size).toBeGreaterThanOrEqual(4);
    for (const r of rows.filter((x) => x.kind === 'emergency')) expect(r.urgency).toBe('emergency');
  });

  it('every one has the written consent, signed before it was requested and within 30 days', () => {
    for (const r of rows) {
      const submitted = new Date(r.submitted_at).getTime();
      const signed = new Date(r.consent_signed_at).getTime();
      expect(signed, r.number).toBeLessThan(submitted);
      expect(submitted - signed, r.number).toBeLessThan(30 * 86_400_000);
      expect(r.consent_form_reference, r.number).toMatch(/-YCHZ-ZQTY-\d{8}-H\d{4}$/);
      expect(r.consent_signer_name, r.number).not.toBe('');
      expect(new Date(r.consent_recorded_at).getTime(), r.number).toBe(submitted);
    }
  });

  it('concluded ones have two accepted experts, two opinions, a session and the inviting doctor’s decision; the others their reason', () => {
    for (const r of rows) {
      if (r.status === 'concluded') {
        expect(r, r.number).toMatchObject({ request_status: 'completed', experts: 2, accepted: 2, opinions: 2, opinion_authors: 2 });
        expect(r.decision, r.number).toContain('采纳会诊意见');
        expect(r.completed_at, r.number).toBe(r.decided_at);
        expect(r.video_link, r.number).toMatch(/^https:\/\//);
        const [submitted, scheduledAt, start, started, decided] = [r.submitted_at, r.scheduled_at!, r.scheduled_start!, r.started_at!, r.decided_at!].map((x) => new Date(x).getTime());
        expect(submitted! < scheduledAt! && scheduledAt! < start! && start! <= started! && started! < decided!, r.number).toBe(true);
      } else {
        expect(r.request_status, r.number).toBe('cancelled');
        expect(r.cancel_reason, r.number).toBeTruthy();
        expect(r.experts, r.number).toBe(0);
        if (r.status === 'declined') expect(r.decline_reason, r.number).toBe(r.cancel_reason);
      }
    }
  });

  it('timelines start with submit and end in the consultation’s status, in time order', async () => {
    const events = await q<{ request_id: string; action: string; from_status: string | null; to_status: string; at: string }>(sql`
      select e.request_id, e.action, e.from_status, e.to_status, e.at::text from diagnosis_consultation_events e
      where not ${liveConsultation(sql`e.request_id`)} order by e.request_id, e.seq`);
    const byId = new Map<string, typeof events>();
    for (const e of events) byId.set(e.request_id, [...(byId.get(e.request_id) ?? []), e]);
    expect(byId.size).toBe(rows.length);
    for (const r of rows) {
      const list = byId.get(r.id)!;
      expect(list[0]!.action, r.number).toBe('submit');
      expect(list[list.length - 1]!.to_status, r.number).toBe(r.status);
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.from_status, `${r.number} #${i}`).toBe(list[i - 1]!.to_status);
        expect(new Date(list[i]!.at).getTime() >= new Date(list[i - 1]!.at).getTime(), `${r.number} #${i}`).toBe(true);
      }
      if (r.status === 'concluded') expect(list.map((e) => e.action).filter((a) => a === 'opinion').length, r.number).toBe(2);
    }
  });

  it('response deadlines are met mostly on time; the late ones overdue and escalated as the worker would have', async () => {
    const d = await q<{ state: string; late: boolean | null; overdue: boolean; escalations: number; fired_events: number; status: string; met_at: string | null; scheduled_at: string | null }>(sql`
      select d.state, d.met_at > d.due_at as late, d.overdue_at is not null as overdue, d.met_at::text, c.status, c.scheduled_at::text,
             (select count(*)::int from deadline_escalations x where x.deadline_id = d.id) as escalations,
             (select count(*)::int from diagnosis_events e where e.request_id = d.subject_id and e.action in ('overdue', 'escalated')) as fired_events
      from deadlines d join diagnosis_consultations c on c.request_id = d.subject_id
      where d.subject_type = 'diagnosis' and d.step = 'consultation-respond' and not ${liveConsultation(sql`d.subject_id`)}`);
    expect(d.length).toBe(rows.length);
    expect(d.filter((x) => x.state === 'cancelled').length).toBe(rows.filter((r) => r.status === 'cancelled').length);
    const met = d.filter((x) => x.state === 'met');
    expect(met.length).toBe(rows.filter((r) => r.status !== 'cancelled').length);
    // On time 95 %: of ~16, at most a few late (the default size has ~15 of 312).
    expect(met.filter((x) => x.late).length).toBe(summary.history.consultation.late);
    expect(summary.history.consultation.late).toBeLessThanOrEqual(4);
    for (const x of d) {
      expect(x.overdue).toBe(x.late === true);
      expect(x.escalations).toBe(x.fired_events);
      if (x.late) expect(x.escalations).toBeGreaterThanOrEqual(1);
      // Scheduling is the center's answer: the clock was met at that instant.
      if (x.status === 'concluded') expect(x.met_at).toBe(x.scheduled_at);
    }
  });

  it('request numbers rise with creation time across the whole year, consultations and readings together', async () => {
    const [bad] = await q<{ n: number }>(sql`
      select count(*)::int as n from diagnosis_requests a join diagnosis_requests b on a.submitted_at < b.submitted_at and a.number > b.number`);
    expect(bad!.n).toBe(0);
  });

  it('an expert of a concluded one reads it, its opinions and its timeline through the API', async () => {
    const r = rows.find((x) => x.status === 'concluded')!;
    const users = await q<{ username: string }>(sql`
      select u.username from diagnosis_consultation_experts e join users u on u.id = e.user_id where e.request_id = ${r.id} and u.username = 'county.specialist'`);
    expect(users.length).toBe(1);
    const res = await t.as('county.specialist')({ url: `/api/v1/diagnosis/consultations/${r.id}` });
    expect(res.statusCode, res.body).toBe(200);
    const dto = res.json() as { status: string; opinions: unknown[]; decision: { text: string } | null; consent: { formReference: string }; experts: unknown[] };
    expect(dto.status).toBe('concluded');
    expect(dto.opinions.length).toBe(2);
    expect(dto.experts.length).toBe(2);
    expect(dto.decision?.text).toBe(r.decision);
    expect(dto.consent.formReference).toBe(r.consent_form_reference);
    const tl = await t.as('county.specialist')({ url: `/api/v1/diagnosis/consultations/${r.id}/timeline` });
    expect(tl.statusCode, tl.body).toBe(200);
    expect((tl.json() as { action: string }[]).map((e) => e.action)).toContain('conclude');
  });
});

describe('reseeding', () => {
  it('is refused cleanly and changes nothing', async () => {
    const before = await q<{ n: number }>(sql`select (select count(*) from diagnosis_requests) + (select count(*) from diagnosis_shifts) + (select count(*) from users) as n`);
    const again = await seedDemoDiagnosis(t.database.db, t.services, { seed: 7, now: new Date(NOW), residents: RESIDENTS });
    expect(again.skipped).toBe(true);
    const after = await q<{ n: number }>(sql`select (select count(*) from diagnosis_requests) + (select count(*) from diagnosis_shifts) + (select count(*) from users) as n`);
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });
});
