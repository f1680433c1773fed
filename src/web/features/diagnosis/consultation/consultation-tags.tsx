import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ConsultationStatus, ExpertState } from '../../../../contracts/diagnosis-consultation.js';

const statusColors: Record<ConsultationStatus, string> = {
  requested: 'orange',
  scheduled: 'blue',
  'in-progress': 'processing',
  'opinion-given': 'cyan',
  concluded: 'green',
  cancelled: 'default',
  declined: 'red',
};
const expertColors: Record<ExpertState, string> = { invited: 'gold', accepted: 'green', declined: 'red', removed: 'default' };

export function ConsultationStatusTag({ status }: { status: ConsultationStatus }) {
  const { t } = useTranslation();
  return <Tag color={statusColors[status]} data-testid="consultation-status">{t(`consultation.status.${status}`)}</Tag>;
}

export function ExpertStateTag({ state }: { state: ExpertState }) {
  const { t } = useTranslation();
  return <Tag color={expertColors[state]}>{t(`consultation.expertState.${state}`)}</Tag>;
}
