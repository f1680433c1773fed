import {
  AlertOutlined, BarChartOutlined, ExperimentOutlined,
  ApartmentOutlined, AuditOutlined, BankOutlined, CarryOutOutlined, ClusterOutlined, DashboardOutlined, DeploymentUnitOutlined, FileAddOutlined,
  HomeOutlined, LogoutOutlined, SearchOutlined, SwapOutlined, TeamOutlined, UnorderedListOutlined, UserAddOutlined, UserOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Avatar, Button, Dropdown, Flex, Layout, Menu, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { BrandMark } from '../components/brand.js';
import { LanguageSwitch } from '../components/language-switch.js';
import { RoleTags, TierTag } from '../components/labels.js';
import { meKey, signOut } from '../features/auth/auth.api.js';
import { NotificationBell } from '../features/notifications/notification-bell.js';
import { CriticalBanner } from '../features/diagnosis/critical-values.js';
import type { FacilityTier } from '../../contracts/codes.js';
import { facilityTiers } from '../../contracts/codes.js';
import { groupKey, type NavEntry, navigationFor, openNavGroups, selectedNavKey } from './access.js';
import { useCurrentUser } from './require-auth.js';

const icons: Record<NavEntry['icon'], ReactNode> = {
  home: <HomeOutlined />,
  network: <DeploymentUnitOutlined />,
  patients: <TeamOutlined />,
  accounts: <UsergroupAddOutlined />,
  audit: <AuditOutlined />,
  divisions: <ApartmentOutlined />,
  alliances: <ClusterOutlined />,
  organizations: <BankOutlined />,
  register: <UserAddOutlined />,
  search: <SearchOutlined />,
  referrals: <SwapOutlined />,
  worklist: <UnorderedListOutlined />,
  referralNew: <FileAddOutlined />,
  careTasks: <CarryOutOutlined />,
  indicators: <DashboardOutlined />,
  diagnosis: <ExperimentOutlined />,
  critical: <AlertOutlined />,
  statistics: <BarChartOutlined />,
};

const isTier = (v: string): v is FacilityTier => (facilityTiers as readonly string[]).includes(v);

/** The frame of every signed-in page: side menu by role, header with the user, content below. */
export function AppLayout() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [collapsed, setCollapsed] = useState(false);

  const nav = useMemo(() => navigationFor(me.roles), [me.roles]);
  const selected = selectedNavKey(location.pathname, nav);
  // The menu is short: every group starts open, so each page is one click away.
  const [openKeys, setOpenKeys] = useState<string[]>(() => [
    ...new Set([...openNavGroups(selected, nav), ...nav.filter((e) => e.children).map(groupKey)]),
  ]);

  const toItems = (entries: NavEntry[]): MenuProps['items'] =>
    entries.map((e) =>
      e.children
        ? { key: groupKey(e), icon: icons[e.icon], label: t(e.label), children: toItems(e.children) }
        : { key: e.path, icon: icons[e.icon], label: t(e.label) },
    );

  const doSignOut = async () => {
    try {
      await signOut();
    } catch {
      // The session may already be gone; signing out locally is what the user asked for.
    }
    queryClient.clear();
    queryClient.setQueryData(meKey, null);
    void message.success(t('auth.signedOut'));
    void navigate('/login', { replace: true });
  };

  const org = me.organization;
  return (
    <Layout className="app-shell">
      <Layout.Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        width={224}
        className="app-sider"
        breakpoint="lg"
      >
        <Flex align="center" gap={10} className="app-brand" onClick={() => void navigate('/')}>
          <BrandMark size={30} />
          {!collapsed && (
            <div className="app-brand-text">
              <div className="app-brand-name">{t('app.name')}</div>
              <div className="app-brand-sub">{t('app.tagline')}</div>
            </div>
          )}
        </Flex>
        <Menu
          theme="dark"
          mode="inline"
          items={toItems(nav)}
          selectedKeys={selected ? [selected] : []}
          openKeys={collapsed ? undefined : openKeys}
          onOpenChange={setOpenKeys}
          onClick={({ key }) => void navigate(key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-header">
          <Flex align="center" gap={12} style={{ minWidth: 0 }}>
            {org ? (
              <Flex align="center" gap={8} style={{ minWidth: 0 }}>
                <BankOutlined className="header-org-icon" />
                <Typography.Text strong ellipsis className="header-org">
                  {org.name}
                </Typography.Text>
                {isTier(org.tier) && <TierTag tier={org.tier} />}
              </Flex>
            ) : (
              <Typography.Text type="secondary">{t('header.noOrganization')}</Typography.Text>
            )}
          </Flex>
          <Flex align="center" gap={16}>
            <LanguageSwitch size="small" />
            <NotificationBell />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'user', label: <span className="nowrap">{me.username}</span>, disabled: true },
                  { type: 'divider' },
                  { key: 'signout', icon: <LogoutOutlined />, label: t('auth.signOut'), danger: true },
                ],
                onClick: ({ key }) => {
                  if (key === 'signout') void doSignOut();
                },
              }}
            >
              <Flex align="center" gap={8} className="header-user" role="button" tabIndex={0} aria-label={t('header.userMenu')}>
                <Avatar size="small" icon={<UserOutlined />} className="header-avatar" />
                <span className="header-user-name">{me.displayName}</span>
                <span className="header-roles">
                  <RoleTags roles={me.roles} />
                </span>
              </Flex>
            </Dropdown>
            <Tooltip title={t('auth.signOut')}>
              <Button type="text" icon={<LogoutOutlined />} onClick={() => void doSignOut()} aria-label={t('auth.signOut')} />
            </Tooltip>
          </Flex>
        </Layout.Header>
        <Layout.Content className="app-content">
          {/* 危急值: an unacknowledged critical value of my facility stands above every page until read back. */}
          <CriticalBanner />
          <Outlet />
        </Layout.Content>
        <Layout.Footer className="app-footer">{t('app.footer')}</Layout.Footer>
      </Layout>
    </Layout>
  );
}
