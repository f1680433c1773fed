import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';

/** Start of a China Standard Time day as an instant (ISO string). */
const cstStart = (day: string): string => new Date(`${day}T00:00:00+08:00`).toISOString();
const cstNextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000).toISOString();

/**
 * One row per request created on the days `from`..`to` (China Standard Time, inclusive), cancelled ones excluded —
 * the single definition behind both the turnaround statistics and the indicators 远程诊断量 / 远程诊断及时率, so the two
 * can never disagree. Columns: id, center_id, modality, urgency, requester_organization_id, reader_user_id (author of
 * the report), day and month (CST), completed, report_minutes (created → final report), claim_minutes (created → first
 * claim, from the timeline: a claim released later still started the reading), net_minutes (report minus the time the
 * report clock stood paused for image retakes), deadline_met, on_time (met no later than due — the due time already
 * moved by the pauses). The report deadline is the newest one of the request (critical-value clocks have their own
 * subject, the critical value).
 */
export function turnaroundFactsSql(range: { from: string; to: string }, where: SQL = sql`true`): SQL {
  return sql`select r.id, r.center_id, r.modality, r.urgency, r.requester_organization_id, rep.author_user_id as reader_user_id,
      ((r.created_at at time zone 'UTC') + interval '8 hours')::date as day,
      to_char((r.created_at at time zone 'UTC') + interval '8 hours', 'YYYY-MM') as month,
      (r.status = 'completed') as completed,
      extract(epoch from (r.completed_at - r.created_at)) / 60 as report_minutes,
      extract(epoch from (fc.at - r.created_at)) / 60 as claim_minutes,
      (extract(epoch from (r.completed_at - r.created_at)) * 1000 - coalesce(dl.paused_total_ms, 0)) / 60000 as net_minutes,
      coalesce(r.status = 'completed' and dl.state = 'met', false) as deadline_met,
      coalesce(r.status = 'completed' and dl.state = 'met' and dl.met_at <= dl.due_at, false) as on_time
    from diagnosis_requests r
    left join diagnosis_reports rep on rep.request_id = r.id
    left join lateral (select min(e.at) as at from diagnosis_events e where e.request_id = r.id and e.action = 'claim') fc on true
    left join lateral (select d.state, d.met_at, d.due_at, d.paused_total_ms from deadlines d
                       where d.subject_type = 'diagnosis' and d.subject_id = r.id and d.step <> 'critical-value-ack'
                       order by d.started_at desc, d.id desc limit 1) dl on true
    where r.status <> 'cancelled' and r.kind = 'exam'
      and r.created_at >= ${cstStart(range.from)}::timestamptz and r.created_at < ${cstNextDay(range.to)}::timestamptz
      and ${where}`;
}

export interface TurnaroundFactRow {
  center_id: string;
  modality: string;
  urgency: string;
  requester_organization_id: string;
  reader_user_id: string | null;
  month: string;
  completed: boolean;
  report_minutes: string | number | null;
  claim_minutes: string | number | null;
  net_minutes: string | number | null;
  deadline_met: boolean;
  on_time: boolean;
}

/** Database side of the turnaround statistics (the rest of the module's tables are read through DiagnosisRepository). */
export class DiagnosisStatisticsRepository {
  constructor(private readonly db: Db) {}

  /**
   * The facts of the centers' requests in the period, at most `limit` rows — the caller asks for one more than it
   * accepts, to refuse an oversized period loudly instead of computing from a truncated set.
   */
  async facts(f: { centerIds: readonly string[]; from: string; to: string; urgency?: string | undefined }, limit: number): Promise<TurnaroundFactRow[]> {
    if (f.centerIds.length === 0) return [];
    const conds: SQL[] = [sql`r.center_id = any(${sql.param([...f.centerIds])}::text[])`];
    if (f.urgency) conds.push(sql`r.urgency = ${f.urgency}`);
    return queryRows<TurnaroundFactRow>(
      this.db,
      sql`select center_id, modality, urgency, requester_organization_id, reader_user_id, month, completed, report_minutes, claim_minutes,
                 net_minutes, deadline_met, on_time
          from (${turnaroundFactsSql({ from: f.from, to: f.to }, sql.join(conds, sql` and `))}) facts
          limit ${limit}`,
    );
  }
}
