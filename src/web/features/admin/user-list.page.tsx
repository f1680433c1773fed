import { EditOutlined, LockOutlined, PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Flex, Input, Select, Table, Tag, Tooltip } from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { roleCodes } from '../../../contracts/codes.js';
import type { UserDto } from '../../../contracts/identity.js';
import { EmptyState } from '../../components/empty-state.js';
import { RoleTags } from '../../components/labels.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { pageSizeOptions } from '../../config.js';
import { formatDateTime } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { UserFormModal } from './user-form.modal.js';
import { useUsers } from './users.api.js';

/** Accounts: who may sign in, with which roles, at which facility; create, edit, disable, unlock. */
export function UserListPage() {
  const { t } = useTranslation();
  const { str, num, patch } = useListParams();
  const filter = { q: str('q'), role: oneOf(str('role'), roleCodes), page: num('page', 1), pageSize: num('pageSize', 20) };
  const list = useUsers(filter);
  const [editing, setEditing] = useState<UserDto | null>(null);
  const [creating, setCreating] = useState(str('new') === '1');
  const filtered = Boolean(filter.q || filter.role);

  const columns: TableProps<UserDto>['columns'] = [
    {
      title: t('user.username'),
      dataIndex: 'username',
      width: 200,
      render: (v: string, u) => (
        <div>
          <span className="strong">{v}</span>
          <div className="cell-sub">{u.displayName}</div>
        </div>
      ),
    },
    { title: t('user.roles'), dataIndex: 'roles', render: (_, u) => <RoleTags roles={u.roles} /> },
    {
      title: t('user.organization'),
      dataIndex: 'organizationName',
      width: 220,
      ellipsis: true,
      render: (v: string | null, u) => (v && u.organizationId ? <Link to={`/network/organizations/${u.organizationId}`}>{v}</Link> : <span className="muted">{t('user.noOrganization')}</span>),
    },
    {
      title: t('user.status'),
      key: 'status',
      width: 130,
      render: (_, u) => (
        <Flex gap={4} wrap>
          {u.active ? <Badge status="success" text={t('user.enabled')} /> : <Badge status="default" text={t('user.disabled')} />}
          {u.locked && (
            <Tooltip title={t('user.lockedTip')}>
              <Tag color="error" icon={<LockOutlined />}>{t('user.locked')}</Tag>
            </Tooltip>
          )}
        </Flex>
      ),
    },
    { title: t('user.lastLogin'), dataIndex: 'lastLoginAt', width: 170, render: (v: string | null) => (v ? formatDateTime(v) : <span className="muted">{t('user.neverLoggedIn')}</span>) },
    { title: t('user.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      fixed: 'right',
      render: (_, u) => (
        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(u)}>
          {t('common.edit')}
        </Button>
      ),
    },
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('nav.accounts')}
        subtitle={t('user.subtitle')}
        crumbs={[{ title: t('nav.admin') }, { title: t('nav.accounts') }]}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('user.createTitle')}
          </Button>
        }
      />
      <Card variant="borderless">
        <Flex gap={12} wrap className="filter-bar">
          <Input.Search
            allowClear
            enterButton={t('common.search')}
            defaultValue={filter.q}
            placeholder={t('user.searchPlaceholder')}
            onSearch={(q) => patch({ q: q.trim() })}
            style={{ width: 320 }}
          />
          <Select
            allowClear
            placeholder={t('user.anyRole')}
            value={filter.role}
            onChange={(role) => patch({ role })}
            options={roleCodes.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            style={{ width: 200 }}
          />
        </Flex>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<UserDto>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={list.data?.items ?? []}
            loading={list.isFetching}
            scroll={{ x: 1100 }}
            locale={{
              emptyText: list.isFetching ? ' ' : <EmptyState description={filtered ? t('user.emptyFiltered') : t('user.emptyAll')} />,
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
      <UserFormModal
        key={editing?.id ?? 'new'}
        user={editing}
        open={creating || Boolean(editing)}
        onClose={() => {
          setCreating(false);
          setEditing(null);
          patch({ new: undefined }, false);
        }}
      />
    </div>
  );
}
