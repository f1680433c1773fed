import { Button, Card, Segmented, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { CriticalBoardItemDto } from '../../../contracts/diagnosis.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { formatDateTime } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { DeadlineTag, useNow } from '../referral/referral-tags.js';
import { AckModal } from './critical-values.js';
import { useCriticalBoard, useMyCenters } from './diagnosis.api.js';
import { isRequester } from './diagnosis.model.js';

const sides = ['requester', 'reader'] as const;
const states = ['open', 'acknowledged', 'all'] as const;

/**
 * 危急值: my facility's critical values (to acknowledge with read-back) and, for readers, those flagged at my
 * centers with whether the requester has acknowledged them.
 */
export function CriticalValuesPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const now = useNow(15_000);
  const centers = useMyCenters();
  const { str, num, patch } = useListParams();
  const available = sides.filter((s) => (s === 'requester' ? isRequester(me.roles) && Boolean(me.organization) : (centers.data?.reading.length ?? 0) > 0));
  const side = oneOf(str('side'), available) ?? available[0];
  const state = oneOf(str('state'), states) ?? 'open';
  const page = num('page', 1);
  const board = useCriticalBoard(side ?? 'requester', state, page, Boolean(side));
  const [acking, setAcking] = useState<CriticalBoardItemDto | null>(null);

  if (centers.isPending && !isRequester(me.roles)) return <Loading />;
  const header = <PageHeader title={t('diagnosis.nav.critical')} crumbs={[{ title: t('diagnosis.nav.group') }, { title: t('diagnosis.nav.critical') }]} />;
  if (!side)
    return (
      <div className="page">
        {header}
        <Card variant="borderless">
          <EmptyState description={t('diagnosis.critical.noSide')} />
        </Card>
      </div>
    );

  return (
    <div className="page">
      {header}
      <Card variant="borderless">
        {available.length > 1 && (
          <Tabs activeKey={side} onChange={(s) => patch({ side: s })} items={available.map((s) => ({ key: s, label: t(`diagnosis.critical.side.${s}`) }))} />
        )}
        <Segmented
          value={state}
          onChange={(v) => patch({ state: v === 'open' ? undefined : String(v) })}
          options={states.map((s) => ({ value: s, label: t(`diagnosis.critical.state.${s}`) }))}
          style={{ marginBottom: 12 }}
        />
        {board.isError ? (
          <QueryError error={board.error} onRetry={() => void board.refetch()} />
        ) : (
          <Table<CriticalBoardItemDto>
            rowKey="id"
            size="middle"
            loading={board.isFetching && !board.data}
            dataSource={board.data?.items ?? []}
            scroll={{ x: 1100 }}
            rowClassName={(c) => (c.state === 'open' ? 'row-overdue' : '')}
            locale={{ emptyText: <EmptyState description={t('diagnosis.critical.empty')} /> }}
            columns={[
              {
                title: t('diagnosis.number'),
                key: 'number',
                width: 180,
                render: (_, c) => (
                  <Link to={`/diagnosis/requests/${encodeURIComponent(c.requestId)}`} className="mono strong-link">
                    {c.requestNumber}
                  </Link>
                ),
              },
              { title: t('diagnosis.patient'), dataIndex: 'patientName', key: 'patient', width: 100 },
              { title: t('diagnosis.critical.finding'), dataIndex: 'finding', key: 'finding', render: (v: string) => <span className="strong" data-testid="critical-row-finding">{v}</span> },
              {
                title: side === 'requester' ? t('diagnosis.center') : t('diagnosis.requester'),
                key: 'party',
                width: 200,
                render: (_, c) => (side === 'requester' ? c.centerName : c.requesterOrganizationName),
              },
              { title: t('diagnosis.critical.flaggedAt'), key: 'flagged', width: 170, render: (_, c) => <span>{formatDateTime(c.flaggedAt)}<div className="cell-sub">{c.flaggedByName}</div></span> },
              {
                title: t('diagnosis.status'),
                key: 'state',
                width: 200,
                render: (_, c) =>
                  c.state === 'open' ? (
                    <span>
                      <Tag color="red">{t('diagnosisCriticalState.open')}</Tag>
                      {c.deadline && <DeadlineTag dueAt={c.deadline.dueAt} overdue={c.deadline.overdue} now={now} />}
                    </span>
                  ) : (
                    <span>
                      <Tag color="green">{t('diagnosisCriticalState.acknowledged')}</Tag>
                      <div className="cell-sub">
                        {c.receivedBy} · {formatDateTime(c.acknowledgedAt)}
                      </div>
                    </span>
                  ),
              },
              {
                title: t('common.actions'),
                key: 'actions',
                width: 120,
                fixed: 'right',
                render: (_, c) =>
                  side === 'requester' && c.state === 'open' ? (
                    <Button type="primary" danger size="small" onClick={() => setAcking(c)} data-testid={`critical-ack-${c.requestNumber}`}>
                      {t('diagnosis.critical.ack')}
                    </Button>
                  ) : null,
              },
            ]}
            pagination={{
              current: page,
              pageSize: board.data?.pageSize ?? 20,
              total: board.data?.total ?? 0,
              showTotal: (total) => t('common.total', { total }),
              onChange: (p) => patch({ page: p }, false),
            }}
          />
        )}
      </Card>
      <AckModal critical={acking} onClose={() => setAcking(null)} />
    </div>
  );
}
