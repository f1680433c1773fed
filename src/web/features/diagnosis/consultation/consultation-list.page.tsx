import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Segmented, Select, Switch, Table } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { consultationKinds, consultationStatuses, type ConsultationListItemDto } from '../../../../contracts/diagnosis-consultation.js';
import { useCurrentUser } from '../../../app/require-auth.js';
import { ForbiddenPage } from '../../../app/status.pages.js';
import { EmptyState } from '../../../components/empty-state.js';
import { PageHeader } from '../../../components/page-header.js';
import { QueryError } from '../../../components/query-state.js';
import { pageSizeOptions } from '../../../config.js';
import { formatDateTime } from '../../../lib/format.js';
import { oneOf, useListParams } from '../../../lib/use-list-params.js';
import { DeadlineTag, UrgencyTag, useNow } from '../../referral/referral-tags.js';
import { type ConsultationFilter, useConsultations } from './consultation.api.js';
import { consultationViews, isConsultationRequester } from './consultation.model.js';
import { ConsultationStatusTag } from './consultation-tags.js';

/**
 * 远程会诊: the requesting facility's consultations (`sent`), the center's queue (`center`) and my invitations
 * (`expert`), each with the response deadline so a late answer shows on both sides. Filters and page live in the URL.
 */
export function ConsultationListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const now = useNow();
  const views = consultationViews(me.roles);
  const { str, num, patch } = useListParams();
  const view = oneOf(str('view'), views) ?? views[0];
  const filter: ConsultationFilter = {
    view: view ?? 'sent',
    status: oneOf(str('status'), consultationStatuses),
    kind: oneOf(str('kind'), consultationKinds),
    overdue: str('overdue') === 'true' || undefined,
    q: str('q'),
    page: num('page', 1),
    pageSize: num('pageSize', 20),
  };
  const list = useConsultations(filter, Boolean(view));
  if (!view) return <ForbiddenPage />;
  const filtered = Boolean(filter.status || filter.kind || filter.overdue || filter.q);
  const open = (id: string) => void navigate(`/consultations/${encodeURIComponent(id)}`);

  const columns: TableProps<ConsultationListItemDto>['columns'] = [
    {
      title: t('consultation.number'),
      key: 'number',
      width: 190,
      render: (_, r) => (
        <div>
          <Link to={`/consultations/${encodeURIComponent(r.id)}`} className="strong-link mono" data-testid={`consultation-link-${r.number}`} onClick={(e) => e.stopPropagation()}>
            {r.number}
          </Link>
          <div>
            <UrgencyTag urgency={r.urgency} />
          </div>
        </div>
      ),
    },
    { title: t('consultation.patient'), dataIndex: 'patientName', key: 'patient', width: 110 },
    {
      title: t('consultation.subject'),
      key: 'subject',
      width: 240,
      render: (_, r) => (
        <div>
          <div>{t(`consultation.kind.${r.kind}`)} · {r.specialty}</div>
          <div className="cell-sub">{view === 'sent' ? `→ ${r.centerName}` : `${r.requesterOrganizationName} · ${r.requesterName}`}</div>
        </div>
      ),
    },
    { title: t('consultation.statusLabel'), key: 'status', width: 120, render: (_, r) => <ConsultationStatusTag status={r.status} /> },
    { title: t('consultation.experts'), key: 'experts', width: 160, render: (_, r) => (r.experts.length ? r.experts.join('、') : <span className="muted">—</span>) },
    { title: t('consultation.scheduledStart'), key: 'scheduled', width: 170, render: (_, r) => (r.scheduledStart ? formatDateTime(r.scheduledStart) : <span className="muted">—</span>) },
    { title: t('consultation.respondBy'), key: 'due', width: 170, render: (_, r) => (r.dueAt ? <DeadlineTag dueAt={r.dueAt} overdue={r.overdue} now={now} /> : <span className="muted">—</span>) },
    { title: t('consultation.submittedAt'), dataIndex: 'createdAt', key: 'created', width: 170, render: (v: string) => formatDateTime(v) },
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('consultation.title')}
        subtitle={t('consultation.subtitle')}
        crumbs={[{ title: t('consultation.title') }]}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()}>
              {t('consultation.refresh')}
            </Button>
            {isConsultationRequester(me.roles) && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/consultations/new')} data-testid="consultation-new">
                {t('consultation.new')}
              </Button>
            )}
          </>
        }
      />
      <Card variant="borderless">
        <Flex gap={12} wrap className="filter-bar" align="center">
          {views.length > 1 && (
            <Segmented value={view} onChange={(v) => patch({ view: v })} options={views.map((v) => ({ value: v, label: t(`consultation.view.${v}`) }))} />
          )}
          <Input.Search
            allowClear
            enterButton={t('common.search')}
            defaultValue={filter.q}
            key={filter.q ?? ''}
            placeholder={t('consultation.searchPlaceholder')}
            onSearch={(q) => patch({ q: q.trim() })}
            style={{ width: 280 }}
          />
          <Select
            allowClear
            placeholder={t('consultation.anyStatus')}
            value={filter.status}
            onChange={(status) => patch({ status })}
            options={consultationStatuses.map((s) => ({ value: s, label: t(`consultation.status.${s}`) }))}
            style={{ width: 140 }}
          />
          <Select
            allowClear
            placeholder={t('consultation.anyKind')}
            value={filter.kind}
            onChange={(kind) => patch({ kind })}
            options={consultationKinds.map((k) => ({ value: k, label: t(`consultation.kind.${k}`) }))}
            style={{ width: 130 }}
          />
          <Flex align="center" gap={6}>
            <Switch size="small" checked={Boolean(filter.overdue)} onChange={(on) => patch({ overdue: on ? 'true' : undefined })} />
            <span>{t('consultation.overdueOnly')}</span>
          </Flex>
          {filtered && (
            <Button type="link" onClick={() => patch({ q: undefined, status: undefined, kind: undefined, overdue: undefined })}>
              {t('common.clearFilters')}
            </Button>
          )}
        </Flex>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<ConsultationListItemDto>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={list.data?.items ?? []}
            loading={list.isFetching && !list.data}
            scroll={{ x: 1200 }}
            rowClassName={(r) => `clickable-row${r.overdue ? ' row-overdue' : ''}`}
            onRow={(r) => ({ onClick: () => open(r.id), 'data-testid': `consultation-row-${r.number}` }) as React.HTMLAttributes<HTMLElement>}
            locale={{ emptyText: list.isFetching ? ' ' : <EmptyState description={filtered ? t('consultation.emptyFiltered') : t('consultation.empty')} /> }}
            pagination={{
              current: list.data?.page ?? filter.page,
              pageSize: list.data?.pageSize ?? filter.pageSize,
              total: list.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions,
              showTotal: (total) => t('common.total', { total }),
              onChange: (page, pageSize) => patch({ page, pageSize }, false),
            }}
          />
        )}
      </Card>
    </div>
  );
}
