import { CalendarOutlined, HistoryOutlined, MedicineBoxOutlined, StopOutlined, TeamOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Card, Col, DatePicker, Descriptions, Flex, Input, Row, Table, Tabs, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { AllianceDto, MembershipDto } from '../../../contracts/network.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { AllianceKindTag, Period, SpecialtyLabel, TierTag } from '../../components/labels.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { isInForce, shanghaiDate } from '../../lib/format.js';
import { useListParams } from '../../lib/use-list-params.js';
import { filterByName, isOpenMembership, mayAdministerAlliance } from './alliance-admin.model.js';
import { AllianceCataloguePanel } from './alliance-catalogue.panel.js';
import { EndMembershipModal, JoinAllianceModal } from './membership.modals.js';
import { useAllianceMembers, useAlliances } from './network.api.js';

const views = ['members', 'history', 'catalogue'] as const;
type View = (typeof views)[number];

/**
 * Alliances of the network; members as of any date, and the full history of who joined and left when. Those who may
 * administer the selected alliance (a system admin, or an alliance admin of its lead organization) also record joins
 * and ends of membership and adjust the alliance's tier catalogue; the server decides every such write.
 */
export function AllianceBrowserPage() {
  const { t } = useTranslation();
  const { str, patch } = useListParams();
  const alliances = useAlliances();
  const list = alliances.data ?? [];
  const selectedId = str('id') ?? list[0]?.id;
  const selected = list.find((a) => a.id === selectedId);

  return (
    <div className="page">
      <PageHeader
        title={t('nav.alliances')}
        subtitle={t('alliance.subtitle')}
        crumbs={[{ title: t('nav.network') }, { title: t('nav.alliances') }]}
      />
      {alliances.isError ? (
        <QueryError error={alliances.error} onRetry={() => void alliances.refetch()} />
      ) : alliances.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <Card variant="borderless">
          <EmptyState description={t('alliance.empty')} />
        </Card>
      ) : (
        <Row gutter={16}>
          <Col xs={24} lg={8} xl={7} xxl={6}>
            <Card variant="borderless" title={t('alliance.listTitle', { count: list.length })} styles={{ body: { padding: 8 } }}>
              <div role="listbox" aria-label={t('nav.alliances')}>
                {list.map((a) => (
                  <div
                    key={a.id}
                    role="option"
                    aria-selected={a.id === selectedId}
                    tabIndex={0}
                    className={`alliance-item${a.id === selectedId ? ' alliance-item-active' : ''}`}
                    onClick={() => patch({ id: a.id, on: undefined })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') patch({ id: a.id, on: undefined });
                    }}
                  >
                    <div className="alliance-item-name">{a.name}</div>
                    <Flex gap={6} wrap align="center" style={{ marginTop: 6 }}>
                      <AllianceKindTag kind={a.kind} />
                      <span className="cell-sub">
                        <TeamOutlined /> {t('alliance.memberCount', { count: a.memberCount })}
                      </span>
                      {a.dissolvedOn && <Tag>{t('alliance.dissolved')}</Tag>}
                    </Flex>
                  </div>
                ))}
              </div>
            </Card>
          </Col>
          <Col xs={24} lg={16} xl={17} xxl={18}>
            {selected ? <AllianceDetail key={selected.id} alliance={selected} /> : <EmptyState description={t('alliance.pick')} />}
          </Col>
        </Row>
      )}
    </div>
  );
}

function AllianceDetail({ alliance }: { alliance: AllianceDto }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const { str, patch } = useListParams();
  const today = shanghaiDate();
  const on = str('on') ?? today;
  const canAdmin = mayAdministerAlliance(me, alliance);
  const requested = views.find((v) => v === str('view')) ?? 'members';
  const tab: View = requested === 'catalogue' && !canAdmin ? 'members' : requested;
  const [joining, setJoining] = useState(false);
  // The membership being ended stays set while its dialog closes, so the dialog does not empty itself mid-animation.
  const [ending, setEnding] = useState<MembershipDto | null>(null);
  const [endOpen, setEndOpen] = useState(false);
  const [nameFilter, setNameFilter] = useState('');
  const members = useAllianceMembers(alliance.id, on);
  // The full history is fetched only when its tab is opened.
  const history = useAllianceMembers(tab === 'history' ? alliance.id : null, null);
  const memberRows = useMemo(() => filterByName(members.data ?? [], nameFilter), [members.data, nameFilter]);
  const historyRows = useMemo(
    () =>
      filterByName(history.data ?? [], nameFilter).sort(
        (a, b) => b.validFrom.localeCompare(a.validFrom) || a.organizationName.localeCompare(b.organizationName),
      ),
    [history.data, nameFilter],
  );
  const nameFilterBox = (
    <Input.Search
      allowClear
      value={nameFilter}
      onChange={(e) => setNameFilter(e.target.value)}
      placeholder={t('alliance.filterName')}
      aria-label={t('alliance.filterName')}
      style={{ width: 220 }}
    />
  );

  const baseColumns: TableProps<MembershipDto>['columns'] = [
    {
      title: t('org.name'),
      dataIndex: 'organizationName',
      key: 'name',
      width: 240,
      render: (name: string, m) => (
        <Link to={`/network/organizations/${m.organizationId}`} className="strong-link">
          {name}
        </Link>
      ),
    },
    { title: t('org.tier'), dataIndex: 'tier', width: 150, render: (_, m) => <TierTag tier={m.tier} /> },
    {
      title: t('alliance.role'),
      dataIndex: 'role',
      width: 110,
      render: (_, m) => <Tag color={m.role === 'lead' ? 'gold' : 'default'}>{t(`membershipRole.${m.role}`)}</Tag>,
    },
    { title: t('alliance.period'), key: 'period', width: 200, render: (_, m) => <Period from={m.validFrom} to={m.validTo} /> },
  ];
  // Only an open period can be ended; a closed one is history and stays as recorded (the history tab has no actions).
  const actionColumn: NonNullable<TableProps<MembershipDto>['columns']>[number] = {
    title: t('common.actions'),
    key: 'actions',
    width: 140,
    render: (_, m) =>
      isOpenMembership(m) ? (
        <Button
          type="text"
          size="small"
          icon={<StopOutlined />}
          onClick={() => {
            setEnding(m);
            setEndOpen(true);
          }}
        >
          {t('allianceAdmin.end')}
        </Button>
      ) : null,
  };
  // With the action column the name column gives up its fixed width, so the list still fits without scrolling.
  const memberColumns = canAdmin
    ? [...(baseColumns ?? []).map((c) => (c.key === 'name' ? { ...c, width: undefined } : c)), actionColumn]
    : baseColumns;
  const historyColumns: TableProps<MembershipDto>['columns'] = [
    ...(baseColumns ?? []),
    {
      title: t('alliance.status'),
      key: 'status',
      width: 90,
      render: (_, m) =>
        isInForce(m, today) ? <Badge status="success" text={t('alliance.current')} /> : m.validFrom > today ? <Badge status="processing" text={t('alliance.upcoming')} /> : <Badge status="default" text={t('alliance.left')} />,
    },
    { title: t('alliance.reason'), dataIndex: 'reason', ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
  ];
  // An empty list says whether the name filter or the alliance itself is why.
  const emptyText = (unfiltered: string) => (
    <EmptyState simple description={nameFilter.trim() ? t('alliance.noNameMatch', { name: nameFilter.trim() }) : unfiltered} />
  );
  const historyNote = canAdmin && <Alert type="info" showIcon title={t('allianceAdmin.historyNote')} style={{ marginBottom: 12 }} />;

  return (
    <Card variant="borderless">
      <Flex justify="space-between" align="start" wrap gap={12}>
        <div>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {alliance.name}
          </Typography.Title>
          <AllianceKindTag kind={alliance.kind} />
        </div>
        {canAdmin && (
          <Button type="primary" icon={<UsergroupAddOutlined />} onClick={() => setJoining(true)}>
            {t('allianceAdmin.join')}
          </Button>
        )}
      </Flex>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} style={{ marginTop: 12 }}>
        <Descriptions.Item label={t('alliance.lead')}>
          <Link to={`/network/organizations/${alliance.leadOrganizationId}`}>{alliance.leadOrganizationName}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('alliance.identifier')}>{alliance.identifier}</Descriptions.Item>
        <Descriptions.Item label={t('alliance.established')}>{alliance.establishedOn}</Descriptions.Item>
        {alliance.specialty && <Descriptions.Item label={t('alliance.specialty')}><SpecialtyLabel code={alliance.specialty} /></Descriptions.Item>}
        {alliance.dissolvedOn && <Descriptions.Item label={t('alliance.dissolvedOn')}>{alliance.dissolvedOn}</Descriptions.Item>}
        <Descriptions.Item label={t('alliance.members')}>{alliance.memberCount}</Descriptions.Item>
      </Descriptions>
      <Tabs
        activeKey={tab}
        onChange={(key) => patch({ view: key === 'members' ? undefined : key }, false)}
        items={[
          {
            key: 'members',
            label: (
              <span>
                <CalendarOutlined /> {t('alliance.membersOn')}
              </span>
            ),
            children: (
              <>
                {historyNote}
                <Flex align="center" gap={12} wrap className="filter-bar">
                  {nameFilterBox}
                  <span>{t('alliance.asOf')}</span>
                  <DatePicker
                    id="asOf"
                    value={dayjs(on)}
                    allowClear={false}
                    onChange={(d) => patch({ on: d ? d.format('YYYY-MM-DD') : undefined }, false)}
                    disabledDate={(d) => d.format('YYYY-MM-DD') < alliance.establishedOn}
                  />
                  {on !== today && (
                    <Typography.Link onClick={() => patch({ on: undefined }, false)}>{t('alliance.backToToday')}</Typography.Link>
                  )}
                  {members.data && (
                    <Typography.Text type="secondary">{t('alliance.countOn', { date: on, count: members.data.length })}</Typography.Text>
                  )}
                </Flex>
                {members.isError ? (
                  <QueryError error={members.error} onRetry={() => void members.refetch()} />
                ) : (
                  <Table<MembershipDto>
                    rowKey="id"
                    size="middle"
                    loading={members.isFetching}
                    dataSource={memberRows}
                    columns={memberColumns}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    locale={{ emptyText: emptyText(t('alliance.noMembersOn', { date: on })) }}
                  />
                )}
              </>
            ),
          },
          {
            key: 'history',
            label: (
              <span>
                <HistoryOutlined /> {t('alliance.history')}
              </span>
            ),
            children: history.isError ? (
              <QueryError error={history.error} onRetry={() => void history.refetch()} />
            ) : (
              <>
                {historyNote}
                <Flex className="filter-bar">{nameFilterBox}</Flex>
                <Table<MembershipDto>
                  rowKey="id"
                  size="middle"
                  loading={history.isFetching}
                  dataSource={historyRows}
                  columns={historyColumns}
                  scroll={{ x: 960 }}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                  locale={{ emptyText: emptyText(t('alliance.noHistory')) }}
                />
              </>
            ),
          },
          ...(canAdmin
            ? [
                {
                  key: 'catalogue',
                  label: (
                    <span>
                      <MedicineBoxOutlined /> {t('allianceCatalogue.tab')}
                    </span>
                  ),
                  children: <AllianceCataloguePanel alliance={alliance} />,
                },
              ]
            : []),
        ]}
      />
      {canAdmin && (
        <>
          <JoinAllianceModal alliance={alliance} open={joining} onClose={() => setJoining(false)} />
          <EndMembershipModal membership={ending} open={endOpen} onClose={() => setEndOpen(false)} />
        </>
      )}
    </Card>
  );
}
