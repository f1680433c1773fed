import { BellOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Empty, Flex, Popover, Segmented, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { NotificationDto } from '../../../contracts/referral.js';
import { formatDateTime } from '../../lib/format.js';
import { safeNext } from '../../lib/safe-next.js';
import { markRead, notificationKeys, useNotifications, useUnreadCount } from './notifications.api.js';

/** The bell in the header: unread count, the latest notifications, mark read, click through to the subject. */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [unreadOnly, setUnreadOnly] = useState(true);
  const unread = useUnreadCount();
  const list = useNotifications(unreadOnly, 1, open);
  const read = useMutation({
    mutationFn: markRead,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
  const count = unread.data?.count ?? 0;

  const openOne = (n: NotificationDto) => {
    if (!n.readAt) read.mutate([n.id]);
    const link = n.link ?? (n.subjectType === 'referral' && n.subjectId ? `/referrals/${encodeURIComponent(n.subjectId)}` : null);
    if (link) {
      setOpen(false);
      void navigate(safeNext(link));
    }
  };

  const content = (
    <div className="bell-panel" data-testid="notification-panel">
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <Segmented
          size="small"
          value={unreadOnly ? 'unread' : 'all'}
          onChange={(v) => setUnreadOnly(v === 'unread')}
          options={[
            { value: 'unread', label: t('notification.unread') },
            { value: 'all', label: t('notification.all') },
          ]}
        />
        <Button size="small" type="link" disabled={count === 0} loading={read.isPending} onClick={() => read.mutate(undefined)}>
          {t('notification.markAllRead')}
        </Button>
      </Flex>
      {list.isPending ? (
        <Flex justify="center" style={{ padding: 24 }}>
          <Spin />
        </Flex>
      ) : list.isError ? (
        <Typography.Text type="danger">{t('error.loadFailed')}</Typography.Text>
      ) : (list.data?.items ?? []).length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={unreadOnly ? t('notification.noneUnread') : t('notification.none')} />
      ) : (
        <ul className="bell-list">
          {list.data?.items.map((n) => (
            <li key={n.id} className={n.readAt ? 'bell-item' : 'bell-item bell-item-unread'}>
              <button type="button" className="bell-item-button" onClick={() => openOne(n)} data-testid="notification-item">
                <div className="bell-item-title">{n.title}</div>
                {n.body && <div className="bell-item-body">{n.body}</div>}
                <div className="cell-sub">{formatDateTime(n.createdAt)}</div>
              </button>
            </li>
          ))}
        </ul>
      )}
      {(list.data?.total ?? 0) > (list.data?.items.length ?? 0) && (
        <Typography.Text type="secondary" className="cell-sub">
          {t('notification.more', { count: (list.data?.total ?? 0) - (list.data?.items.length ?? 0) })}
        </Typography.Text>
      )}
    </div>
  );

  return (
    <Popover trigger="click" placement="bottomRight" open={open} onOpenChange={setOpen} content={content} title={t('notification.title')} arrow={false}>
      <Badge count={count} size="small" overflowCount={99} offset={[-4, 4]}>
        <Button type="text" icon={<BellOutlined />} aria-label={t('notification.title')} data-testid="notification-bell" />
      </Badge>
    </Popover>
  );
}
