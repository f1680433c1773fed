import { Card, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { PatientDiagnosisReportDto } from '../../../contracts/diagnosis.js';
import { QueryError } from '../../components/query-state.js';
import { formatDateTime } from '../../lib/format.js';
import { usePatientDiagnosisReports } from './patient-diagnosis-reports.api.js';

const PAGE_SIZE = 10;

/** 检查报告 / Diagnostic reports: the patient's final and amended reports from every diagnosis center, newest first. */
export function PatientDiagnosisReports({ patientId }: { patientId: string }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const reports = usePatientDiagnosisReports(patientId, page, PAGE_SIZE);
  return (
    <Card variant="borderless" title={t('patientDiagnosisReports.title')} data-testid="patient-diagnosis-reports" style={{ marginTop: 16 }}>
      {reports.isError ? (
        <QueryError error={reports.error} onRetry={() => void reports.refetch()} />
      ) : (
        <Table<PatientDiagnosisReportDto>
          rowKey="requestId"
          size="small"
          loading={reports.isPending}
          dataSource={reports.data?.items ?? []}
          locale={{ emptyText: t('patientDiagnosisReports.empty') }}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: reports.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
          columns={[
            { title: t('patientDiagnosisReports.reportedAt'), dataIndex: 'reportedAt', width: 150, render: (v: string) => formatDateTime(v) },
            { title: t('patientDiagnosisReports.center'), dataIndex: 'centerName', width: 180 },
            {
              title: t('patientDiagnosisReports.exam'),
              key: 'exam',
              render: (_: unknown, r) => (
                <Link to={`/diagnosis/requests/${encodeURIComponent(r.requestId)}`} title={t('patientDiagnosisReports.open')}>
                  {r.examType}（{r.modality}）· {r.requestNumber}
                </Link>
              ),
            },
            {
              title: t('patientDiagnosisReports.impression'),
              dataIndex: 'impression',
              render: (v: string, r) => (
                <>
                  {r.hasCriticalValue && <Tag color="red">{t('patientDiagnosisReports.critical')}</Tag>}
                  <Typography.Text>{v}</Typography.Text>
                </>
              ),
            },
            {
              title: t('patientDiagnosisReports.status'),
              dataIndex: 'status',
              width: 100,
              render: (v: string) => (v === 'amended' ? <Tag color="orange">{t('patientDiagnosisReports.statusAmended')}</Tag> : <Tag color="green">{t('patientDiagnosisReports.statusFinal')}</Tag>),
            },
          ]}
        />
      )}
    </Card>
  );
}
