import type { Bundle, Measure, MeasureReport } from '@medplum/fhirtypes';
import type { IndicatorDefinitionDto, IndicatorEvaluation, IndicatorLevel, IndicatorPeriod } from '../../contracts/indicator.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, invalid, notFound } from '../../shared/errors.js';
import { ALLIANCE_ID_PREFIX, MEASURE_URL_BASE } from './fhir.codes.js';
import { definitionToMeasure, evaluationToMeasureReport, measurePeriodOf } from './fhir-measure.mapping.js';
import type { RawQuery } from './fhir.search.js';

/** What the Measure façade needs of the indicators service (its guard and audit rules apply). */
export interface IndicatorReadPort {
  listDefinitions(ctx: RequestContext, on?: string): Promise<IndicatorDefinitionDto[]>;
  definitions(on?: string): Promise<IndicatorDefinitionDto[]>;
  evaluate(
    ctx: RequestContext,
    q: { indicator: string; level: IndicatorLevel; subject: string; period: IndicatorPeriod; from: string; to: string },
  ): Promise<IndicatorEvaluation>;
}

const notSupported = (message: string, path?: string) => new AppError('invalid', message, { detail: { fhirIssueCode: 'not-supported' }, ...(path ? { path } : {}) });

/** One value of a query parameter; repeated parameters are refused. */
function single(query: RawQuery, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw notSupported(`参数 ${name} 只能出现一次`, name);
    return raw[0];
  }
  return raw;
}

function checkKnown(query: RawQuery, known: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!known.includes(key)) throw notSupported(`不支持的参数 "${key}"（支持：${known.join(', ')}）`, key);
  }
  const format = single(query, '_format');
  if (format !== undefined && !['json', 'application/json', 'application/fhir+json', 'application/json+fhir'].includes(format)) {
    throw notSupported(`_format=${format} 不受支持：本服务只提供 JSON（application/fhir+json）`, '_format');
  }
}

/**
 * Monitoring indicators over FHIR (docs/fhir.md, "Measures"): each indicator a Measure (id = indicator code), and
 * `$evaluate-measure` for a facility or alliance Organization → a summary MeasureReport.
 */
export class FhirMeasureService {
  constructor(private readonly indicators: IndicatorReadPort) {}

  private today = (ctx: RequestContext) => shanghaiDate(ctx.clock.now());

  /** The version in force today, else the newest version; 404 for an unknown code. */
  private async current(ctx: RequestContext, code: string): Promise<IndicatorDefinitionDto> {
    const inForce = (await this.indicators.listDefinitions(ctx)).find((d) => d.code === code);
    if (inForce) return inForce;
    const versions = (await this.indicators.definitions()).filter((d) => d.code === code).sort((a, b) => a.version - b.version);
    const newest = versions[versions.length - 1];
    if (!newest) throw notFound(`Measure/${code} 不存在（指标代码见 GET /fhir/Measure）`);
    return newest;
  }

  async read(ctx: RequestContext, id: string): Promise<Measure> {
    return definitionToMeasure(await this.current(ctx, id), this.today(ctx));
  }

  /** `GET /fhir/Measure`: the versions in force today; `_id`, `url` (optionally `|version`), `_count`, `_offset`. */
  async search(ctx: RequestContext, query: RawQuery, base: string): Promise<Bundle<Measure>> {
    checkKnown(query, ['_id', 'url', '_count', '_offset', '_format', '_pretty']);
    const today = this.today(ctx);
    let defs = await this.indicators.listDefinitions(ctx);
    const ids = single(query, '_id');
    if (ids !== undefined) {
      const wanted = new Set(ids.split(',').map((s) => s.trim()));
      defs = defs.filter((d) => wanted.has(d.code));
    }
    const url = single(query, 'url');
    if (url !== undefined) {
      const [canonical, version] = url.split('|');
      if (version !== undefined) {
        defs = (await this.indicators.definitions()).filter((d) => `${MEASURE_URL_BASE}/${d.code}` === canonical && String(d.version) === version);
      } else defs = defs.filter((d) => `${MEASURE_URL_BASE}/${d.code}` === canonical);
    }
    const int = (name: string, dflt: number) => {
      const v = single(query, name);
      if (v === undefined) return dflt;
      if (!/^\d{1,9}$/.test(v)) throw invalid(`参数 ${name} 应为非负整数，收到 "${v}"`, name);
      return Number(v);
    };
    const count = Math.min(int('_count', 50), 200);
    const offset = int('_offset', 0);
    const qs = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]))));
    const page = defs.slice(offset, offset + count);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: defs.length,
      link: [{ relation: 'self', url: `${base}/Measure${qs.size ? `?${qs.toString()}` : ''}` }],
      ...(page.length ? { entry: page.map((d) => ({ fullUrl: `${base}/Measure/${d.code}`, resource: definitionToMeasure(d, today), search: { mode: 'match' as const } })) } : {}),
    };
  }

  /**
   * `GET /fhir/Measure/<code>/$evaluate-measure?periodStart&periodEnd&subject=Organization/<id>[&reportType=summary]`.
   * The span must be one calendar year, quarter or month; the subject a facility (its id) or an alliance
   * (`alliance-<id>`). Access is the indicators service's (commission officers, system administrators, alliance
   * administrators for their alliances and members).
   */
  async evaluate(ctx: RequestContext, code: string, query: RawQuery): Promise<MeasureReport> {
    checkKnown(query, ['periodStart', 'periodEnd', 'subject', 'reportType', '_format', '_pretty']);
    const periodStart = single(query, 'periodStart');
    const periodEnd = single(query, 'periodEnd');
    const subject = single(query, 'subject')?.trim();
    if (!periodStart) throw invalid('缺少参数 periodStart', 'periodStart');
    if (!periodEnd) throw invalid('缺少参数 periodEnd', 'periodEnd');
    if (!subject) throw invalid('缺少参数 subject（Organization/<机构id> 或 Organization/alliance-<医联体id>）', 'subject');
    const reportType = single(query, 'reportType');
    if (reportType !== undefined && reportType !== 'summary') throw notSupported(`reportType=${reportType} 不受支持：只提供汇总报告（summary）`, 'reportType');
    const m = /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(subject);
    if (!m) throw invalid(`subject 应为 Organization/<id>，收到 "${subject}"`, 'subject');
    const orgId = m[1]!;
    const span = measurePeriodOf(periodStart, periodEnd);
    const def = await this.current(ctx, code);
    const level: IndicatorLevel = orgId.startsWith(ALLIANCE_ID_PREFIX) ? 'alliance' : 'facility';
    const key = level === 'alliance' ? orgId.slice(ALLIANCE_ID_PREFIX.length) : orgId;
    if (!def.levels.includes(level)) {
      throw invalid(`指标“${def.nameZh}”不按${level === 'alliance' ? '医联体' : '机构'}统计（可用层级：${def.levels.join(', ')}）`, 'subject');
    }
    const evaluation = await this.indicators.evaluate(ctx, { indicator: def.code, level, subject: key, period: span.period, from: span.label, to: span.label });
    return evaluationToMeasureReport(evaluation, {
      reporter: { reference: `Organization/${orgId}`, display: evaluation.subject.name },
      start: span.start,
      end: span.end,
      date: ctx.clock.now().toISOString(),
    });
  }
}
