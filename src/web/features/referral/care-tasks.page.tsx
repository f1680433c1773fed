import { CheckOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Form, Input, Row, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { CarePlanTaskDto } from '../../../contracts/referral.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { ForbiddenPage } from '../../app/status.pages.js';
import { EmptyState } from '../../components/empty-state.js';
import { FormModal } from '../../components/form-modal.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { StatCard } from '../../components/stat-card.js';
import { shanghaiDate } from '../../lib/format.js';
import { useFormMutation } from '../network/use-form-mutation.js';
import { completeCareTask, referralChanged, useCareTasks } from './referral.api.js';
import { careTaskRoles, daysBetween, deskRoles, sortCareTasks, taskDueColors, taskDueState } from './referral.model.js';

export function CareTasksPage() {
  const me = useCurrentUser();
  return me.roles.some((r) => careTaskRoles.includes(r) || deskRoles.includes(r)) ? <CareTasks /> : <ForbiddenPage />;
}

/** 随访任务: the follow-up tasks of down-referred patients, overdue and due-soon first, each closed with its outcome. */
function CareTasks() {
  const { t } = useTranslation();
  const tasks = useCareTasks('open');
  const [completing, setCompleting] = useState<CarePlanTaskDto | null>(null);
  const today = shanghaiDate();
  const rows = useMemo(() => sortCareTasks(tasks.data ?? []), [tasks.data]);
  const overdue = rows.filter((x) => taskDueState(x.dueDate, today) === 'overdue').length;
  const thisWeek = rows.filter((x) => ['today', 'soon'].includes(taskDueState(x.dueDate, today))).length;

  return (
    <div className="page">
      <PageHeader
        title={t('nav.careTasks')}
        subtitle={t('careTask.subtitle')}
        crumbs={[{ title: t('nav.referralGroup') }, { title: t('nav.careTasks') }]}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void tasks.refetch()}>
            {t('referral.refresh')}
          </Button>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <StatCard title={t('careTask.open')} value={tasks.data?.length} loading={tasks.isPending} />
        </Col>
        <Col xs={12} md={8}>
          <StatCard title={t('careTask.overdue')} value={tasks.data ? overdue : undefined} loading={tasks.isPending} color="#f5222d" />
        </Col>
        <Col xs={12} md={8}>
          <StatCard title={t('careTask.thisWeek')} value={tasks.data ? thisWeek : undefined} loading={tasks.isPending} color="#fa8c16" />
        </Col>
      </Row>
      <Card variant="borderless">
        {tasks.isError ? (
          <QueryError error={tasks.error} onRetry={() => void tasks.refetch()} />
        ) : (
          <Table<CarePlanTaskDto>
            rowKey="id"
            size="middle"
            loading={tasks.isFetching}
            dataSource={rows}
            scroll={{ x: 960 }}
            rowClassName={(x) => (taskDueState(x.dueDate, today) === 'overdue' ? 'row-overdue' : '')}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
            locale={{ emptyText: tasks.isFetching ? ' ' : <EmptyState description={t('careTask.empty')} /> }}
            columns={[
              {
                title: t('careTask.dueDate'),
                dataIndex: 'dueDate',
                width: 190,
                render: (d: string) => {
                  const state = taskDueState(d, today);
                  const days = daysBetween(today, d);
                  return (
                    <span>
                      <Tag color={taskDueColors[state]}>{d}</Tag>
                      <span className="cell-sub">
                        {state === 'overdue' ? t('careTask.overdueDays', { count: -days }) : state === 'today' ? t('careTask.dueToday') : t('careTask.inDays', { count: days })}
                      </span>
                    </span>
                  );
                },
              },
              {
                title: t('referral.patient'),
                dataIndex: 'patientName',
                width: 120,
                render: (name: string | undefined, x) =>
                  x.patientId ? <Link to={`/patients/${encodeURIComponent(x.patientId)}`}>{name ?? '—'}</Link> : (name ?? <span className="muted">—</span>),
              },
              { title: t('careTask.kind'), dataIndex: 'kind', width: 120, render: (k: string) => <Tag>{t(`careTaskKind.${k}`, { defaultValue: k })}</Tag> },
              { title: t('careTask.title'), dataIndex: 'title', render: (v: string) => <span data-testid="care-task-title">{v}</span> },
              {
                title: t('careTask.referral'),
                dataIndex: 'referralId',
                width: 110,
                render: (id: string) => <Link to={`/referrals/${encodeURIComponent(id)}`}>{t('careTask.openReferral')}</Link>,
              },
              {
                title: t('common.actions'),
                key: 'actions',
                width: 120,
                fixed: 'right',
                render: (_, x) =>
                  x.status === 'open' ? (
                    <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setCompleting(x)} data-testid={`complete-task-${x.id}`}>
                      {t('careTask.complete')}
                    </Button>
                  ) : (
                    <Tag color="green">{t(`careTaskStatus.${x.status}`, { defaultValue: x.status })}</Tag>
                  ),
              },
            ]}
          />
        )}
      </Card>
      <CompleteTaskModal task={completing} onClose={() => setCompleting(null)} />
    </div>
  );
}

function CompleteTaskModal({ task, onClose }: { task: CarePlanTaskDto | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ outcome?: string }>();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: ['outcome'] as const,
    parse: (v: { outcome?: string }) => {
      const outcome = (v.outcome ?? '').trim();
      return outcome ? { ok: true as const, value: outcome } : { ok: false as const, errors: [{ name: 'outcome' as const, errors: [t('careTask.outcomeRequired')] }] };
    },
    send: (outcome: string) => completeCareTask(task?.id ?? '', outcome),
    onDone: async () => {
      await referralChanged(queryClient);
      void message.success(t('careTask.completed'));
      onClose();
    },
  });
  return (
    <FormModal open={task !== null} title={t('careTask.completeTitle', { title: task?.title ?? '' })} okText={t('careTask.complete')} onClose={onClose} {...modalProps}>
      {task?.patientName && (
        <Typography.Paragraph type="secondary">
          {t('referral.patient')}：{task.patientName} · {t('careTask.dueDate')}：{task.dueDate}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" preserve={false} onFinish={submit}>
        <Form.Item name="outcome" label={t('careTask.outcome')} rules={[{ required: true, whitespace: true, message: t('careTask.outcomeRequired') }]}>
          <Input.TextArea rows={4} maxLength={2000} showCount placeholder={t('careTask.outcomePlaceholder')} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
