import { AuditOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Card, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { mayUse } from '../../app/access.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { ageOn, shanghaiDate } from '../../lib/format.js';
import { PatientDiagnosisReports } from './patient-diagnosis-reports.js';
import { PatientSummary } from './patient-summary.js';
import { usePatient } from './patients.api.js';

export function PatientDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const me = useCurrentUser();
  const patient = usePatient(id);

  if (patient.isPending) return <Loading height={400} />;
  if (patient.isError)
    return (
      <div className="page">
        <PageHeader title={t('patient.detailTitle')} crumbs={[{ title: t('nav.patients'), path: '/patients' }, { title: t('patient.detailTitle') }]} />
        <Card variant="borderless">
          <QueryError error={patient.error} onRetry={() => void patient.refetch()} />
        </Card>
      </div>
    );
  const p = patient.data;
  const age = ageOn(p.birthDate, shanghaiDate());
  return (
    <div className="page">
      <PageHeader
        title={p.name}
        tags={
          <>
            <Tag>{t(`sex.${p.sex}`)}</Tag>
            {age !== null && <Tag>{t('patient.age', { count: age })}</Tag>}
          </>
        }
        subtitle={p.managingOrganizationName}
        crumbs={[{ title: t('nav.patients'), path: '/patients' }, { title: p.name }]}
        extra={
          <>
            {mayUse(me.roles, 'audit') && (
              <Link to={`/audit?patientId=${encodeURIComponent(p.id)}`}>
                <Button icon={<AuditOutlined />}>{t('patient.accessLog')}</Button>
              </Link>
            )}
            <Link to={`/patients/${encodeURIComponent(p.id)}/edit`}>
              <Button type="primary" icon={<EditOutlined />}>
                {t('common.edit')}
              </Button>
            </Link>
          </>
        }
      />
      <Card variant="borderless" title={t('patient.registryInfo')}>
        <PatientSummary patient={p} />
      </Card>
      <PatientDiagnosisReports patientId={p.id} />
    </div>
  );
}
