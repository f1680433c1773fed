import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { forbidden, invalid } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { NotificationDto } from '../../contracts/referral.js';
import type { NotificationQuery, OutboundMessageDto, OutboundQuery, PatientChannel } from '../../contracts/notification.js';
import type { IdentityService } from '../identity/index.js';
import { maskAddress, recordingAdapters, type MessageAdapters } from './notification.adapters.js';
import { NotificationRepository, type NotificationRow, type OutboundRow } from './notification.repository.js';

export interface NotifyUsersInput {
  userIds: readonly string[];
  /** What happened, e.g. `deadline-overdue`, `referral-accepted`; the UI picks an icon by it. */
  kind: string;
  title: string;
  body: string;
  subjectType?: string | null;
  subjectId?: string | null;
  /** Path in the web UI that opens the subject. */
  link?: string | null;
  /** Idempotency key of the event; each user's row is keyed `${dedupeKey}:${userId}`. */
  dedupeKey: string;
  at: Date;
  /**
   * The ids were read from the database in the caller's transaction (a referral's requester, a facility's staff), so
   * they need no existence check. Without it, ids of users that do not exist are dropped.
   */
  knownUserIds?: boolean;
}

export interface MessagePatientInput {
  patientId: string;
  /** Mobile number; the demo WeChat adapter is addressed by it as well (a service account binds the phone). */
  phone: string;
  channels: readonly PatientChannel[];
  body: string;
  /** Idempotency key of the event; each channel's row is keyed `${dedupeKey}:${channel}`. */
  dedupeKey: string;
  at: Date;
}

export interface MessageOutcome {
  channel: PatientChannel;
  /** False when a message with this key was already recorded (a retry): nothing was sent again. */
  created: boolean;
  status: OutboundRow['status'];
}

/**
 * Notifications: in-app messages to staff (站内消息) and messages to patients through pluggable channel adapters
 * (SMS, WeChat). Writes take the caller's transaction so a notification commits with the event that caused it, and
 * every write is idempotent by its dedupe key.
 */
export class NotificationService {
  private readonly repo: NotificationRepository;

  constructor(
    db: Db,
    private readonly identity: IdentityService,
    private readonly adapters: MessageAdapters = recordingAdapters(),
  ) {
    this.repo = new NotificationRepository(db);
  }

  /**
   * One in-app notification per user, inside the caller's transaction `tx`. Users named twice, or already notified
   * under this key, are notified once; ids that are not accounts are skipped. Returns the notifications created.
   */
  async notifyUsers(tx: Db, input: NotifyUsersInput): Promise<NotificationDto[]> {
    const repo = new NotificationRepository(tx);
    const unique = [...new Set(input.userIds)];
    const userIds = input.knownUserIds ? unique : await repo.existingUserIds(unique);
    const rows = userIds.map((userId) => ({
      id: newId(),
      recipientUserId: userId,
      kind: input.kind,
      title: input.title,
      body: input.body,
      subjectType: input.subjectType ?? null,
      subjectId: input.subjectId ?? null,
      link: input.link ?? null,
      dedupeKey: `${input.dedupeKey}:${userId}`,
      createdAt: input.at,
    }));
    // Inside a deferred-write scope the rows go out with the step's other appends; what was inserted (a dedupe key may
    // exist already) is then not known here, and nobody in such a scope asks.
    const inserted = input.knownUserIds ? await repo.insertNewOrDefer(rows) : await repo.insertNew(rows);
    return (inserted ?? []).map(toNotificationDto);
  }

  /**
   * Messages a patient on each channel, inside the caller's transaction `tx`: the message is recorded first (unique by
   * `${dedupeKey}:${channel}`), then handed to the channel's adapter once, and the adapter's answer stored. A retry
   * with the same key records and sends nothing. The demo adapters only record; a gateway that may be slow belongs
   * behind an outbox job rather than in the caller's transaction.
   */
  async messagePatient(tx: Db, input: MessagePatientInput): Promise<MessageOutcome[]> {
    const address = input.phone.trim();
    if (!address) throw invalid('没有患者的手机号，无法发送短信或微信消息', 'phone');
    const repo = new NotificationRepository(tx);
    const channels = [...new Set(input.channels)];
    // One statement records the message on every channel; a key recorded before comes back as not created.
    const recorded = await repo.insertOutbound(
      channels.map((channel) => ({
        id: newId(),
        channel,
        adapter: this.adapters[channel].name,
        address,
        recipientPatientId: input.patientId,
        body: input.body,
        status: 'recorded' as const,
        dedupeKey: `${input.dedupeKey}:${channel}`,
        createdAt: input.at,
      })),
    );
    const outcomes: MessageOutcome[] = [];
    for (const channel of channels) {
      const row = recorded.find((r) => r.channel === channel);
      if (!row) {
        outcomes.push({ channel, created: false, status: 'recorded' });
        continue;
      }
      let result;
      try {
        result = await this.adapters[channel].deliver({ address, body: input.body });
      } catch (e) {
        // A gateway failure must not undo the caller's write: the message stays on record as failed.
        result = { status: 'failed' as const, error: e instanceof Error ? e.message : String(e) };
      }
      if (result.status !== 'recorded' || result.error) await repo.setOutboundStatus(row.id, result.status, result.error ?? null);
      outcomes.push({ channel, created: true, status: result.status });
    }
    return outcomes;
  }

  /** The caller's own notifications, newest first. There is no parameter for another user's: own only by construction. */
  async listForUser(ctx: RequestContext, q: NotificationQuery): Promise<Page<NotificationDto>> {
    const { rows, total } = await this.repo.listForUser(ctx.actor.userId, q.unreadOnly, (q.page - 1) * q.pageSize, q.pageSize);
    return { items: rows.map(toNotificationDto), total, page: q.page, pageSize: q.pageSize };
  }

  async unreadCount(ctx: RequestContext): Promise<number> {
    return this.repo.unreadCount(ctx.actor.userId);
  }

  /** Marks the caller's notifications read: those in `ids` (others' ids are ignored), or all when absent. Returns how many changed. */
  async markRead(ctx: RequestContext, ids?: readonly string[]): Promise<number> {
    return this.repo.markRead(ctx.actor.userId, ids, ctx.clock.now());
  }

  /**
   * The record of messages to patients (the demo adapters' "sent items"). The referral desk and alliance admins see
   * those to patients in their patient scope (the access rule of the identity module); system administrators see all,
   * with addresses masked, because they see no identifiable patient data.
   */
  async listOutbound(ctx: RequestContext, q: OutboundQuery): Promise<Page<OutboundMessageDto>> {
    let scope: readonly string[] | null;
    let mask = false;
    if (hasRole(ctx.actor, 'referral-desk', 'alliance-admin')) {
      scope = [...(await this.identity.patientScope(ctx.actor, ctx.clock.now())).keys()];
    } else if (hasRole(ctx.actor, 'system-admin')) {
      scope = null;
      mask = true;
    } else {
      throw forbidden('只有系统管理员、转诊服务中心或医共体管理员可以查看短信和微信消息记录');
    }
    const { rows, total } = await this.repo.listOutbound({ channel: q.channel, patientOrganizationIds: scope }, (q.page - 1) * q.pageSize, q.pageSize);
    return {
      items: rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        adapter: r.adapter,
        address: mask ? maskAddress(r.address) : r.address,
        recipientPatientId: r.recipientPatientId,
        body: r.body,
        status: r.status,
        error: r.error,
        createdAt: r.createdAt.toISOString(),
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}

const toNotificationDto = (r: NotificationRow): NotificationDto => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  link: r.link,
  createdAt: r.createdAt.toISOString(),
  readAt: r.readAt ? r.readAt.toISOString() : null,
});
