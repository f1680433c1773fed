import { AlertOutlined } from '@ant-design/icons';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DiagnosisStatus, ReportStatus } from '../../../contracts/diagnosis.js';
import { DeadlineTag } from '../referral/referral-tags.js';
import { closedStatuses, diagnosisStatusColors, isDeadlinePaused, reportStatusColors } from './diagnosis.model.js';

export function DxStatusTag({ status }: { status: DiagnosisStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={diagnosisStatusColors[status]} data-testid="dx-status" data-status={status} style={{ marginInlineEnd: 4 }}>
      {t(`diagnosisStatus.${status}`)}
    </Tag>
  );
}

export function ReportStatusTag({ status }: { status: ReportStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={reportStatusColors[status]} data-testid="dx-report-status" data-status={status} style={{ marginInlineEnd: 4 }}>
      {t(`diagnosisReportStatus.${status}`)}
    </Tag>
  );
}

export function CriticalTag() {
  const { t } = useTranslation();
  return (
    <Tag color="red" icon={<AlertOutlined />} data-testid="dx-critical-tag" style={{ marginInlineEnd: 4 }}>
      {t('diagnosis.critical.tag')}
    </Tag>
  );
}

/** The report deadline of a request: countdown, overdue, paused while returned for retake, nothing once closed. */
export function DxDeadline({ status, dueAt, overdue, now }: { status: DiagnosisStatus; dueAt: string | null; overdue: boolean; now: Date }) {
  if (closedStatuses.includes(status)) return <span className="muted">—</span>;
  return <DeadlineTag dueAt={dueAt} overdue={overdue} paused={isDeadlinePaused(status)} now={now} />;
}
