import { CheckCircleFilled } from '@ant-design/icons';
import { Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { OrganizationDto, OrganizationQuery } from '../../../contracts/network.js';
import { LevelGrade, TierTag } from '../../components/labels.js';
import { pageSizeOptions } from '../../config.js';
import { localDivisionName } from '../../lib/format.js';
import type { Page } from '../../lib/page.js';

type Sort = OrganizationQuery['sort'];
const sortable: Sort[] = ['name', 'tier', 'beds', 'division'];

interface Props {
  page: Page<OrganizationDto> | undefined;
  loading: boolean;
  sort?: Sort;
  onPage: (page: number, pageSize: number) => void;
  onSort?: (sort: Sort | undefined) => void;
  empty: ReactNode;
  /** Hide the division column when the list is already one division's. */
  hideDivision?: boolean;
}

/** Facilities with their tier, level and size; used by the facility list and the division browser. */
export function OrganizationTable({ page, loading, sort, onPage, onSort, empty, hideDivision }: Props) {
  const { t } = useTranslation();
  const order = (key: Sort) => (onSort ? (sort === key ? ('ascend' as const) : null) : undefined);
  const columns: TableProps<OrganizationDto>['columns'] = [
    {
      title: t('org.name'),
      dataIndex: 'name',
      key: 'name',
      width: 280,
      sorter: Boolean(onSort),
      sortOrder: order('name'),
      render: (_, o) => (
        <div>
          <Link to={`/network/organizations/${o.id}`} className="strong-link">
            {o.name}
          </Link>
          {!o.active && <Typography.Text type="secondary"> · {t('common.inactive')}</Typography.Text>}
          <div className="cell-sub">{o.identifier}</div>
        </div>
      ),
    },
    { title: t('org.tier'), dataIndex: 'tier', key: 'tier', width: 150, sorter: Boolean(onSort), sortOrder: order('tier'), render: (_, o) => <TierTag tier={o.tier} /> },
    { title: t('org.level'), key: 'level', width: 110, render: (_, o) => <LevelGrade level={o.hospitalLevel} grade={o.hospitalGrade} /> },
    ...(hideDivision
      ? []
      : [
          {
            title: t('org.division'),
            dataIndex: 'divisionName',
            key: 'division',
            width: 190,
            ellipsis: { showTitle: true },
            sorter: Boolean(onSort),
            sortOrder: order('division'),
            render: (v: string) => localDivisionName(v),
          },
        ]),
    { title: t('org.beds'), dataIndex: 'beds', key: 'beds', width: 90, align: 'right', sorter: Boolean(onSort), sortOrder: order('beds') },
    {
      title: t('org.capability'),
      key: 'capability',
      width: 110,
      render: (_, o) =>
        o.meetsCapabilityStandard ? (
          <span className="ok-text nowrap">
            <CheckCircleFilled /> {t('org.meetsStandard')}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    { title: t('org.phone'), dataIndex: 'phone', key: 'phone', width: 140, render: (v: string | null) => v ?? <span className="muted">—</span> },
  ];
  return (
    <Table<OrganizationDto>
      rowKey="id"
      columns={columns}
      dataSource={page?.items ?? []}
      loading={loading}
      scroll={{ x: 1150 }}
      size="middle"
      locale={{ emptyText: loading ? ' ' : empty }}
      sortDirections={['ascend']}
      onChange={(_, __, sorter, extra) => {
        if (extra.action !== 'sort' || !onSort) return;
        const s = Array.isArray(sorter) ? sorter[0] : sorter;
        const key = s?.order ? (s.columnKey as Sort) : undefined;
        onSort(key && sortable.includes(key) ? key : undefined);
      }}
      pagination={{
        current: page?.page ?? 1,
        pageSize: page?.pageSize ?? 20,
        total: page?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions,
        showTotal: (total) => t('common.total', { total }),
        onChange: onPage,
      }}
    />
  );
}

