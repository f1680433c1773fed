import { Table, Typography, type TableColumnType, type TableProps } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TurnaroundGroupDto } from '../../../../contracts/diagnosis-statistics.js';
import { type GroupSortKey, openRequests, sortGroups } from './turnaround-statistics.model.js';
import { Duration } from './turnaround-kpis.js';

type SortOrder = TableColumnType<TurnaroundGroupDto>['sortOrder'];

/**
 * One breakdown (per modality, urgency, reader, requesting facility or center) as a table. Sorting goes through
 * `sortGroups`, so groups without a figure stay last in either direction instead of sorting as 0.
 */
export function TurnaroundGroupTable({ rows, labelTitle, testId }: { rows: readonly TurnaroundGroupDto[]; labelTitle: string; testId: string }) {
  const { t } = useTranslation();
  const [sort, setSort] = useState<{ key: GroupSortKey; order: 'asc' | 'desc' }>({ key: 'requests', order: 'desc' });
  const sorted = useMemo(() => sortGroups(rows, sort.key, sort.order), [rows, sort]);
  const orderOf = (key: GroupSortKey): SortOrder => (sort.key === key ? (sort.order === 'asc' ? 'ascend' : 'descend') : null);
  const sortable = (key: GroupSortKey) => ({ key, sorter: true, sortOrder: orderOf(key), sortDirections: ['descend', 'ascend', 'descend'] as NonNullable<SortOrder>[] });

  const columns: NonNullable<TableProps<TurnaroundGroupDto>['columns']> = [
    { title: labelTitle, dataIndex: 'label', ...sortable('label'), render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    { title: t('diagnosisStats.col.requests'), dataIndex: 'requests', align: 'right', className: 'tabular', ...sortable('requests') },
    { title: t('diagnosisStats.col.completed'), dataIndex: 'completed', align: 'right', className: 'tabular', ...sortable('completed') },
    { title: t('diagnosisStats.col.open'), key: 'open', align: 'right', className: 'tabular', render: (_, g) => openRequests(g) },
    {
      title: t('diagnosisStats.col.onTimeShare'),
      dataIndex: 'onTimeShare',
      align: 'right',
      className: 'tabular',
      ...sortable('onTimeShare'),
      render: (_, g) =>
        g.onTimeShare === null ? (
          <Typography.Text type="secondary">—</Typography.Text>
        ) : (
          <span title={t('diagnosisStats.onTimeOf', { onTime: g.onTime, total: g.withDeadline })}>
            {`${g.onTimeShare}%`} <span className="cell-sub">{`${g.onTime}/${g.withDeadline}`}</span>
          </span>
        ),
    },
    { title: t('diagnosisStats.col.p50'), align: 'right', className: 'tabular', ...sortable('p50'), render: (_, g) => <Duration minutes={g.report.p50} /> },
    { title: t('diagnosisStats.col.p90'), align: 'right', className: 'tabular', ...sortable('p90'), render: (_, g) => <Duration minutes={g.report.p90} /> },
    { title: t('diagnosisStats.col.max'), align: 'right', className: 'tabular', ...sortable('max'), render: (_, g) => <Duration minutes={g.report.max} /> },
    { title: t('diagnosisStats.col.claimP50'), key: 'claim', align: 'right', className: 'tabular', render: (_, g) => <Duration minutes={g.claim.p50} /> },
  ];

  return (
    <div data-testid={testId}>
    <Table<TurnaroundGroupDto>
      size="small"
      rowKey="key"
      columns={columns}
      dataSource={sorted}
      pagination={sorted.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 860 }}
      locale={{ emptyText: t('diagnosisStats.emptyGroup') }}
      onChange={(_, __, sorter) => {
        const s = Array.isArray(sorter) ? sorter[0] : sorter;
        const key = s?.columnKey as GroupSortKey | undefined;
        if (key && s?.order) setSort({ key, order: s.order === 'ascend' ? 'asc' : 'desc' });
        else setSort({ key: 'requests', order: 'desc' });
      }}
    />
    </div>
  );
}
