import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Flex, Input, Row, Segmented, Select, Switch, Table, Tabs, Typography } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { referralDirections, referralStatuses, urgencies, type ReferralStatus } from '../../../contracts/codes.js';
import type { ReferralListItemDto } from '../../../contracts/referral.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { StatCard } from '../../components/stat-card.js';
import { pageSizeOptions } from '../../config.js';
import { formatDateTime } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { type ReferralFilter, useReferralCounts, useReferrals } from './referral.api.js';
import { openCount, pickView, referralCreatorRoles, type ReferralView, viewsFor, worklistOrder } from './referral.model.js';
import { DeadlineTag, DirectionTag, StatusTag, UrgencyTag, useNow } from './referral-tags.js';

const sorts = ['due', 'requested', 'updated'] as const;

/**
 * 转诊工作台: the worklists as tabs — sent by me, waiting for me (overdue first), the alliance desk with its counts,
 * referrals that found no reserved capacity. Filters, tab, page and sort live in the URL.
 */
export function ReferralListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const now = useNow();
  const { str, num, patch } = useListParams();
  const views = viewsFor(me.roles);
  const view = pickView(str('view'), me.roles);
  const status = oneOf(str('status'), referralStatuses);
  const filter: ReferralFilter = {
    view: view ?? 'all',
    status,
    direction: oneOf(str('direction'), referralDirections),
    urgency: oneOf(str('urgency'), urgencies),
    overdue: str('overdue') === 'true' || undefined,
    q: str('q'),
    page: num('page', 1),
    pageSize: num('pageSize', 20),
    sort: oneOf(str('sort'), sorts) ?? 'due',
  };
  const list = useReferrals(filter, Boolean(view));
  const counts = useReferralCounts(view, Boolean(view));
  const canCreate = me.roles.some((r) => referralCreatorRoles.includes(r));
  const filtered = Boolean(filter.status || filter.direction || filter.urgency || filter.overdue || filter.q);
  const rows = filter.sort === 'due' ? worklistOrder(list.data?.items ?? []) : (list.data?.items ?? []);

  if (!view)
    return (
      <div className="page">
        <PageHeader title={t('nav.referrals')} crumbs={[{ title: t('nav.referrals') }]} />
        <Card variant="borderless">
          <EmptyState description={t('referral.noWorklist')} />
        </Card>
      </div>
    );

  const columns: TableProps<ReferralListItemDto>['columns'] = [
    {
      title: t('referral.number'),
      dataIndex: 'number',
      key: 'number',
      width: 170,
      fixed: 'left',
      render: (_, r) => (
        <div>
          <Link to={`/referrals/${encodeURIComponent(r.id)}`} className="strong-link mono" data-testid={`referral-link-${r.number}`} onClick={(e) => e.stopPropagation()}>
            {r.number}
          </Link>
          <div>
            <DirectionTag direction={r.direction} />
            <UrgencyTag urgency={r.urgency} />
          </div>
        </div>
      ),
    },
    { title: t('referral.patient'), dataIndex: 'patientName', key: 'patient', width: 110 },
    {
      title: t('referral.diagnosis'),
      key: 'diagnosis',
      width: 200,
      ellipsis: true,
      render: (_, r) => (
        <span title={`${r.diagnosisCode} ${r.diagnosisName}`}>
          <span className="mono">{r.diagnosisCode}</span> {r.diagnosisName}
        </span>
      ),
    },
    {
      title: t('referral.route'),
      key: 'route',
      width: 260,
      render: (_, r) => (
        <div>
          <div>{r.originName}</div>
          <div className="cell-sub">→ {r.destinationName}</div>
        </div>
      ),
    },
    {
      title: t('referral.status'),
      key: 'status',
      width: 150,
      render: (_, r) => (
        <>
          <StatusTag status={r.status} subState={r.subState} />
          {r.noCapacity && <Typography.Text type="warning" className="cell-sub">{t('referral.noCapacityShort')}</Typography.Text>}
        </>
      ),
    },
    {
      title: t('referral.deadline.column'),
      key: 'due',
      width: 170,
      sorter: true,
      sortOrder: filter.sort === 'due' ? 'ascend' : null,
      render: (_, r) =>
        r.status === 'completed' || r.status === 'cancelled' || r.status === 'rejected' ? (
          <span className="muted">—</span>
        ) : (
          <DeadlineTag dueAt={r.dueAt} overdue={r.overdue} now={now} />
        ),
    },
    {
      title: t('referral.requestedAt'),
      dataIndex: 'requestedAt',
      key: 'requested',
      width: 170,
      sorter: true,
      sortOrder: filter.sort === 'requested' ? 'ascend' : null,
      render: (v: string | null) => (v ? formatDateTime(v) : <span className="muted">{t('referralStatus.draft')}</span>),
    },
    {
      title: t('referral.updatedAt'),
      dataIndex: 'updatedAt',
      key: 'updated',
      width: 170,
      sorter: true,
      sortOrder: filter.sort === 'updated' ? 'ascend' : null,
      render: (v: string) => formatDateTime(v),
    },
  ];

  const byStatus = counts.data?.byStatus;
  const statusOptions = [
    { value: '', label: <span>{t('referral.allStatuses')}</span> },
    ...referralStatuses
      .filter((s) => (byStatus?.[s] ?? 0) > 0 || s === status)
      .map((s) => ({
        value: s,
        label: (
          <span>
            {t(`referralStatus.${s}`)}
            <span className="tab-count">{byStatus?.[s] ?? 0}</span>
          </span>
        ),
      })),
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('nav.referrals')}
        subtitle={t('referral.listSubtitle')}
        crumbs={[{ title: t('nav.referralGroup') }, { title: t('nav.referrals') }]}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void Promise.all([list.refetch(), counts.refetch()])}>
              {t('referral.refresh')}
            </Button>
            {canCreate && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/referrals/new')} data-testid="new-referral">
                {t('referral.newUp')}
              </Button>
            )}
          </>
        }
      >
        <Tabs
          activeKey={view}
          onChange={(v) => patch({ view: v, status: undefined, overdue: undefined })}
          items={views.map((v) => ({ key: v, label: <ViewLabel view={v} /> }))}
          style={{ marginBottom: -16, marginTop: 8 }}
        />
      </PageHeader>
      {view === 'desk' && (
        <Row gutter={[16, 16]}>
          {(['requested', 'accepted', 'in-progress', 'on-hold'] as ReferralStatus[]).map((s) => (
            <Col key={s} xs={12} md={8} xl={4}>
              <div role="button" tabIndex={0} className="clickable-row" onClick={() => patch({ status: s })} onKeyDown={(e) => e.key === 'Enter' && patch({ status: s })}>
                <StatCard title={t(`referralStatus.${s}`)} value={byStatus?.[s] ?? (counts.data ? 0 : undefined)} loading={counts.isPending} color="#1677ff" />
              </div>
            </Col>
          ))}
          <Col xs={12} md={8} xl={4}>
            <div role="button" tabIndex={0} className="clickable-row" onClick={() => patch({ overdue: 'true' })} onKeyDown={(e) => e.key === 'Enter' && patch({ overdue: 'true' })}>
              <StatCard title={t('referral.overdueCount')} value={counts.data?.overdue} loading={counts.isPending} color="#f5222d" />
            </div>
          </Col>
          <Col xs={12} md={8} xl={4}>
            <StatCard title={t('referral.noCapacityCount')} value={counts.data?.noCapacity} loading={counts.isPending} color="#fa8c16" to="/referrals?view=no-capacity" />
          </Col>
        </Row>
      )}
      <Card variant="borderless">
        <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>
          {t(`referral.viewHint.${view}`)}
        </Typography.Paragraph>
        <Segmented
          value={status ?? ''}
          options={statusOptions}
          onChange={(v) => patch({ status: v ? String(v) : undefined })}
          style={{ marginBottom: 12, maxWidth: '100%', overflowX: 'auto' }}
          data-testid="status-filter"
        />
        <Flex gap={12} wrap className="filter-bar" align="center">
          <Input.Search
            allowClear
            enterButton={t('common.search')}
            defaultValue={filter.q}
            key={filter.q ?? ''}
            placeholder={t('referral.searchPlaceholder')}
            onSearch={(q) => patch({ q: q.trim() })}
            style={{ width: 320 }}
            data-testid="referral-search"
          />
          <Select
            allowClear
            placeholder={t('referral.anyDirection')}
            value={filter.direction}
            onChange={(direction) => patch({ direction })}
            options={referralDirections.map((d) => ({ value: d, label: t(`referralDirection.${d}`) }))}
            style={{ width: 120 }}
          />
          <Select
            allowClear
            placeholder={t('referral.anyUrgency')}
            value={filter.urgency}
            onChange={(urgency) => patch({ urgency })}
            options={urgencies.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
            style={{ width: 120 }}
          />
          <Flex align="center" gap={6}>
            <Switch size="small" checked={Boolean(filter.overdue)} onChange={(on) => patch({ overdue: on ? 'true' : undefined })} />
            <span>{t('referral.overdueOnly')}</span>
          </Flex>
          <Select
            value={filter.sort}
            onChange={(sort) => patch({ sort: sort === 'due' ? undefined : sort })}
            options={sorts.map((s) => ({ value: s, label: t(`referral.sort.${s}`) }))}
            style={{ width: 150 }}
            aria-label={t('referral.sortLabel')}
          />
          {filtered && (
            <Button type="link" onClick={() => patch({ q: undefined, status: undefined, direction: undefined, urgency: undefined, overdue: undefined })}>
              {t('common.clearFilters')}
            </Button>
          )}
        </Flex>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<ReferralListItemDto>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={list.isFetching}
            scroll={{ x: 1400 }}
            rowClassName={(r) => `clickable-row${r.overdue ? ' row-overdue' : ''}`}
            onRow={(r) => ({ onClick: () => void navigate(`/referrals/${encodeURIComponent(r.id)}`), 'data-testid': `referral-row-${r.number}` }) as React.HTMLAttributes<HTMLElement>}
            sortDirections={['ascend']}
            onChange={(_, __, sorter, extra) => {
              if (extra.action !== 'sort') return;
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              const key = s?.order ? oneOf(String(s.columnKey), sorts) : undefined;
              patch({ sort: key && key !== 'due' ? key : undefined });
            }}
            locale={{
              emptyText: list.isFetching ? (
                ' '
              ) : filtered ? (
                <EmptyState description={t('referral.emptyFiltered')} />
              ) : (
                <EmptyState
                  description={t(`referral.empty.${view}`)}
                  action={
                    canCreate &&
                    view === 'sent' && (
                      <Button type="primary" onClick={() => void navigate('/referrals/new')}>
                        {t('referral.newUp')}
                      </Button>
                    )
                  }
                />
              ),
            }}
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

/** A tab's label with the number of open referrals in it (overdue ones in red). */
function ViewLabel({ view }: { view: ReferralView }) {
  const { t } = useTranslation();
  const counts = useReferralCounts(view);
  const open = openCount(counts.data?.byStatus);
  const overdue = counts.data?.overdue ?? 0;
  return (
    <span data-testid={`tab-${view}`}>
      {t(`referral.view.${view}`)}
      {view === 'no-capacity'
        ? counts.data && <span className="tab-count">{counts.data.noCapacity}</span>
        : counts.data && <span className="tab-count">{open}</span>}
      {overdue > 0 && view !== 'no-capacity' && <span className="tab-count tab-count-danger">{t('referral.overdueBadge', { count: overdue })}</span>}
    </span>
  );
}
