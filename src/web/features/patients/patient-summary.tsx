import { Descriptions, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { PatientDto } from '../../../contracts/patient.js';
import { ConditionTag } from '../../components/labels.js';
import { ageOn, formatDateTime, shanghaiDate } from '../../lib/format.js';

/** The registered facts of a resident; used by the detail page and the quick-view drawer. */
export function PatientSummary({ patient: p, columns = 2 }: { patient: PatientDto; columns?: number }) {
  const { t } = useTranslation();
  const dash = <span className="muted">—</span>;
  const age = ageOn(p.birthDate, shanghaiDate());
  return (
    <Descriptions bordered size="small" column={{ xs: 1, md: columns }} styles={{ label: { width: 130 } }}>
      <Descriptions.Item label={t('patient.name')}>{p.name}</Descriptions.Item>
      <Descriptions.Item label={t('patient.idNumber')}>
        {p.idNumber ? <Typography.Text copyable>{p.idNumber}</Typography.Text> : dash}
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.sex')}>{t(`sex.${p.sex}`)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.birthDate')}>
        {p.birthDate}
        {age !== null && <Typography.Text type="secondary"> （{t('patient.age', { count: age })}）</Typography.Text>}
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.phone')}>{p.phone ?? dash}</Descriptions.Item>
      <Descriptions.Item label={t('patient.residence')}>{p.residenceDivisionName ?? dash}</Descriptions.Item>
      <Descriptions.Item label={t('patient.address')} span={columns}>
        {p.addressLine ?? dash}
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.managingOrganization')}>
        <Link to={`/network/organizations/${encodeURIComponent(p.managingOrganizationId)}`}>{p.managingOrganizationName}</Link>
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.familyDoctorTeam')}>{p.familyDoctorTeam ?? dash}</Descriptions.Item>
      <Descriptions.Item label={t('patient.chronicConditions')} span={columns}>
        {p.chronicConditions.length ? p.chronicConditions.map((c) => <ConditionTag key={c} code={c} />) : <Tag>{t('patient.noChronic')}</Tag>}
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.createdAt')}>{formatDateTime(p.createdAt)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.updatedAt')}>{formatDateTime(p.updatedAt)}</Descriptions.Item>
    </Descriptions>
  );
}
