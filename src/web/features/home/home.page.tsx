import {
  AuditOutlined, BankOutlined, ClusterOutlined, ExclamationCircleOutlined, FileSearchOutlined, HomeOutlined,
  MedicineBoxOutlined, SearchOutlined, TeamOutlined, UserAddOutlined, UsergroupAddOutlined,
} from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Flex, Row, Space, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { type FacilityTier, facilityTiers } from '../../../contracts/codes.js';
import type { MeDto } from '../../../contracts/identity.js';
import type { AllianceDto } from '../../../contracts/network.js';
import { mayUse } from '../../app/access.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { BarChart } from '../../components/bar-chart.js';
import { EmptyState } from '../../components/empty-state.js';
import { AllianceKindTag, Period, RoleTags, TierTag, tierColors } from '../../components/labels.js';
import { QueryError } from '../../components/query-state.js';
import { StatCard } from '../../components/stat-card.js';
import { isInForce, shanghaiDate, shanghaiDayRange } from '../../lib/format.js';
import { useUsers } from '../admin/users.api.js';
import { useAuditEvents } from '../audit/audit.api.js';
import { useAlliances, useNetworkSummary, useOrganization } from '../network/network.api.js';
import { usePatientCount } from '../patients/patients.api.js';
import { ReferralHomeSection } from '../referral/referral-home.js';

/** antd preset colors as hex, for the chart bars that match the tier tags. */
const presetHex: Record<string, string> = {
  green: '#52c41a', cyan: '#13c2c2', blue: '#1677ff', geekblue: '#2f54eb', magenta: '#eb2f96', purple: '#722ed1',
  volcano: '#fa541c', gold: '#faad14',
};

/** The first page after sign-in: what this user works with, from live data, with the next actions. */
export function HomePage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const today = shanghaiDate();
  const showFacility = Boolean(me.organization) && mayUse(me.roles, 'patients');
  const showNetwork = mayUse(me.roles, 'networkOverview');
  const showAdmin = mayUse(me.roles, 'accounts') || mayUse(me.roles, 'audit');

  return (
    <div className="page">
      <Card variant="borderless" className="welcome-card">
        <Flex justify="space-between" align="center" wrap gap={16}>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('home.greeting', { name: me.displayName })}
            </Typography.Title>
            <Space size={8} wrap style={{ marginTop: 8 }}>
              {me.organization && <Typography.Text type="secondary">{me.organization.name}</Typography.Text>}
              <RoleTags roles={me.roles} />
            </Space>
          </div>
          <Typography.Text type="secondary">{t('home.today', { date: today })}</Typography.Text>
        </Flex>
      </Card>
      <ReferralHomeSection me={me} />
      {showFacility && <FacilitySection me={me} />}
      {showAdmin && <AdminSection me={me} today={today} />}
      {showNetwork && <NetworkSection />}
      {!showFacility && !showNetwork && !showAdmin && <GeneralSection />}
    </div>
  );
}

function FacilitySection({ me }: { me: MeDto }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const orgId = me.organization?.id ?? '';
  const detail = useOrganization(orgId);
  const own = usePatientCount(orgId);
  const visible = usePatientCount();
  const today = shanghaiDate();
  const canRegister = mayUse(me.roles, 'registerPatient');

  const d = detail.data;
  const memberships = (d?.memberships ?? []).filter((m) => isInForce(m, today));
  const pairings = (d?.pairings ?? []).filter((p) => isInForce(p, today));
  const stationed = (d?.stationedHere ?? []).filter((s) => isInForce(s, today));
  const shownPairings = 4;

  return (
    <>
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          <StatCard
            title={t('home.ownPatients')}
            value={own.data?.total}
            loading={own.isPending}
            icon={<TeamOutlined />}
            to={`/patients?organizationId=${encodeURIComponent(orgId)}`}
          />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <StatCard
            title={t('home.visiblePatients')}
            value={visible.data?.total}
            loading={visible.isPending}
            icon={<FileSearchOutlined />}
            color="#1677ff"
            to="/patients"
          />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <StatCard
            title={t('home.staff')}
            value={d?.practitioners.length}
            loading={detail.isPending}
            icon={<MedicineBoxOutlined />}
            color="#722ed1"
            to={`/network/organizations/${orgId}?tab=staff`}
          />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <StatCard
            title={t('home.beds')}
            value={d?.organization.beds}
            loading={detail.isPending}
            icon={<HomeOutlined />}
            color="#fa8c16"
            suffix={t('home.bedsUnit')}
          />
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card title={t('home.quickActions')} variant="borderless" className="full-height">
            <Flex vertical gap={12}>
              {canRegister && (
                <Button type="primary" size="large" icon={<UserAddOutlined />} onClick={() => void navigate('/patients/new')} block>
                  {t('home.registerPatient')}
                </Button>
              )}
              <Button size="large" icon={<SearchOutlined />} onClick={() => void navigate('/patients')} block>
                {t('home.searchPatients')}
              </Button>
              <Button size="large" icon={<BankOutlined />} onClick={() => void navigate(`/network/organizations/${orgId}`)} block>
                {t('home.ownFacility')}
              </Button>
            </Flex>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            title={t('home.facility')}
            variant="borderless"
            className="full-height"
            loading={detail.isPending}
            extra={<Link to={`/network/organizations/${orgId}`}>{t('common.details')}</Link>}
          >
            {detail.isError ? (
              <QueryError error={detail.error} onRetry={() => void detail.refetch()} />
            ) : d ? (
              <Descriptions column={{ xs: 1, sm: 2 }} size="small">
                <Descriptions.Item label={t('org.name')}>{d.organization.name}</Descriptions.Item>
                <Descriptions.Item label={t('org.tier')}>
                  <TierTag tier={d.organization.tier} />
                </Descriptions.Item>
                <Descriptions.Item label={t('org.division')}>{d.organization.divisionName}</Descriptions.Item>
                <Descriptions.Item label={t('org.supervisor')}>
                  {d.supervisor ? <Link to={`/network/organizations/${d.supervisor.id}`}>{d.supervisor.name}</Link> : '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('home.alliances')} span={2}>
                  {memberships.length ? (
                    <Flex wrap gap={4}>
                      {memberships.map((m) => (
                        <Tag key={m.id} color="cyan" style={{ marginInlineEnd: 0 }}>
                          {m.allianceName}
                          {m.role === 'lead' ? ` · ${t('membershipRole.lead')}` : ''}
                        </Tag>
                      ))}
                    </Flex>
                  ) : (
                    t('home.noAlliance')
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('home.supportedBy')} span={2}>
                  {pairings.length ? (
                    <Flex wrap gap={4} align="center">
                      {pairings.slice(0, shownPairings).map((p) => (
                        <Tag key={p.id} style={{ marginInlineEnd: 0 }}>
                          {p.supportedOrganizationId === d.organization.id
                            ? t('home.pairingFrom', { name: p.supportingOrganizationName, tier: p.supportTier })
                            : t('home.pairingTo', { name: p.supportedOrganizationName, tier: p.supportTier })}
                        </Tag>
                      ))}
                      {pairings.length > shownPairings && (
                        <Link to={`/network/organizations/${orgId}?tab=pairings`}>{t('home.morePairings', { count: pairings.length - shownPairings })}</Link>
                      )}
                    </Flex>
                  ) : (
                    t('home.noPairing')
                  )}
                </Descriptions.Item>
              </Descriptions>
            ) : null}
          </Card>
        </Col>
      </Row>
      {d && (d.supervisedClinics.length > 0 || stationed.length > 0) && (
        <Row gutter={[16, 16]}>
          {d.supervisedClinics.length > 0 && (
            <Col xs={24} lg={12}>
              <Card title={t('home.supervisedClinics', { count: d.supervisedClinics.length })} variant="borderless">
                <ul className="simple-list">
                  {d.supervisedClinics.slice(0, 8).map((c) => (
                    <li key={c.id}>
                      <Link to={`/network/organizations/${c.id}`}>{c.name}</Link>
                      <Link to={`/patients?organizationId=${encodeURIComponent(c.id)}`}>{t('home.clinicPatients')}</Link>
                    </li>
                  ))}
                </ul>
                {d.supervisedClinics.length > 8 && (
                  <Link to={`/network/organizations/${orgId}?tab=overview`}>{t('home.allClinics', { count: d.supervisedClinics.length })}</Link>
                )}
              </Card>
            </Col>
          )}
          {stationed.length > 0 && (
            <Col xs={24} lg={12}>
              <Card title={t('home.stationedHere')} variant="borderless">
                <ul className="simple-list">
                  {stationed.slice(0, 8).map((s) => (
                    <li key={s.id}>
                      <div>
                        <div className="strong">{s.practitionerName}</div>
                        <div className="cell-sub">
                          {t(`practitionerRoleKind.${s.kind}`)} · <Period from={s.validFrom} to={s.validTo} />
                          {s.note ? ` · ${s.note}` : ''}
                        </div>
                      </div>
                    </li>
                  ))}
                </ul>
                {stationed.length > 8 && (
                  <Link to={`/network/organizations/${orgId}?tab=stationed`}>{t('home.allStationed', { count: stationed.length })}</Link>
                )}
              </Card>
            </Col>
          )}
        </Row>
      )}
    </>
  );
}

function NetworkSection() {
  const { t } = useTranslation();
  const summary = useNetworkSummary();
  const alliances = useAlliances();
  const s = summary.data;
  const facilities = s ? Object.values(s.counts).reduce((a, b) => a + b, 0) : undefined;
  const chartData = useMemo(
    () =>
      facilityTiers
        .filter((tier) => (s?.counts[tier] ?? 0) > 0)
        .map((tier: FacilityTier) => ({ label: t(`tier.${tier}`), value: s?.counts[tier] ?? 0, color: presetHex[tierColors[tier]] })),
    [s, t],
  );

  if (summary.isError) return <QueryError error={summary.error} onRetry={() => void summary.refetch()} />;
  return (
    <>
      <Typography.Title level={5} className="section-title">
        {t('home.networkTitle')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={8} xl={4}>
          <StatCard title={t('home.facilities')} value={facilities} loading={summary.isPending} icon={<BankOutlined />} to="/network/organizations" />
        </Col>
        <Col xs={12} md={8} xl={5}>
          <StatCard title={t('home.allianceCount')} value={s?.alliances} loading={summary.isPending} icon={<ClusterOutlined />} color="#1677ff" to="/network/alliances" />
        </Col>
        <Col xs={12} md={8} xl={5}>
          <StatCard title={t('home.practitioners')} value={s?.practitioners} loading={summary.isPending} icon={<MedicineBoxOutlined />} color="#722ed1" />
        </Col>
        <Col xs={12} md={12} xl={5}>
          <StatCard title={t('home.registeredResidents')} value={s?.patients} loading={summary.isPending} icon={<TeamOutlined />} color="#13c2c2" />
        </Col>
        <Col xs={24} md={12} xl={5}>
          <StatCard title={t('home.totalBeds')} value={s?.beds} loading={summary.isPending} icon={<HomeOutlined />} color="#fa8c16" suffix={t('home.bedsUnit')} />
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={t('home.byTier')} variant="borderless" className="full-height">
            {summary.isPending ? null : chartData.length ? (
              <BarChart data={chartData} height={Math.max(200, chartData.length * 36)} unit={t('home.facilityUnit')} />
            ) : (
              <EmptyState simple description={t('home.noFacilities')} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card
            title={t('home.alliancesTitle')}
            variant="borderless"
            className="full-height"
            extra={<Link to="/network/alliances">{t('common.viewAll')}</Link>}
          >
            {alliances.isError ? (
              <QueryError error={alliances.error} onRetry={() => void alliances.refetch()} />
            ) : (
              <Table<AllianceDto>
                rowKey="id"
                size="small"
                loading={alliances.isPending}
                dataSource={alliances.data ?? []}
                pagination={false}
                locale={{ emptyText: <EmptyState simple description={t('alliance.empty')} /> }}
                columns={[
                  {
                    title: t('alliance.name'),
                    dataIndex: 'name',
                    render: (name: string, a) => <Link to={`/network/alliances?id=${encodeURIComponent(a.id)}`}>{name}</Link>,
                  },
                  { title: t('alliance.kind'), dataIndex: 'kind', width: 190, render: (_, a) => <AllianceKindTag kind={a.kind} /> },
                  { title: t('alliance.lead'), dataIndex: 'leadOrganizationName', width: 180, ellipsis: true },
                  { title: t('alliance.members'), dataIndex: 'memberCount', width: 80, align: 'right' },
                ]}
              />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}

function AdminSection({ me, today }: { me: MeDto; today: string }) {
  const { t } = useTranslation();
  const accounts = mayUse(me.roles, 'accounts');
  const audit = mayUse(me.roles, 'audit');
  const users = useUsers({ page: 1, pageSize: 1 }, accounts);
  const range = shanghaiDayRange(today, today);
  const todayEvents = useAuditEvents({ ...range, page: 1, pageSize: 1 }, audit);
  const todayDenied = useAuditEvents({ ...range, outcome: 'denied', page: 1, pageSize: 1 }, audit);
  const todayFailedLogins = useAuditEvents({ ...range, action: 'login-failed', page: 1, pageSize: 1 }, audit);
  const auditLink = (extra: string) => `/audit?from=${today}&to=${today}${extra}`;

  return (
    <>
      <Typography.Title level={5} className="section-title">
        {t('home.adminTitle')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        {accounts && (
          <Col xs={24} md={12} xl={6}>
            <StatCard
              title={t('home.accounts')}
              value={users.data?.total}
              loading={users.isPending}
              icon={<UsergroupAddOutlined />}
              to="/admin/users"
            />
          </Col>
        )}
        {audit && (
          <>
            <Col xs={24} md={12} xl={6}>
              <StatCard title={t('home.auditToday')} value={todayEvents.data?.total} loading={todayEvents.isPending} icon={<AuditOutlined />} color="#1677ff" to={auditLink('')} />
            </Col>
            <Col xs={24} md={12} xl={6}>
              <StatCard
                title={t('home.deniedToday')}
                value={todayDenied.data?.total}
                loading={todayDenied.isPending}
                icon={<ExclamationCircleOutlined />}
                color="#f5222d"
                to={auditLink('&outcome=denied')}
              />
            </Col>
            <Col xs={24} md={12} xl={6}>
              <StatCard
                title={t('home.failedLoginsToday')}
                value={todayFailedLogins.data?.total}
                loading={todayFailedLogins.isPending}
                icon={<ExclamationCircleOutlined />}
                color="#fa8c16"
                to={auditLink('&action=login-failed')}
              />
            </Col>
          </>
        )}
      </Row>
    </>
  );
}

function GeneralSection() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Card variant="borderless">
      <EmptyState
        description={t('home.generalHint')}
        action={
          <Space>
            <Button type="primary" onClick={() => void navigate('/network/organizations')}>
              {t('nav.organizations')}
            </Button>
            <Button onClick={() => void navigate('/network/alliances')}>{t('nav.alliances')}</Button>
          </Space>
        }
      />
    </Card>
  );
}
