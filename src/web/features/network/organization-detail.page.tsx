import {
  ApartmentOutlined, BankOutlined, CheckCircleFilled, CloseCircleFilled, ClusterOutlined, EditOutlined, MedicineBoxOutlined,
  PlusOutlined, ProfileOutlined, SwapOutlined, TeamOutlined, UserSwitchOutlined,
} from '@ant-design/icons';
import { Badge, Button, Card, Col, Descriptions, Flex, Row, Select, Table, Tabs, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { practitionerTitles, professions } from '../../../contracts/codes.js';
import type {
  CatalogueEntryDto, DepartmentDto, MembershipDto, OrganizationDetailDto, PractitionerDto, PractitionerRoleDto,
  SupportPairingDto,
} from '../../../contracts/network.js';
import { mayUse } from '../../app/access.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { LevelGrade, Period, SpecialtyLabel, TierTag, TitleTag } from '../../components/labels.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { isInForce, shanghaiDate } from '../../lib/format.js';
import { useListParams } from '../../lib/use-list-params.js';
import { rangeText } from './alliance-admin.model.js';
import { CatalogueCheck } from './catalogue-check.js';
import { useOrganization } from './network.api.js';
import { mayMaintainRegistry } from './registry.model.js';
import { AssignmentModal, DepartmentModal, PairingModal, PractitionerEditModal, PractitionerModal } from './registry.modals.js';

/** Which registry dialog is open on the facility page. */
type Dialog = 'department' | 'practitioner' | 'assignment' | 'pairing' | null;

/** A tab's action buttons above its table (shown to registry maintainers only). */
function Toolbar({ children }: { children: ReactNode }) {
  return (
    <Flex justify="flex-end" gap={8} style={{ marginBottom: 12 }}>
      {children}
    </Flex>
  );
}

const tabs = ['overview', 'departments', 'staff', 'stationed', 'alliances', 'pairings', 'catalogue'] as const;
type TabKey = (typeof tabs)[number];

function StatusBadge({ period, today }: { period: { validFrom: string; validTo: string | null }; today: string }) {
  const { t } = useTranslation();
  if (isInForce(period, today)) return <Badge status="success" text={t('alliance.current')} />;
  if (period.validFrom > today) return <Badge status="processing" text={t('alliance.upcoming')} />;
  return <Badge status="default" text={t('common.ended')} />;
}

/** One facility: its profile, departments, staff, stationed doctors, alliances, support pairings and catalogue. */
export function OrganizationDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { str, patch } = useListParams();
  const me = useCurrentUser();
  const detail = useOrganization(id);
  const tabParam = str('tab');
  const tab: TabKey = (tabs as readonly string[]).includes(tabParam ?? '') ? (tabParam as TabKey) : 'overview';
  const today = shanghaiDate();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [editing, setEditing] = useState<PractitionerDto | null>(null);
  const [editOpen, setEditOpen] = useState(false);

  if (detail.isPending) return <Loading height={400} />;
  if (detail.isError)
    return (
      <div className="page">
        <QueryError error={detail.error} onRetry={() => void detail.refetch()} />
      </div>
    );
  const d = detail.data;
  const o = d.organization;
  const count = (n: number) => (n ? <span className="tab-count">{n}</span> : null);
  const showPatients = mayUse(me.roles, 'patients');
  // The server decides per facility (403 shown in the dialog); these roles may maintain some facilities.
  const maintain = mayMaintainRegistry(me.roles);
  const addButton = (kind: Exclude<Dialog, null>, label: string) =>
    maintain && (
      <Toolbar>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog(kind)}>
          {label}
        </Button>
      </Toolbar>
    );
  const close = () => setDialog(null);

  return (
    <div className="page">
      <PageHeader
        title={o.name}
        tags={
          <>
            <TierTag tier={o.tier} />
            {o.isCentral && <Tag color="cyan">{t('org.central')}</Tag>}
            {!o.active && <Tag>{t('common.inactive')}</Tag>}
          </>
        }
        subtitle={o.divisionName}
        crumbs={[{ title: t('nav.network') }, { title: t('nav.organizations'), path: '/network/organizations' }, { title: o.shortName ?? o.name }]}
        extra={
          showPatients && (
            <Link to={`/patients?organizationId=${encodeURIComponent(o.id)}`}>
              <Button icon={<TeamOutlined />}>{t('org.patientsHere')}</Button>
            </Link>
          )
        }
      />
      <Card variant="borderless" styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={tab}
          onChange={(key) => patch({ tab: key === 'overview' ? undefined : key }, false)}
          items={[
            { key: 'overview', label: <span><ProfileOutlined /> {t('org.tab.overview')}</span>, children: <Overview d={d} /> },
            {
              key: 'departments',
              label: <span><ApartmentOutlined /> {t('org.tab.departments')}{count(d.departments.length)}</span>,
              children: <>{addButton('department', t('registry.addDepartment'))}<Departments rows={d.departments} /></>,
            },
            {
              key: 'staff',
              label: <span><MedicineBoxOutlined /> {t('org.tab.staff')}{count(d.practitioners.length)}</span>,
              children: (
                <>
                  {addButton('practitioner', t('registry.addPractitioner'))}
                  <Staff
                    rows={d.practitioners}
                    onEdit={
                      maintain
                        ? (p) => {
                            setEditing(p);
                            setEditOpen(true);
                          }
                        : undefined
                    }
                  />
                </>
              ),
            },
            {
              key: 'stationed',
              label: <span><UserSwitchOutlined /> {t('org.tab.stationed')}{count(d.stationedHere.filter((s) => isInForce(s, today)).length)}</span>,
              children: <>{addButton('assignment', t('registry.addAssignment'))}<Stationed rows={d.stationedHere} today={today} /></>,
            },
            {
              key: 'alliances',
              label: <span><ClusterOutlined /> {t('org.tab.alliances')}</span>,
              children: <Memberships rows={d.memberships} today={today} />,
            },
            {
              key: 'pairings',
              label: <span><SwapOutlined /> {t('org.tab.pairings')}{count(d.pairings.filter((p) => isInForce(p, today)).length)}</span>,
              children: <>{addButton('pairing', t('registry.addPairing'))}<Pairings rows={d.pairings} orgId={o.id} today={today} /></>,
            },
            {
              key: 'catalogue',
              label: <span><BankOutlined /> {t('org.tab.catalogue')}</span>,
              children: <Catalogue d={d} today={today} />,
            },
          ]}
        />
      </Card>
      {maintain && (
        <>
          <DepartmentModal organization={o} open={dialog === 'department'} onClose={close} />
          <PractitionerModal organization={o} departments={d.departments} open={dialog === 'practitioner'} onClose={close} />
          <AssignmentModal organization={o} departments={d.departments} open={dialog === 'assignment'} onClose={close} />
          <PairingModal organization={o} open={dialog === 'pairing'} onClose={close} />
          <PractitionerEditModal practitioner={editing} departments={d.departments} open={editOpen} onClose={() => setEditOpen(false)} />
        </>
      )}
    </div>
  );
}

function Overview({ d }: { d: OrganizationDetailDto }) {
  const { t } = useTranslation();
  const o = d.organization;
  const dash = <span className="muted">—</span>;
  return (
    <Flex vertical gap={24}>
      <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }} styles={{ label: { width: 140 } }}>
        <Descriptions.Item label={t('org.name')}>{o.name}</Descriptions.Item>
        <Descriptions.Item label={t('org.shortName')}>{o.shortName ?? dash}</Descriptions.Item>
        <Descriptions.Item label={t('org.identifier')}>
          {o.identifier} <Typography.Text type="secondary">({t(`identifierKind.${o.identifierKind}`)})</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('org.tier')}>
          <TierTag tier={o.tier} />
        </Descriptions.Item>
        <Descriptions.Item label={t('org.level')}>
          <LevelGrade level={o.hospitalLevel} grade={o.hospitalGrade} />
        </Descriptions.Item>
        <Descriptions.Item label={t('org.ownership')}>{t(`ownership.${o.ownership}`)}</Descriptions.Item>
        <Descriptions.Item label={t('org.beds')}>{o.beds}</Descriptions.Item>
        <Descriptions.Item label={t('org.capability')}>
          {o.meetsCapabilityStandard ? (
            <span className="ok-text"><CheckCircleFilled /> {t('org.meetsStandardLong')}</span>
          ) : (
            <span className="muted"><CloseCircleFilled /> {t('org.notMeetsStandard')}</span>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.supervisor')}>
          {d.supervisor ? <Link to={`/network/organizations/${d.supervisor.id}`}>{d.supervisor.name}</Link> : dash}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.division')}>
          {o.divisionName} <Typography.Text type="secondary">{o.divisionCode}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('org.address')}>{o.addressLine ?? dash}</Descriptions.Item>
        <Descriptions.Item label={t('org.phone')}>{o.phone ?? dash}</Descriptions.Item>
      </Descriptions>
      {d.supervisedClinics.length > 0 && (
        <div>
          <Typography.Title level={5}>{t('org.supervisedClinics', { count: d.supervisedClinics.length })}</Typography.Title>
          <Row gutter={[12, 12]}>
            {d.supervisedClinics.map((c) => (
              <Col key={c.id} xs={24} sm={12} lg={8} xxl={6}>
                <Card size="small" className="clinic-card">
                  <Link to={`/network/organizations/${c.id}`} className="strong-link">
                    {c.name}
                  </Link>
                  <div className="cell-sub">{c.identifier}</div>
                </Card>
              </Col>
            ))}
          </Row>
        </div>
      )}
    </Flex>
  );
}

function Departments({ rows }: { rows: DepartmentDto[] }) {
  const { t } = useTranslation();
  return (
    <Table<DepartmentDto>
      rowKey="id"
      size="middle"
      dataSource={rows}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      locale={{ emptyText: <EmptyState simple description={t('org.noDepartments')} /> }}
      columns={[
        { title: t('dept.code'), dataIndex: 'code', width: 120 },
        { title: t('dept.name'), dataIndex: 'name', render: (v: string, r) => <>{v}{r.isTcm && <Tag color="green" style={{ marginInlineStart: 8 }}>{t('dept.tcm')}</Tag>}</> },
        { title: t('dept.specialty'), dataIndex: 'specialty', width: 200, render: (v: string) => <SpecialtyLabel code={v} /> },
        { title: t('dept.beds'), dataIndex: 'beds', width: 100, align: 'right', sorter: (a, b) => a.beds - b.beds },
      ]}
    />
  );
}

function Staff({ rows, onEdit }: { rows: PractitionerDto[]; onEdit?: ((p: PractitionerDto) => void) | undefined }) {
  const { t } = useTranslation();
  const rank = (p: PractitionerDto) => practitionerTitles.indexOf(p.title);
  const columns: TableProps<PractitionerDto>['columns'] = [
    { title: t('staff.name'), dataIndex: 'name', width: 120, render: (v: string, p) => <>{v}{!p.active && <Typography.Text type="secondary"> · {t('common.inactive')}</Typography.Text>}</> },
    { title: t('staff.sex'), dataIndex: 'sex', width: 70, render: (v: string) => t(`sex.${v}`) },
    {
      title: t('staff.profession'),
      dataIndex: 'profession',
      width: 110,
      render: (v: string) => t(`profession.${v}`),
      filters: professions.map((p) => ({ text: t(`profession.${p}`), value: p })),
      onFilter: (v, p) => p.profession === v,
    },
    {
      title: t('staff.title'),
      dataIndex: 'title',
      width: 100,
      render: (_, p) => <TitleTag title={p.title} />,
      sorter: (a, b) => rank(a) - rank(b),
      filters: practitionerTitles.map((x) => ({ text: t(`title.${x}`), value: x })),
      onFilter: (v, p) => p.title === v,
    },
    { title: t('staff.specialty'), dataIndex: 'specialty', width: 160, ellipsis: true, render: (v: string) => <SpecialtyLabel code={v} /> },
    { title: t('staff.department'), dataIndex: 'departmentName', width: 140, render: (v: string | null) => v ?? <span className="muted">—</span> },
    { title: t('staff.identifier'), dataIndex: 'identifier', width: 160 },
    { title: t('staff.phone'), dataIndex: 'phone', width: 140, render: (v: string | null) => v ?? <span className="muted">—</span> },
    ...(onEdit
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 90,
            fixed: 'right' as const,
            render: (_: unknown, p: PractitionerDto) => (
              <Button size="small" type="link" icon={<EditOutlined />} onClick={() => onEdit(p)} aria-label={t('registry.editPractitionerTitle', { name: p.name })}>
                {t('common.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <Table<PractitionerDto>
      rowKey="id"
      size="middle"
      dataSource={rows}
      columns={columns}
      scroll={{ x: 1000 }}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
      locale={{ emptyText: <EmptyState simple description={t('org.noStaff')} /> }}
    />
  );
}

function Stationed({ rows, today }: { rows: PractitionerRoleDto[]; today: string }) {
  const { t } = useTranslation();
  const sorted = useMemo(() => [...rows].sort((a, b) => b.validFrom.localeCompare(a.validFrom)), [rows]);
  return (
    <Table<PractitionerRoleDto>
      rowKey="id"
      size="middle"
      dataSource={sorted}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      locale={{ emptyText: <EmptyState simple description={t('org.noStationed')} /> }}
      columns={[
        { title: t('staff.name'), dataIndex: 'practitionerName', width: 140 },
        { title: t('stationed.kind'), dataIndex: 'kind', width: 120, render: (v: string) => <Tag color="blue">{t(`practitionerRoleKind.${v}`)}</Tag> },
        { title: t('alliance.period'), key: 'period', width: 230, render: (_, r) => <Period from={r.validFrom} to={r.validTo} /> },
        { title: t('alliance.status'), key: 'status', width: 100, render: (_, r) => <StatusBadge period={r} today={today} /> },
        { title: t('stationed.note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
      ]}
    />
  );
}

function Memberships({ rows, today }: { rows: MembershipDto[]; today: string }) {
  const { t } = useTranslation();
  const sorted = useMemo(() => [...rows].sort((a, b) => b.validFrom.localeCompare(a.validFrom)), [rows]);
  return (
    <Table<MembershipDto>
      rowKey="id"
      size="middle"
      dataSource={sorted}
      pagination={false}
      locale={{ emptyText: <EmptyState simple description={t('org.noAlliances')} /> }}
      columns={[
        {
          title: t('alliance.name'),
          dataIndex: 'allianceName',
          render: (v: string, m) => <Link to={`/network/alliances?id=${encodeURIComponent(m.allianceId)}`}>{v}</Link>,
        },
        { title: t('alliance.role'), dataIndex: 'role', width: 110, render: (v: string) => <Tag color={v === 'lead' ? 'gold' : 'default'}>{t(`membershipRole.${v}`)}</Tag> },
        { title: t('alliance.period'), key: 'period', width: 230, render: (_, m) => <Period from={m.validFrom} to={m.validTo} /> },
        { title: t('alliance.status'), key: 'status', width: 100, render: (_, m) => <StatusBadge period={m} today={today} /> },
        { title: t('alliance.reason'), dataIndex: 'reason', ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
      ]}
    />
  );
}

function Pairings({ rows, orgId, today }: { rows: SupportPairingDto[]; orgId: string; today: string }) {
  const { t } = useTranslation();
  return (
    <Table<SupportPairingDto>
      rowKey="id"
      size="middle"
      dataSource={rows}
      pagination={false}
      locale={{ emptyText: <EmptyState simple description={t('org.noPairings')} /> }}
      columns={[
        {
          title: t('pairing.direction'),
          key: 'direction',
          width: 120,
          render: (_, p) =>
            p.supportedOrganizationId === orgId ? <Tag color="cyan">{t('pairing.receives')}</Tag> : <Tag color="purple">{t('pairing.gives')}</Tag>,
        },
        {
          title: t('pairing.partner'),
          key: 'partner',
          render: (_, p) => {
            const supported = p.supportedOrganizationId === orgId;
            return (
              <Link to={`/network/organizations/${supported ? p.supportingOrganizationId : p.supportedOrganizationId}`}>
                {supported ? p.supportingOrganizationName : p.supportedOrganizationName}
              </Link>
            );
          },
        },
        { title: t('pairing.tier'), dataIndex: 'supportTier', width: 110, render: (v: number) => t('pairing.tierN', { n: v }) },
        { title: t('alliance.period'), key: 'period', width: 230, render: (_, p) => <Period from={p.validFrom} to={p.validTo} /> },
        { title: t('alliance.status'), key: 'status', width: 100, render: (_, p) => <StatusBadge period={p} today={today} /> },
        { title: t('pairing.note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
      ]}
    />
  );
}

function Catalogue({ d, today }: { d: OrganizationDetailDto; today: string }) {
  const { t } = useTranslation();
  const tier = d.organization.tier;
  const alliances = d.memberships.filter((m) => isInForce(m, today));
  const [allianceId, setAllianceId] = useState<string | null>(alliances[0]?.allianceId ?? null);
  const rows = useMemo(
    () => [...d.catalogue].sort((a, b) => a.codeFrom.localeCompare(b.codeFrom) || Number(a.allianceId !== null) - Number(b.allianceId !== null)),
    [d.catalogue],
  );

  return (
    <Flex vertical gap={16}>
      <CatalogueCheck
        tier={tier}
        allianceId={allianceId}
        controls={
          <>
            {alliances.length > 0 && (
              <Select<string>
                value={allianceId ?? undefined}
                onChange={(v) => setAllianceId(v ?? null)}
                allowClear
                placeholder={t('catalogue.noAlliance')}
                options={alliances.map((m) => ({ value: m.allianceId, label: m.allianceName }))}
                style={{ width: 260 }}
                popupMatchSelectWidth={false}
              />
            )}
            <Typography.Text type="secondary">{t('catalogue.tierNote', { tier: t(`tier.${tier}`) })}</Typography.Text>
          </>
        }
      />
      <Table<CatalogueEntryDto>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
        locale={{ emptyText: <EmptyState simple description={t('catalogue.empty')} /> }}
        columns={[
          { title: t('catalogue.range'), key: 'range', width: 150, render: (_, e) => <code>{rangeText(e)}</code> },
          { title: t('catalogue.label'), dataIndex: 'label' },
          {
            title: t('catalogue.effect'),
            dataIndex: 'effect',
            width: 100,
            render: (v: string) => <Tag color={v === 'include' ? 'success' : 'error'}>{t(`catalogueEffect.${v}`)}</Tag>,
          },
          {
            title: t('catalogue.scope'),
            key: 'scope',
            width: 140,
            render: (_, e) => (e.allianceId ? <Tag color="purple">{t('catalogue.allianceOverride')}</Tag> : <Tag>{t('catalogue.national')}</Tag>),
          },
          { title: t('catalogue.source'), dataIndex: 'source', width: 220, ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
        ]}
      />
    </Flex>
  );
}
