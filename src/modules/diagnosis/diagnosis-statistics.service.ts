import type { Db } from '../../db/client.js';
import {
  MAX_STATISTICS_DAYS, turnaroundBucketBounds, type StatisticsDimension, type StatisticsQuery, type TurnaroundGroupDto, type TurnaroundStatisticsDto,
} from '../../contracts/diagnosis-statistics.js';
import type { Urgency } from '../../contracts/codes.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { forbidden, invalid, notFound } from '../../shared/errors.js';
import type { NetworkService } from '../network/index.js';
import { DiagnosisRepository, type CenterRow } from './diagnosis.repository.js';
import { DiagnosisStatisticsRepository, type TurnaroundFactRow } from './diagnosis-statistics.repository.js';
import { daysBetween, groupFacts, summarise, type TurnaroundFact } from './diagnosis-statistics.rules.js';

/**
 * Most requests one answer is computed from: a busy county imaging center does well under 100,000 a year, so this
 * allows a province-wide year; a larger selection is refused with a 400 asking for a shorter period, never truncated.
 */
export const MAX_STATISTICS_REQUESTS = 300_000;

const urgencyLabels: Record<Urgency, string> = { emergency: '急诊', urgent: '加急', routine: '常规' };
const num = (x: string | number | null): number | null => (x === null ? null : Number(x));

export interface DiagnosisStatisticsDeps {
  network: Pick<NetworkService, 'membersOfAlliancesLedBy'>;
}

/**
 * Turnaround statistics of the diagnosis centers (issue 5, item 8). Who may read them — one rule, applied to the list
 * of centers before anything is read: readers of a center for that center; alliance administrators for the centers
 * hosted by members of the alliances their facility leads (the rule that lets them administer those centers);
 * commission officers and system administrators for every center (as for the monitoring indicators); nobody else.
 * Figures are aggregates without patient identities, so reading them is not audited (like indicator reads).
 */
export class DiagnosisStatisticsService {
  private readonly repo: DiagnosisRepository;
  private readonly stats: DiagnosisStatisticsRepository;

  constructor(
    db: Db,
    private readonly deps: DiagnosisStatisticsDeps,
  ) {
    this.repo = new DiagnosisRepository(db);
    this.stats = new DiagnosisStatisticsRepository(db);
  }

  /** The centers whose statistics the actor may read (`all` for commission officers and system administrators). */
  async centersInScope(ctx: RequestContext): Promise<'all' | Set<string>> {
    if (hasRole(ctx.actor, 'commission-officer', 'system-admin')) return 'all';
    const ids = new Set(await this.repo.readerCenterIdsOf(ctx.actor.userId));
    if (hasRole(ctx.actor, 'alliance-admin') && ctx.actor.organizationId) {
      const hosts = await this.deps.network.membersOfAlliancesLedBy(ctx.actor.organizationId, shanghaiDate(ctx.clock.now()));
      for (const c of await this.repo.centers({ organizationIds: hosts })) ids.add(c.id);
    }
    return ids;
  }

  async turnaround(ctx: RequestContext, q: StatisticsQuery): Promise<TurnaroundStatisticsDto> {
    const days = daysBetween(q.from, q.to);
    if (days < 1) throw invalid('结束日期不能早于开始日期', 'to');
    if (days > MAX_STATISTICS_DAYS) throw invalid(`统计期间最长 ${MAX_STATISTICS_DAYS} 天，请缩短期间`, 'from');
    const scope = await this.centersInScope(ctx);
    let centers: CenterRow[];
    if (q.centerId) {
      const center = await this.repo.centerById(q.centerId);
      if (!center) throw notFound(`诊断中心 ${q.centerId} 不存在`);
      if (scope !== 'all' && !scope.has(center.id)) throw forbidden('无权查看该诊断中心的统计：您不是该中心的诊断医师，也不是其所属医共体的管理员');
      centers = [center];
    } else {
      if (scope !== 'all' && scope.size === 0) throw forbidden('只有诊断中心的诊断医师、医共体管理员或卫健委可以查看远程诊断统计');
      centers = await this.repo.centers(scope === 'all' ? {} : { ids: [...scope] });
    }
    const rows = await this.stats.facts({ centerIds: centers.map((c) => c.id), from: q.from, to: q.to, urgency: q.urgency }, MAX_STATISTICS_REQUESTS + 1);
    if (rows.length > MAX_STATISTICS_REQUESTS) throw invalid(`所选期间的申请超过 ${MAX_STATISTICS_REQUESTS.toLocaleString('en')} 条，请缩短期间或选择一个中心`, 'from');
    const facts = rows.map(toFact);
    const bounds = [...turnaroundBucketBounds];
    const orgNames = await this.repo.organizationNames([...centers.map((c) => c.organizationId), ...facts.map((f) => f.requesterOrganizationId)]);
    const readerNames = q.groupBy.includes('reader') ? await this.repo.userNames(facts.map((f) => f.readerUserId)) : new Map<string, string>();
    const centerNames = new Map(centers.map((c) => [c.id, c.name]));
    const labelOf = (dimension: StatisticsDimension, key: string): string => {
      switch (dimension) {
        case 'center': return centerNames.get(key) ?? key;
        case 'urgency': return urgencyLabels[key as Urgency] ?? key;
        case 'reader': return readerNames.get(key) ?? key;
        case 'requester': return orgNames.get(key) ?? key;
        default: return key;
      }
    };
    const groups: Partial<Record<StatisticsDimension, TurnaroundGroupDto[]>> = {};
    for (const dimension of q.groupBy) {
      groups[dimension] = [...groupFacts(facts, dimension).entries()].map(([key, list]) => ({ key, label: labelOf(dimension, key), ...summarise(list, bounds) }));
    }
    return {
      from: q.from, to: q.to, urgency: q.urgency ?? null,
      centers: centers.map((c) => ({ id: c.id, name: c.name, type: c.type, organizationName: orgNames.get(c.organizationId) ?? '' })),
      bucketBounds: bounds,
      summary: summarise(facts, bounds),
      groups,
    };
  }
}

function toFact(r: TurnaroundFactRow): TurnaroundFact {
  return {
    centerId: r.center_id, modality: r.modality, urgency: r.urgency, requesterOrganizationId: r.requester_organization_id, readerUserId: r.reader_user_id,
    month: r.month, completed: r.completed, reportMinutes: num(r.report_minutes), claimMinutes: num(r.claim_minutes),
    reportExcludingPausesMinutes: num(r.net_minutes), deadlineMet: r.deadline_met, onTime: r.on_time,
  };
}
