import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { forbidden, invalid } from '../../shared/errors.js';
import type { Page } from '../../shared/pagination.js';
import type { AccessBasis, AuditAction } from '../../contracts/codes.js';
import type { AuditEventDto, AuditQuery } from '../../contracts/audit.js';
import { AuditRepository, type AuditFilter } from './audit.repository.js';

export interface AuditEntry {
  action: AuditAction;
  resourceType: string;
  resourceId?: string | null;
  patientId?: string | null;
  basis: AccessBasis | 'administration' | 'none';
  outcome: 'allowed' | 'denied';
  detail?: Record<string, unknown>;
}

/** Which organizations' events the caller may see: null = all. Decided by the identity module's rule. */
export type AuditVisibility = readonly string[] | null | 'none';

/**
 * The audit trail of patient data: who (actor, organization), did what (action, resource), when, on which basis.
 * Writes are awaited in the same request so an answered read is always on record.
 */
export class AuditService {
  private readonly repo: AuditRepository;
  constructor(db: Db) {
    this.repo = new AuditRepository(db);
  }

  /**
   * Appends entries (one multi-row insert). `tx` is the caller's open transaction, for writes whose audit rows must
   * commit or roll back with them.
   */
  async record(ctx: RequestContext, entries: readonly AuditEntry[], tx?: Db): Promise<void> {
    const at = ctx.clock.now();
    await (tx ? new AuditRepository(tx) : this.repo).insert(
      entries.map((e) => ({
        at,
        actorUserId: ctx.actor.userId || null,
        actorUsername: ctx.actor.username,
        organizationId: ctx.actor.organizationId,
        action: e.action,
        resourceType: e.resourceType,
        resourceId: e.resourceId ?? null,
        patientId: e.patientId ?? null,
        basis: e.basis,
        outcome: e.outcome,
        channel: ctx.channel,
        ip: ctx.ip ?? null,
        detail: e.detail ?? null,
      })),
    );
  }

  async search(ctx: RequestContext, visibility: AuditVisibility, q: AuditQuery): Promise<Page<AuditEventDto>> {
    const filter = this.filterFor(visibility, q);
    const { rows, total } = await this.repo.search(filter, (q.page - 1) * q.pageSize, q.pageSize);
    return { items: rows.map(toDto), total, page: q.page, pageSize: q.pageSize };
  }

  /** Streams matching events for export; the export itself is recorded. */
  async *exportRows(ctx: RequestContext, visibility: AuditVisibility, q: AuditQuery): AsyncGenerator<AuditEventDto[]> {
    const filter = this.filterFor(visibility, q);
    await this.record(ctx, [{ action: 'export', resourceType: 'AuditEvent', basis: 'administration', outcome: 'allowed', detail: { filter: q } }]);
    for await (const rows of this.repo.iterate(filter)) yield rows.map(toDto);
  }

  private filterFor(visibility: AuditVisibility, q: AuditQuery): AuditFilter {
    if (visibility === 'none') throw forbidden('只有系统管理员、卫健委人员或医共体管理员可以查看审计日志');
    const from = q.from ? parseBoundary(q.from, 'from') : undefined;
    const to = q.to ? parseBoundary(q.to, 'to', true) : undefined;
    if (from && to && from >= to) throw invalid('开始时间应早于结束时间', 'from');
    return {
      actor: q.actor, patientId: q.patientId, organizationId: q.organizationId, action: q.action, outcome: q.outcome,
      organizationIds: visibility, from, to,
    };
  }
}

/** A bare date is a whole day in China Standard Time; `to` is exclusive, so a bare `to` date includes that day. */
function parseBoundary(v: string, path: string, endOfDay = false): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00+08:00`) : new Date(v);
  if (Number.isNaN(d.getTime())) throw invalid(`时间 ${v} 无效`, path);
  if (endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(d.getTime() + 86_400_000);
  return d;
}

type Row = Awaited<ReturnType<AuditRepository['search']>>['rows'][number];
const toDto = (r: Row): AuditEventDto => ({
  id: r.id,
  at: r.at.toISOString(),
  actorUsername: r.actorUsername,
  organizationId: r.organizationId,
  organizationName: r.organizationName,
  action: r.action,
  resourceType: r.resourceType,
  resourceId: r.resourceId,
  patientId: r.patientId,
  patientName: r.patientName,
  basis: r.basis,
  outcome: r.outcome,
  channel: r.channel,
  ip: r.ip,
});
