import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Switch, Table } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { urgencies } from '../../../contracts/codes.js';
import { diagnosisStatuses, type DiagnosisListItemDto, examModalities } from '../../../contracts/diagnosis.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { pageSizeOptions } from '../../config.js';
import { formatDateTime } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { UrgencyTag, useNow } from '../referral/referral-tags.js';
import { type DiagnosisFilter, useDiagnosisList } from './diagnosis.api.js';
import { CriticalTag, DxDeadline, DxStatusTag } from './diagnosis-tags.js';

/**
 * 我的远程诊断申请: the requesting facility's requests with the same deadline columns as the center's worklist, so a
 * late reading shows on this side too. Filters and page live in the URL.
 */
export function DiagnosisSentPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const now = useNow();
  const { str, num, patch } = useListParams();
  const filter: DiagnosisFilter = {
    view: 'sent',
    status: oneOf(str('status'), diagnosisStatuses),
    urgency: oneOf(str('urgency'), urgencies),
    modality: oneOf(str('modality'), examModalities),
    overdue: str('overdue') === 'true' || undefined,
    q: str('q'),
    page: num('page', 1),
    pageSize: num('pageSize', 20),
  };
  const list = useDiagnosisList(filter, true, 60_000);
  const filtered = Boolean(filter.status || filter.urgency || filter.modality || filter.overdue || filter.q);

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
    { title: t('diagnosis.patient'), dataIndex: 'patientName', key: 'patient', width: 110 },
    {
      title: t('diagnosis.exam'),
      key: 'exam',
      width: 240,
      render: (_, r) => (
        <div>
          <div>
            <span className="mono">{r.modality}</span> {r.examType}
          </div>
          <div className="cell-sub">→ {r.centerName}</div>
        </div>
      ),
    },
    { title: t('diagnosis.status'), key: 'status', width: 140, render: (_, r) => <DxStatusTag status={r.status} /> },
    { title: t('diagnosis.reader'), key: 'reader', width: 120, render: (_, r) => r.claimedByName ?? r.assignedUserName ?? <span className="muted">—</span> },
    { title: t('diagnosis.deadline'), key: 'due', width: 170, render: (_, r) => <DxDeadline status={r.status} dueAt={r.dueAt} overdue={r.overdue} now={now} /> },
    { title: t('diagnosis.submittedAt'), dataIndex: 'createdAt', key: 'created', width: 170, render: (v: string) => formatDateTime(v) },
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('diagnosis.nav.sent')}
        subtitle={t('diagnosis.sentSubtitle')}
        crumbs={[{ title: t('diagnosis.nav.group') }, { title: t('diagnosis.nav.sent') }]}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()}>
              {t('diagnosis.refresh')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/diagnosis/new')} data-testid="dx-new">
              {t('diagnosis.form.title')}
            </Button>
          </>
        }
      />
      <Card variant="borderless">
        <DiagnosisFilters filter={filter} patch={patch} filtered={filtered} />
        <DiagnosisRequestTable
          list={list}
          columns={columns}
          page={filter.page}
          pageSize={filter.pageSize}
          emptyText={filtered ? t('diagnosis.emptyFiltered') : t('diagnosis.emptySent')}
          scrollX={1100}
          onPage={(page, pageSize) => patch({ page, pageSize }, false)}
        />
      </Card>
    </div>
  );
}

/** Status, urgency, modality, overdue and search: the filters both lists share. */
export function DiagnosisFilters({
  filter,
  patch,
  filtered,
  extra,
}: {
  filter: DiagnosisFilter;
  patch: (p: Record<string, string | number | undefined>) => void;
  filtered: boolean;
  extra?: React.ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Flex gap={12} wrap className="filter-bar" align="center">
      <Input.Search
        allowClear
        enterButton={t('common.search')}
        defaultValue={filter.q}
        key={filter.q ?? ''}
        placeholder={t('diagnosis.searchPlaceholder')}
        onSearch={(q) => patch({ q: q.trim() })}
        style={{ width: 300 }}
        data-testid="dx-search"
      />
      <Select
        allowClear
        placeholder={t('diagnosis.anyStatus')}
        value={Array.isArray(filter.status) ? undefined : filter.status}
        onChange={(status) => patch({ status })}
        options={diagnosisStatuses.map((s) => ({ value: s, label: t(`diagnosisStatus.${s}`) }))}
        style={{ width: 140 }}
      />
      <Select
        allowClear
        placeholder={t('diagnosis.anyUrgency')}
        value={filter.urgency}
        onChange={(urgency) => patch({ urgency })}
        options={urgencies.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
        style={{ width: 110 }}
      />
      <Select
        allowClear
        placeholder={t('diagnosis.anyModality')}
        value={filter.modality}
        onChange={(modality) => patch({ modality })}
        options={examModalities.map((m) => ({ value: m, label: t(`diagnosisModality.${m}`) }))}
        style={{ width: 150 }}
      />
      <Flex align="center" gap={6}>
        <Switch size="small" checked={Boolean(filter.overdue)} onChange={(on) => patch({ overdue: on ? 'true' : undefined })} />
        <span>{t('diagnosis.overdueOnly')}</span>
      </Flex>
      {extra}
      {filtered && (
        <Button type="link" onClick={() => patch({ q: undefined, status: undefined, urgency: undefined, modality: undefined, overdue: undefined, assigned: undefined })}>
          {t('common.clearFilters')}
        </Button>
      )}
    </Flex>
  );
}

/**
 * The table both request lists share (sent requests and a center's worklist): a row opens the request, overdue rows
 * are marked, paging is the server's.
 */
export function DiagnosisRequestTable({
  list, columns, page, pageSize, emptyText, scrollX, onPage,
}: {
  list: ReturnType<typeof useDiagnosisList>;
  columns: TableProps<DiagnosisListItemDto>['columns'];
  page: number;
  pageSize: number;
  emptyText: string;
  scrollX: number;
  onPage: (page: number, pageSize: number) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (list.isError) return <QueryError error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Table<DiagnosisListItemDto>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={list.data?.items ?? []}
      loading={list.isFetching && !list.data}
      scroll={{ x: scrollX }}
      rowClassName={(r) => `clickable-row${r.overdue ? ' row-overdue' : ''}`}
      onRow={(r) => ({ onClick: () => void navigate(`/diagnosis/requests/${encodeURIComponent(r.id)}`), 'data-testid': `dx-row-${r.number}` }) as React.HTMLAttributes<HTMLElement>}
      locale={{ emptyText: list.isFetching ? ' ' : <EmptyState description={emptyText} /> }}
      pagination={{
        current: list.data?.page ?? page,
        pageSize: list.data?.pageSize ?? pageSize,
        total: list.data?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions,
        showTotal: (total) => t('common.total', { total }),
        onChange: onPage,
      }}
    />
  );
}
