import { AlertOutlined, CarryOutOutlined, InboxOutlined, SendOutlined, StopOutlined, SwapOutlined } from '@ant-design/icons';
import { Button, Col, Flex, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { MeDto } from '../../../contracts/identity.js';
import { mayUse } from '../../app/access.js';
import { StatCard } from '../../components/stat-card.js';
import { useCareTasks, useReferralCounts } from './referral.api.js';
import { careTaskRoles, deskRoles, openCount, referralCreatorRoles, viewsFor } from './referral.model.js';

/** The home page's referral figures for the clinical and desk roles: what waits for me, what is overdue, my follow-ups. */
export function ReferralHomeSection({ me }: { me: MeDto }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const views = viewsFor(me.roles);
  const hasReceived = views.includes('received');
  const hasSent = views.includes('sent') && !me.roles.some((r) => deskRoles.includes(r));
  const hasDesk = views.includes('desk');
  const hasTasks = me.roles.some((r) => careTaskRoles.includes(r));
  const received = useReferralCounts('received', hasReceived);
  const sent = useReferralCounts('sent', hasSent);
  const desk = useReferralCounts('desk', hasDesk);
  const tasks = useCareTasks('open', hasTasks);
  if (!mayUse(me.roles, 'referrals') || (!hasReceived && !hasDesk)) return null;
  const canCreate = me.roles.some((r) => referralCreatorRoles.includes(r));

  return (
    <>
      <Flex justify="space-between" align="center" className="section-title">
        <Typography.Title level={5} style={{ margin: 0, color: '#434343' }}>
          <SwapOutlined /> {t('home.referralTitle')}
        </Typography.Title>
        {canCreate && (
          <Button type="primary" size="small" icon={<SendOutlined />} onClick={() => void navigate('/referrals/new')}>
            {t('referral.newUp')}
          </Button>
        )}
      </Flex>
      <Row gutter={[16, 16]}>
        {hasReceived && (
          <Col xs={12} xl={6}>
            <StatCard title={t('home.referralToHandle')} value={received.data ? openCount(received.data.byStatus) : undefined} loading={received.isPending} icon={<InboxOutlined />} to="/referrals?view=received" />
          </Col>
        )}
        {hasReceived && (
          <Col xs={12} xl={6}>
            <StatCard title={t('home.referralOverdue')} value={received.data?.overdue} loading={received.isPending} icon={<AlertOutlined />} color="#f5222d" to="/referrals?view=received&overdue=true" />
          </Col>
        )}
        {hasSent && (
          <Col xs={12} xl={6}>
            <StatCard title={t('home.referralSent')} value={sent.data ? openCount(sent.data.byStatus) : undefined} loading={sent.isPending} icon={<SendOutlined />} color="#722ed1" to="/referrals?view=sent" />
          </Col>
        )}
        {hasDesk && (
          <Col xs={12} xl={6}>
            <StatCard title={t('home.referralDesk')} value={desk.data ? openCount(desk.data.byStatus) : undefined} loading={desk.isPending} icon={<SwapOutlined />} color="#1677ff" to="/referrals?view=desk" />
          </Col>
        )}
        {hasDesk && (
          <Col xs={12} xl={6}>
            <StatCard title={t('home.referralNoCapacity')} value={desk.data?.noCapacity} loading={desk.isPending} icon={<StopOutlined />} color="#fa8c16" to="/referrals?view=no-capacity" />
          </Col>
        )}
        {hasTasks && (
          <Col xs={12} xl={6}>
            <StatCard title={t('home.careTasks')} value={tasks.data?.length} loading={tasks.isPending} icon={<CarryOutOutlined />} color="#13c2c2" to="/care-tasks" />
          </Col>
        )}
      </Row>
    </>
  );
}
