import type { Subscription } from '@medplum/fhirtypes';
import type { ReferralDto, ReferralListItemDto, ReferralListQuery } from '../../contracts/referral.js';
import type { Clock } from '../../shared/clock.js';
import type { RequestContext } from '../../shared/context.js';
import { forbidden, invalid, isAppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { Db } from '../../db/client.js';
import {
  parseSubscriptionCriteria, referralToTask, subscriptionFromFhir, subscriptionToFhir, type SubscriptionView,
} from './fhir-referral.mapping.js';
import { endpointRefusal } from './subscription-endpoint.rules.js';
import { FhirSubscriptionRepository, type DeliveryRow, type SubscriptionRow, type SubscriptionStatus } from './fhir-subscription.repository.js';
import { listQueryOf, parseSearchQuery, parseToken, planTaskSearch, type ParsedSearch, type ReferralPlan } from './fhir.search.js';

/** What subscriptions need from the referral service: its scoped list and read (access rule and audit included). */
export interface SubscriptionReferralPort {
  list(ctx: RequestContext, q: ReferralListQuery): Promise<Page<ReferralListItemDto>>;
  get(ctx: RequestContext, id: string): Promise<ReferralDto>;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const viewOf = (r: SubscriptionRow): SubscriptionView => ({
  id: r.id, criteria: r.criteria, endpoint: r.endpoint, headers: r.headers, payload: r.payload, status: r.status, reason: r.reason,
  error: r.error, end: r.endAt?.toISOString() ?? null,
});

/**
 * FHIR R4 Subscriptions (rest-hook) on Task: create, read, search and delete one's own. Notifications are sent by
 * FhirSubscriptionDispatcher, off the request path.
 */
export class FhirSubscriptionService {
  private readonly repo: FhirSubscriptionRepository;
  constructor(
    db: Db,
    private readonly privateHostsAllowed: readonly string[] = [],
  ) {
    this.repo = new FhirSubscriptionRepository(db);
  }

  /**
   * `POST [base]/Subscription`. The subscriber is the signed-in user: each notification is read as that user, so a
   * subscription never reveals a referral its owner could not open. Active at once; only changes after creation count.
   */
  async create(ctx: RequestContext, body: unknown): Promise<Subscription> {
    if (!ctx.actor.organizationId) throw forbidden('只有所属机构的用户可以订阅转诊任务（订阅内容按订阅者的访问范围推送）');
    const input = subscriptionFromFhir(body);
    const refusal = endpointRefusal(input.endpoint, this.privateHostsAllowed);
    if (refusal) throw invalid(`订阅的推送地址不被允许：${refusal}`, 'Subscription.channel.endpoint');
    const now = ctx.clock.now();
    const row = await this.repo.insert({
      id: newId(), criteria: input.criteria, endpoint: input.endpoint, headers: input.headers, payload: input.payload, status: 'active',
      reason: input.reason, error: null, ownerUserId: ctx.actor.userId, endAt: input.end ? new Date(input.end) : null,
      cursorAt: now, cursorId: '', createdAt: now, updatedAt: now,
    });
    return subscriptionToFhir(viewOf(row));
  }

  private async own(ctx: RequestContext, id: string): Promise<SubscriptionRow> {
    const row = FHIR_ID.test(id) ? await this.repo.byId(id) : undefined;
    // Another user's subscription is "not found": its existence and endpoint are not the caller's business.
    if (!row || row.ownerUserId !== ctx.actor.userId) throw notFound(`Subscription/${id} 不存在`);
    return row;
  }

  async read(ctx: RequestContext, id: string): Promise<Subscription> {
    return subscriptionToFhir(viewOf(await this.own(ctx, id)));
  }

  async search(ctx: RequestContext, s: ParsedSearch): Promise<{ resources: Subscription[]; total: number }> {
    const ids = s.params.get('_id')?.values;
    const statusParam = s.params.get('status');
    const statuses = statusParam?.values.map((v) => parseToken(v).code).filter((c): c is SubscriptionStatus => ['requested', 'active', 'error', 'off'].includes(c));
    const { rows, total } = statuses && statuses.length === 0 ? { rows: [], total: 0 } : await this.repo.ofOwner(ctx.actor.userId, { ids, statuses }, s.offset, s.count);
    return { resources: rows.map((r) => subscriptionToFhir(viewOf(r))), total };
  }

  /** `DELETE [base]/Subscription/[id]`: stops notifications at once; the delivery record is kept. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.own(ctx, id);
    await this.repo.softDelete(row.id, ctx.clock.now());
  }

  /** The delivery record of a subscription (tests and support). */
  async deliveries(ctx: RequestContext, id: string): Promise<DeliveryRow[]> {
    const row = await this.own(ctx, id);
    return this.repo.deliveriesOf(row.id);
  }
}

export interface DispatcherOptions {
  /** Per-request timeout of a notification. */
  timeoutMs?: number;
  /** Failed attempts after which a delivery gives up and its subscription goes to `error`. */
  maxAttempts?: number;
  /** Waits between attempts (the last one repeats). */
  backoffMs?: readonly number[];
  /**
   * Changes younger than this are left for the next tick, so a transaction that stamped `updated_at` just before
   * committing is not skipped by a scan that ran between the two.
   */
  settleMs?: number;
  /** Referral changes scanned per subscription per tick; the rest follow on the next ticks. */
  scanLimit?: number;
  /** Notifications sent per tick. */
  sendLimit?: number;
  fetch?: typeof fetch;
}

export interface TickSummary {
  scanned: number;
  queued: number;
  delivered: number;
  failed: number;
}

const fixedClock = (at: Date): Clock => ({ now: () => at });

/**
 * Sends FHIR R4 rest-hook notifications of Task changes (http://hl7.org/fhir/R4/subscription.html). Each tick:
 * (1) for every active subscription, scan referrals changed since its cursor, keep those that match its criteria
 * within its owner's access scope (ReferralService.list as the owner), and queue one delivery per referral version;
 * (2) send due deliveries — `POST <endpoint>` with the channel headers and the current Task as the body
 * (`payload` application/fhir+json) or an empty body (no payload: an id-less ping) — retrying with backoff. A delivery
 * that fails `maxAttempts` times puts the subscription in `error` (notifications stop; delete it and subscribe again
 * once the endpoint works). Several changes between two ticks may arrive as one notification of the latest state.
 */
export class FhirSubscriptionDispatcher {
  private readonly repo: FhirSubscriptionRepository;
  private readonly opts: Required<Omit<DispatcherOptions, 'fetch'>> & { fetch: typeof fetch };
  private running = false;

  constructor(db: Db, private readonly referrals: SubscriptionReferralPort, opts: DispatcherOptions = {}) {
    this.repo = new FhirSubscriptionRepository(db);
    this.opts = {
      timeoutMs: opts.timeoutMs ?? 10_000,
      maxAttempts: opts.maxAttempts ?? 5,
      backoffMs: opts.backoffMs ?? [10_000, 60_000, 300_000, 1_800_000],
      settleMs: opts.settleMs ?? 2_000,
      scanLimit: opts.scanLimit ?? 500,
      sendLimit: opts.sendLimit ?? 100,
      fetch: opts.fetch ?? ((...args) => fetch(...args)),
    };
  }

  /** One round of scanning and sending. Not re-entrant: a tick that finds another running returns at once. */
  async tick(now: Date): Promise<TickSummary> {
    const summary: TickSummary = { scanned: 0, queued: 0, delivered: 0, failed: 0 };
    if (this.running) return summary;
    this.running = true;
    try {
      const actors = new Map<string, RequestContext | null>();
      const contextOf = async (userId: string): Promise<RequestContext | null> => {
        if (!actors.has(userId)) {
          const actor = await this.repo.ownerActor(userId);
          actors.set(userId, actor ? { actor, clock: fixedClock(now), channel: 'fhir' } : null);
        }
        return actors.get(userId)!;
      };
      const subscriptions = await this.repo.active();
      const byId = new Map(subscriptions.map((s) => [s.id, s]));
      for (const sub of subscriptions) {
        if (sub.endAt && sub.endAt <= now) {
          await this.repo.setStatus(sub.id, 'off', null, now);
          byId.delete(sub.id);
          continue;
        }
        const ctx = await contextOf(sub.ownerUserId);
        if (!ctx) {
          await this.repo.setStatus(sub.id, 'error', '订阅者账号已停用或不存在', now);
          byId.delete(sub.id);
          continue;
        }
        const { scanned, queued } = await this.scan(sub, ctx, now);
        summary.scanned += scanned;
        summary.queued += queued;
      }
      for (const d of await this.repo.due(now, this.opts.sendLimit)) {
        const sub = byId.get(d.subscriptionId);
        if (!sub || sub.status !== 'active') continue;
        const ctx = await contextOf(sub.ownerUserId);
        if (!ctx) continue;
        if (!(await this.repo.claim(d.id, now, new Date(now.getTime() + 3 * this.opts.timeoutMs)))) continue;
        const ok = await this.send(sub, d, ctx, now);
        if (ok) summary.delivered++;
        else summary.failed++;
        if (!ok && (d.attempts.length + 1) >= this.opts.maxAttempts) sub.status = 'error';
      }
    } finally {
      this.running = false;
    }
    return summary;
  }

  private async scan(sub: SubscriptionRow, ctx: RequestContext, now: Date): Promise<{ scanned: number; queued: number }> {
    const changes = await this.repo.changedReferrals({ at: sub.cursorAt, id: sub.cursorId }, new Date(now.getTime() - this.opts.settleMs), this.opts.scanLimit);
    if (!changes.length) return { scanned: 0, queued: 0 };
    let plan: ReferralPlan | null;
    try {
      plan = planTaskSearch(parseSearchQuery('Task', parseSubscriptionCriteria(sub.criteria)));
    } catch (e) {
      await this.repo.setStatus(sub.id, 'error', `订阅条件无效：${isAppError(e) ? e.message : String(e)}`, now);
      return { scanned: 0, queued: 0 };
    }
    let queued = 0;
    if (plan) {
      const wanted = plan.ids ? changes.filter((c) => plan!.ids!.includes(c.id)) : changes;
      for (let i = 0; i < wanted.length; i += 200) {
        const chunk = wanted.slice(i, i + 200);
        // Criteria and the owner's access scope in one query; only matches are audited (as a search by the owner).
        const page = await this.referrals.list(ctx, { ...listQueryOf(plan), ids: chunk.map((c) => c.id), page: 1, pageSize: 200 });
        const matched = new Set(page.items.map((r) => r.id));
        queued += await this.repo.queue(chunk.filter((c) => matched.has(c.id)).map((c) => ({
          id: newId(), subscriptionId: sub.id, resourceType: 'Task', resourceId: c.id, resourceVersion: c.version, status: 'pending' as const,
          createdAt: now, attempts: [], nextAttemptAt: now, deliveredAt: null, lastError: null,
        })));
      }
    }
    const last = changes[changes.length - 1]!;
    await this.repo.advanceCursor(sub.id, last.updatedAt, last.id);
    return { scanned: changes.length, queued };
  }

  /** One attempt. True when the endpoint answered 2xx. */
  private async send(sub: SubscriptionRow, d: DeliveryRow, ctx: RequestContext, now: Date): Promise<boolean> {
    let body: string | undefined;
    if (sub.payload) {
      try {
        body = JSON.stringify(referralToTask(await this.referrals.get(ctx, d.resourceId)));
      } catch (e) {
        if (isAppError(e) && (e.code === 'forbidden' || e.code === 'not_found')) {
          // The owner lost access since the change was queued: nothing may be sent, and retrying will not help.
          await this.repo.recordAttempt(d.id, { attempts: [...d.attempts, `${now.toISOString()} skipped: ${e.code}`], status: 'failed', nextAttemptAt: null, deliveredAt: null, lastError: e.message });
          return false;
        }
        throw e;
      }
    }
    const headers: Record<string, string> = {};
    for (const h of sub.headers) {
      const i = h.indexOf(':');
      headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
    }
    if (body !== undefined) headers['content-type'] = 'application/fhir+json; charset=utf-8';
    let outcome: string;
    let ok = false;
    try {
      const res = await this.opts.fetch(sub.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs), redirect: 'manual' });
      ok = res.status >= 200 && res.status < 300;
      outcome = `HTTP ${res.status}`;
      await res.body?.cancel().catch(() => undefined);
    } catch (e) {
      outcome = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const attempts = [...d.attempts, `${now.toISOString()} ${outcome}`];
    if (ok) {
      await this.repo.recordAttempt(d.id, { attempts, status: 'delivered', nextAttemptAt: null, deliveredAt: now, lastError: null });
      return true;
    }
    if (attempts.length >= this.opts.maxAttempts) {
      await this.repo.recordAttempt(d.id, { attempts, status: 'failed', nextAttemptAt: null, deliveredAt: null, lastError: outcome });
      await this.repo.setStatus(sub.id, 'error', `通知 ${sub.endpoint} 连续 ${attempts.length} 次失败（最近一次：${outcome}）；请修复接收端后删除并重新创建订阅`, now);
      return false;
    }
    const wait = this.opts.backoffMs[Math.min(attempts.length - 1, this.opts.backoffMs.length - 1)] ?? 60_000;
    await this.repo.recordAttempt(d.id, { attempts, status: 'pending', nextAttemptAt: new Date(now.getTime() + wait), deliveredAt: null, lastError: outcome });
    return false;
  }
}
