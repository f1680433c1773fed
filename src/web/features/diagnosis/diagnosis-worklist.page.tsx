import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Row, Segmented, Select } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { urgencies } from '../../../contracts/codes.js';
import { diagnosisStatuses, type DiagnosisListItemDto, examModalities } from '../../../contracts/diagnosis.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { StatCard } from '../../components/stat-card.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { UrgencyTag, useNow } from '../referral/referral-tags.js';
import { type DiagnosisFilter, diagnosisChanged, moveRequest, useDiagnosisList, useMyCenters } from './diagnosis.api.js';
import { DiagnosisFilters, DiagnosisRequestTable } from './diagnosis-sent.page.js';
import { CriticalTag, DxDeadline, DxStatusTag } from './diagnosis-tags.js';

const assignedChoices = ['any', 'me', 'unassigned'] as const;
/** The queue refreshes itself: a township's emergency ECG must not wait for someone to press F5. */
const refreshMs = 20_000;

/**
 * 诊断工作列表: a center's queue as the API orders it (overdue first, then soonest due), with counts, filters, claim
 * and release in the row. Readers of several centers pick the center; the choice lives in the URL.
 */
export function DiagnosisWorklistPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const me = useCurrentUser();
  const now = useNow();
  const centers = useMyCenters();
  const { str, num, patch } = useListParams();
  const reading = centers.data?.reading ?? [];
  const centerId = reading.find((c) => c.id === str('center'))?.id ?? reading[0]?.id;
  const filter: DiagnosisFilter = {
    view: 'worklist',
    centerId,
    status: oneOf(str('status'), diagnosisStatuses),
    urgency: oneOf(str('urgency'), urgencies),
    modality: oneOf(str('modality'), examModalities),
    assigned: oneOf(str('assigned'), assignedChoices) ?? 'any',
    overdue: str('overdue') === 'true' || undefined,
    q: str('q'),
    page: num('page', 1),
    pageSize: num('pageSize', 20),
  };
  const enabled = Boolean(centerId);
  const list = useDiagnosisList(filter, enabled, refreshMs);
  const countBase = { view: 'worklist' as const, centerId, page: 1, pageSize: 1 };
  const allOpen = useDiagnosisList({ ...countBase }, enabled, refreshMs);
  const overdue = useDiagnosisList({ ...countBase, overdue: true }, enabled, refreshMs);
  const unassigned = useDiagnosisList({ ...countBase, assigned: 'unassigned' }, enabled, refreshMs);
  const mine = useDiagnosisList({ ...countBase, assigned: 'me' }, enabled, refreshMs);

  const move = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'claim' | 'release' }) => moveRequest(id, action),
    onSuccess: async (dto, v) => {
      await diagnosisChanged(queryClient, dto);
      void message.success(v.action === 'claim' ? t('diagnosis.claimed', { number: dto.number }) : t('diagnosis.released', { number: dto.number }));
      if (v.action === 'claim') void navigate(`/diagnosis/requests/${encodeURIComponent(dto.id)}`);
    },
    onError: async (e) => {
      void message.error(errorText(e, t));
      await diagnosisChanged(queryClient);
    },
  });

  if (centers.isPending) return <Loading />;
  if (centers.isError) return <QueryError error={centers.error} onRetry={() => void centers.refetch()} />;
  if (!centerId)
    return (
      <div className="page">
        <PageHeader title={t('diagnosis.nav.worklist')} crumbs={[{ title: t('diagnosis.nav.worklist') }]} />
        <Card variant="borderless">
          <EmptyState description={t('diagnosis.notReader')} />
        </Card>
      </div>
    );

  const filtered = Boolean(filter.status || filter.urgency || filter.modality || filter.overdue || filter.q || filter.assigned !== 'any');
  const columns: TableProps<DiagnosisListItemDto>['columns'] = [
    {
      title: t('diagnosis.number'),
      key: 'number',
      width: 190,
      render: (_, r) => (
        <div>
          <Link to={`/diagnosis/requests/${encodeURIComponent(r.id)}`} className="strong-link mono" data-testid={`dx-link-${r.number}`} onClick={(e) => e.stopPropagation()}>
            {r.number}
          </Link>
          <div>
            <UrgencyTag urgency={r.urgency} />
            {r.hasCriticalValue && <CriticalTag />}
          </div>
        </div>
      ),
    },
    { title: t('diagnosis.deadline'), key: 'due', width: 160, render: (_, r) => <DxDeadline status={r.status} dueAt={r.dueAt} overdue={r.overdue} now={now} /> },
    { title: t('diagnosis.patient'), dataIndex: 'patientName', key: 'patient', width: 100 },
    {
      title: t('diagnosis.exam'),
      key: 'exam',
      width: 220,
      render: (_, r) => (
        <div>
          <div>
            <span className="mono">{r.modality}</span> {r.examType}
          </div>
          <div className="cell-sub">{r.requesterOrganizationName}</div>
        </div>
      ),
    },
    { title: t('diagnosis.status'), key: 'status', width: 130, render: (_, r) => <DxStatusTag status={r.status} /> },
    {
      title: t('diagnosis.reader'),
      key: 'reader',
      width: 130,
      render: (_, r) =>
        r.claimedByName ? r.claimedByName : r.assignedUserName ? <span>{t('diagnosis.assignedTo', { name: r.assignedUserName })}</span> : <span className="muted">{t('diagnosis.unassigned')}</span>,
    },
    { title: t('diagnosis.submittedAt'), dataIndex: 'createdAt', key: 'created', width: 160, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      fixed: 'right',
      render: (_, r) => {
        const pending = move.isPending && move.variables?.id === r.id;
        if (r.status === 'requested')
          return (
            <Button size="small" type="primary" loading={pending} disabled={move.isPending} data-testid={`dx-claim-${r.number}`} onClick={(e) => { e.stopPropagation(); move.mutate({ id: r.id, action: 'claim' }); }}>
              {t('diagnosisAction.claim')}
            </Button>
          );
        if (r.status === 'in-progress' && r.claimedByName === me.displayName)
          return (
            <Button size="small" loading={pending} disabled={move.isPending} data-testid={`dx-release-${r.number}`} onClick={(e) => { e.stopPropagation(); move.mutate({ id: r.id, action: 'release' }); }}>
              {t('diagnosisAction.release')}
            </Button>
          );
        return null;
      },
    },
  ];

  const center = reading.find((c) => c.id === centerId);
  const stat = (title: string, q: typeof list, color: string, onClick: () => void, testId: string) => (
    <Col xs={12} md={6}>
      <div role="button" tabIndex={0} className="clickable-row" onClick={onClick} onKeyDown={(e) => e.key === 'Enter' && onClick()} data-testid={testId}>
        <StatCard title={title} value={q.data?.total} loading={q.isPending} color={color} />
      </div>
    </Col>
  );

  return (
    <div className="page">
      <PageHeader
        title={t('diagnosis.nav.worklist')}
        subtitle={center ? `${center.name} · ${center.organizationName}` : undefined}
        crumbs={[{ title: t('diagnosis.nav.group') }, { title: t('diagnosis.nav.worklist') }]}
        extra={
          <>
            {reading.length > 1 && (
              <Select value={centerId} onChange={(c) => patch({ center: c })} options={reading.map((c) => ({ value: c.id, label: c.name }))} style={{ width: 220 }} data-testid="dx-center-select" />
            )}
            <Button icon={<ReloadOutlined />} onClick={() => void diagnosisChanged(queryClient)}>
              {t('diagnosis.refresh')}
            </Button>
          </>
        }
      />
      {center?.dutyHeadNow && <Alert type="info" showIcon title={t('diagnosis.dutyHeadNow')} />}
      <Row gutter={[16, 16]}>
        {stat(t('diagnosis.count.open'), allOpen, '#1677ff', () => patch({ status: undefined, overdue: undefined, assigned: undefined }), 'dx-count-open')}
        {stat(t('diagnosis.count.overdue'), overdue, '#f5222d', () => patch({ overdue: 'true' }), 'dx-count-overdue')}
        {stat(t('diagnosis.count.unassigned'), unassigned, '#fa8c16', () => patch({ assigned: 'unassigned' }), 'dx-count-unassigned')}
        {stat(t('diagnosis.count.mine'), mine, '#52c41a', () => patch({ assigned: 'me' }), 'dx-count-mine')}
      </Row>
      <Card variant="borderless">
        <DiagnosisFilters
          filter={filter}
          patch={patch}
          filtered={filtered}
          extra={
            <Segmented
              value={filter.assigned}
              onChange={(v) => patch({ assigned: v === 'any' ? undefined : String(v) })}
              options={assignedChoices.map((a) => ({ value: a, label: t(`diagnosis.assigned.${a}`) }))}
            />
          }
        />
        <DiagnosisRequestTable
          list={list}
          columns={columns}
          page={filter.page}
          pageSize={filter.pageSize}
          emptyText={filtered ? t('diagnosis.emptyFiltered') : t('diagnosis.emptyWorklist')}
          scrollX={1200}
          onPage={(page, pageSize) => patch({ page, pageSize }, false)}
        />
      </Card>
    </div>
  );
}
