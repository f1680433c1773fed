import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ActivityInput } from '../../contracts/activity.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError, invalid, isAppError } from '../../shared/errors.js';
import type { NetworkService } from '../network/index.js';
import type { PatientService } from '../patient/index.js';
import { activitiesFromBundle, statusLine, type EntryOutcome } from './fhir-activity.mapping.js';

/** The Encounter element a field of the activity contract comes from, for error paths a FHIR client understands. */
const fhirElementOf: Record<string, string> = {
  facilityId: 'serviceProvider', facilityDivisionCode: 'serviceProvider', residenceDivisionCode: 'subject', patientId: 'subject',
  startDate: 'period.start', endDate: 'period.end', class: 'class', diagnoses: 'diagnosis', departmentSpecialty: 'serviceType',
  source: 'identifier', sourceRecordId: 'identifier', referralId: 'basedOn', viaReferral: 'basedOn',
};

/** The part of IndicatorService the façade records through. */
export interface ActivityRecorderPort {
  recordActivities(
    ctx: RequestContext,
    inputs: readonly ActivityInput[],
    opts?: { allOrNothing?: boolean },
  ): Promise<{ results: ({ ok: true; id: string; duplicate: boolean } | { ok: false; error: AppError })[] }>;
}

/** How the HTTP layer turns an error into a status and an OperationOutcome (the one map lives in http/). */
export interface ErrorRendering {
  statusOf(e: AppError): number;
  outcomeOf(e: AppError, status: number): OperationOutcome;
}

export type ActivityBundleAnswer = { status: 200; body: Bundle } | { status: 400 | 403 | 404 | 409 | 422; body: OperationOutcome };

/**
 * `POST /fhir` with a batch or transaction Bundle of Encounters (+ Claim / ExplanationOfBenefit): maps it
 * (fhir-activity.mapping.ts), looks up the residence of referenced platform patients (PatientService: access rule
 * and audit), and records through the indicators service. A batch answers a `batch-response` with one status per
 * entry; a transaction is checked whole first and records nothing when any entry is invalid (400 naming the entries).
 */
export class FhirActivityService {
  constructor(private readonly deps: { indicators: ActivityRecorderPort; patients: PatientService; network: NetworkService }) {}

  async submit(ctx: RequestContext, body: unknown, render: ErrorRendering): Promise<ActivityBundleAnswer> {
    const mapping = activitiesFromBundle(body);
    const entries = mapping.entries;
    const transaction = mapping.type === 'transaction';
    const setError = (entry: number, error: AppError) => {
      entries[entry] = { kind: 'error', error };
    };

    // Residence of the platform patients the Encounters reference (read with the caller's access).
    const residences = new Map<string, string | AppError>();
    for (const a of mapping.activities) {
      const id = a.needsResidenceOf;
      if (!id || residences.has(id) || entries[a.entry]!.kind === 'error') continue;
      try {
        const p = await this.deps.patients.get(ctx, id);
        residences.set(id, p.residenceDivisionCode ?? invalid(`Patient/${id} 没有居住地区划代码`, 'subject'));
      } catch (e) {
        if (!isAppError(e)) throw e;
        residences.set(id, new AppError(e.code, `Bundle.entry[${a.entry}].resource.subject: Patient/${id}: ${e.message}`, { path: `Bundle.entry[${a.entry}].resource.subject` }));
      }
    }
    const ready: { entry: number; input: ActivityInput }[] = [];
    for (const a of mapping.activities) {
      if (entries[a.entry]!.kind === 'error') continue;
      let residence = a.input.residenceDivisionCode;
      if (!residence && a.needsResidenceOf) {
        const r = residences.get(a.needsResidenceOf);
        if (r instanceof AppError) {
          setError(a.entry, r.path ? r : new AppError(r.code, r.message, { path: `Bundle.entry[${a.entry}].resource.subject` }));
          continue;
        }
        residence = r;
      }
      ready.push({ entry: a.entry, input: { ...a.input, residenceDivisionCode: residence! } });
    }

    if (transaction) {
      const failed = entries.flatMap((e, i) => (e.kind === 'error' ? [{ i, error: e.error }] : []));
      if (failed.length) return this.refuseTransaction(failed, render);
    }

    const outcomes = new Map<number, { id: string; duplicate: boolean }>();
    if (ready.length) {
      const usable = ready.filter((r) => entries[r.entry]!.kind !== 'error');
      // A transaction is recorded all or nothing by the indicators service itself (one set of checks, one write).
      const { results } = await this.deps.indicators.recordActivities(ctx, usable.map((r) => r.input), { allOrNothing: transaction });
      results.forEach((res, k) => {
        const entry = usable[k]!.entry;
        if (res.ok) outcomes.set(entry, { id: res.id, duplicate: res.duplicate });
        else {
          const element = res.error.path ? (fhirElementOf[res.error.path.split('.')[0]!] ?? res.error.path) : null;
          const at = `Bundle.entry[${entry}].resource${element ? `.${element}` : ''}`;
          setError(entry, new AppError(res.error.code, `${at}: ${res.error.message}`, { path: at, detail: res.error.detail }));
        }
      });
      if (transaction) {
        // Rows answered "not recorded" only because another row was refused are not named as failures.
        const failed = entries.flatMap((e, i) => (e.kind === 'error' && e.error.detail?.notRecorded !== true ? [{ i, error: e.error }] : []));
        if (failed.length) return this.refuseTransaction(failed, render);
      }
    }

    return { status: 200, body: this.responseBundle(mapping.type, entries, mapping.activities.map((a) => a.entry), outcomes, render) };
  }

  private refuseTransaction(failed: { i: number; error: AppError }[], render: ErrorRendering): ActivityBundleAnswer {
    const issue: OperationOutcomeIssue[] = failed.flatMap(({ error }) => render.outcomeOf(error, render.statusOf(error)).issue ?? []);
    issue.unshift({
      severity: 'error',
      code: 'processing',
      diagnostics: `事务未执行：${failed.length} 个条目无效（Bundle.entry[${failed.map((f) => f.i).join('], [')}]），未记录任何条目`,
    });
    const statuses = new Set(failed.map((f) => render.statusOf(f.error)));
    const status = statuses.size === 1 ? ([...statuses][0] as 400 | 403 | 404 | 409 | 422) : 400;
    return { status: [400, 403, 404, 409, 422].includes(status) ? status : 400, body: { resourceType: 'OperationOutcome', issue } };
  }

  private responseBundle(
    type: 'batch' | 'transaction',
    entries: EntryOutcome[],
    encounterEntryOf: readonly number[],
    outcomes: Map<number, { id: string; duplicate: boolean }>,
    render: ErrorRendering,
  ): Bundle {
    const info = (text: string): OperationOutcome => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: text }] });
    const entry: BundleEntry[] = entries.map((e, i) => {
      if (e.kind === 'error') {
        const status = render.statusOf(e.error);
        return { response: { status: statusLine(status), outcome: render.outcomeOf(e.error, status) } };
      }
      if (e.kind === 'context') return { response: { status: statusLine(200), outcome: info(e.note) } };
      const encounterIndex = e.kind === 'encounter' ? i : encounterEntryOf[e.activity];
      const o = encounterIndex === undefined ? undefined : outcomes.get(encounterIndex);
      const enc = encounterIndex === undefined ? undefined : entries[encounterIndex];
      if (!o) {
        const error = enc?.kind === 'error'
          ? new AppError(enc.error.code, `Bundle.entry[${i}]: 所属的 Encounter（Bundle.entry[${encounterIndex}]）未记录：${enc.error.message}`, { path: `Bundle.entry[${i}]` })
          : invalid(`Bundle.entry[${i}]: 未记录`);
        const status = render.statusOf(error);
        return { response: { status: statusLine(status), outcome: render.outcomeOf(error, status) } };
      }
      if (e.kind === 'money') return { response: { status: statusLine(o.duplicate ? 200 : 201), outcome: info(`费用已计入 Bundle.entry[${encounterIndex}] 的就诊记录 ${o.id}`) } };
      return {
        response: {
          status: statusLine(o.duplicate ? 200 : 201),
          outcome: info(o.duplicate ? `该就诊已记录过（${o.id}），未重复计入` : `已记录为就诊记录 ${o.id}`),
        },
      };
    });
    return { resourceType: 'Bundle', type: type === 'batch' ? 'batch-response' : 'transaction-response', entry };
  }
}
