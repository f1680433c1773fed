import { CheckCircleOutlined, ClockCircleOutlined, FieldTimeOutlined, FileSearchOutlined, HourglassOutlined } from '@ant-design/icons';
import { Card, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TurnaroundFiguresDto } from '../../../../contracts/diagnosis-statistics.js';
import { durationParts, openRequests } from './turnaround-statistics.model.js';

/** A turnaround in minutes, hours or days; "—" when there is nothing to measure (never 0). */
export function Duration({ minutes }: { minutes: number | null }) {
  const { t } = useTranslation();
  const d = durationParts(minutes);
  if (!d) return <Typography.Text type="secondary">—</Typography.Text>;
  return <>{t(`diagnosisStats.unit.${d.unit}`, { n: d.value })}</>;
}

function Kpi({ testId, title, value, sub, icon, color }: { testId: string; title: string; value: ReactNode; sub: ReactNode; icon: ReactNode; color: string }) {
  return (
    <Card variant="borderless" className="stat-card" data-testid={testId} style={{ height: '100%' }}>
      <div className="stat-card-row">
        <div style={{ minWidth: 0 }}>
          <div className="stat-card-title">{title}</div>
          <div className="tabular" style={{ fontSize: 26, fontWeight: 600, lineHeight: 1.4 }} data-testid="kpi-value">
            {value}
          </div>
          <div className="cell-sub">{sub}</div>
        </div>
        <div className="stat-card-icon" style={{ color, background: `${color}14` }}>
          {icon}
        </div>
      </div>
    </Card>
  );
}

/** Volume, share on time, median and 90th-percentile turnaround, and what is still open, for the whole selection. */
export function TurnaroundKpis({ figures }: { figures: TurnaroundFiguresDto }) {
  const { t } = useTranslation();
  const f = figures;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))', gap: 12 }}>
        <Kpi
          testId="kpi-requests"
          title={t('diagnosisStats.kpi.requests')}
          value={f.requests}
          sub={t('diagnosisStats.kpi.requestsSub', { completed: f.completed })}
          icon={<FileSearchOutlined />}
          color="#0f766e"
        />
        <Kpi
          testId="kpi-on-time"
          title={t('diagnosisStats.kpi.onTime')}
          value={f.onTimeShare === null ? '—' : `${f.onTimeShare}%`}
          sub={f.withDeadline ? t('diagnosisStats.onTimeOf', { onTime: f.onTime, total: f.withDeadline }) : t('diagnosisStats.kpi.onTimeNone')}
          icon={<CheckCircleOutlined />}
          color="#16a34a"
        />
        <Kpi
          testId="kpi-p50"
          title={t('diagnosisStats.kpi.p50')}
          value={<Duration minutes={f.report.p50} />}
          sub={<>{t('diagnosisStats.kpi.claimP50')} <Duration minutes={f.claim.p50} /></>}
          icon={<ClockCircleOutlined />}
          color="#2563eb"
        />
        <Kpi
          testId="kpi-p90"
          title={t('diagnosisStats.kpi.p90')}
          value={<Duration minutes={f.report.p90} />}
          sub={<>{t('diagnosisStats.kpi.netP50')} <Duration minutes={f.reportExcludingPauses.p50} /></>}
          icon={<FieldTimeOutlined />}
          color="#7c3aed"
        />
        <Kpi
          testId="kpi-open"
          title={t('diagnosisStats.kpi.open')}
          value={openRequests(f)}
          sub={t('diagnosisStats.kpi.openSub')}
          icon={<HourglassOutlined />}
          color="#d97706"
        />
    </div>
  );
}
