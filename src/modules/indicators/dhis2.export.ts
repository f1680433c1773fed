import type { IndicatorEvaluation, IndicatorLevel, IndicatorPeriod } from '../../contracts/indicator.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import type { NetworkService } from '../network/index.js';
import type { IndicatorService } from './indicators.service.js';
import { toDhis2DataValueSet, type Dhis2DataValueSet } from './dhis2.mapping.js';

export interface Dhis2ExportQuery {
  level: IndicatorLevel;
  subject: string;
  period: IndicatorPeriod;
  from: string;
  to: string;
  /** Indicator codes (default: every indicator in force that is computed for this level and period). */
  indicators?: readonly string[];
  /** Also numerators and denominators of ratios (`…_NUM`, `…_DEN`). */
  components?: boolean;
}

/**
 * Every indicator in force today that is computed for the level and period, evaluated for the subject, as a DHIS2
 * data value set. orgUnit = the facility's identifier (USCC or local code), the alliance's code, or the division code
 * of a county, city or province. Access: the indicators service's reader rule.
 */
export async function exportDhis2(
  deps: { indicators: IndicatorService; network: NetworkService },
  ctx: RequestContext,
  q: Dhis2ExportQuery,
): Promise<Dhis2DataValueSet> {
  const defs = (await deps.indicators.listDefinitions(ctx)).filter(
    (d) => d.levels.includes(q.level) && d.periods.includes(q.period) && (!q.indicators || q.indicators.includes(d.code)),
  );
  if (q.indicators) {
    const unknown = q.indicators.filter((c) => !defs.some((d) => d.code === c));
    if (unknown.length) throw notFound(`指标 ${unknown.join(', ')} 不存在，或不按该层级与期间统计`);
  }
  const evaluations: IndicatorEvaluation[] = [];
  for (const d of defs) evaluations.push(await deps.indicators.evaluate(ctx, { indicator: d.code, level: q.level, subject: q.subject, period: q.period, from: q.from, to: q.to }));
  let orgUnit = q.subject;
  if (q.level === 'facility') {
    const org = await deps.network.findOrganization(q.subject);
    if (!org) throw notFound(`机构 ${q.subject} 不存在`);
    orgUnit = org.identifier;
  } else if (q.level === 'alliance') {
    orgUnit = (await deps.network.alliance(q.subject, shanghaiDate(ctx.clock.now()))).identifier;
  }
  return toDhis2DataValueSet(evaluations, orgUnit, { components: q.components ?? false });
}
