import { ArrowDownOutlined, ArrowUpOutlined, ClockCircleOutlined, ExclamationCircleOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReferralDirection, ReferralStatus, ReferralSubState, Urgency } from '../../../contracts/codes.js';
import { formatDateTime } from '../../lib/format.js';
import { deadlineText, deadlineView, statusColors, urgencyColors } from './referral.model.js';

/** Now, refreshed every `ms` (countdowns). */
export function useNow(ms = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function StatusTag({ status, subState }: { status: ReferralStatus; subState?: ReferralSubState | null }) {
  const { t } = useTranslation();
  return (
    <Tag color={statusColors[status]} data-testid="referral-status" data-status={status} style={{ marginInlineEnd: 4 }}>
      {t(`referralStatus.${status}`)}
      {status === 'in-progress' && subState ? ` · ${t(`referralSubState.${subState}`)}` : ''}
    </Tag>
  );
}

/** Urgent and emergency only; a routine referral needs no tag unless `always`. */
export function UrgencyTag({ urgency, always }: { urgency: Urgency; always?: boolean }) {
  const { t } = useTranslation();
  if (urgency === 'routine' && !always) return null;
  return (
    <Tag color={urgencyColors[urgency]} style={{ marginInlineEnd: 4 }}>
      {t(`urgency.${urgency}`)}
    </Tag>
  );
}

export function DirectionTag({ direction }: { direction: ReferralDirection }) {
  const { t } = useTranslation();
  return (
    <Tag color={direction === 'up' ? 'purple' : 'green'} icon={direction === 'up' ? <ArrowUpOutlined /> : <ArrowDownOutlined />} style={{ marginInlineEnd: 4 }}>
      {t(`referralDirection.${direction}`)}
    </Tag>
  );
}

/** The current step's deadline: a countdown, or a red tag saying how long overdue. */
export function DeadlineTag({ dueAt, overdue, paused, now }: { dueAt: string | null; overdue?: boolean; paused?: boolean; now: Date }) {
  const { t } = useTranslation();
  const view = deadlineView(dueAt, now, overdue);
  if (view.kind === 'none') return <span className="muted">—</span>;
  const text = deadlineText(view, t);
  const title = dueAt ? t('referral.deadline.dueAt', { at: formatDateTime(dueAt) }) : undefined;
  if (paused)
    return (
      <Tooltip title={title}>
        <Tag icon={<ClockCircleOutlined />}>{t('referral.deadline.paused')}</Tag>
      </Tooltip>
    );
  return (
    <Tooltip title={title}>
      <Tag
        color={view.kind === 'overdue' ? 'red' : view.kind === 'soon' ? 'orange' : 'default'}
        icon={view.kind === 'overdue' ? <ExclamationCircleOutlined /> : <ClockCircleOutlined />}
        data-testid="referral-deadline"
        className="tabular"
      >
        {text}
      </Tag>
    </Tooltip>
  );
}
