import {
  ArrowDownOutlined, CalendarOutlined, CheckOutlined, HomeOutlined, PrinterOutlined, RollbackOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, List, Row, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type { ReferralDto, ReferralEventDto } from '../../../contracts/referral.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { ageOn, formatDateTime, shanghaiDate } from '../../lib/format.js';
import { admissionNoticeUrl, cancelBooking, referralChanged, slipUrl, transitionReferral, useReferral, useTimeline } from './referral.api.js';
import {
  actionForms, isTransitionAction, orderedActions, primaryAction, shanghaiTime, statusColors, taskDueColors, taskDueState, type TransitionAction,
} from './referral.model.js';
import { BookBedModal, BookSlotModal, ResendModal, TransitionModal } from './referral-actions.js';
import { DeadlineTag, DirectionTag, StatusTag, UrgencyTag, useNow } from './referral-tags.js';

/** One referral: header with status and deadline, what travels with it, booking, care plan, the buttons the server allows, timeline. */
export function ReferralDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const referral = useReferral(id);

  if (referral.isPending) return <Loading height={400} />;
  if (referral.isError)
    return (
      <div className="page">
        <PageHeader title={t('referral.detailTitle')} crumbs={[{ title: t('nav.referrals'), path: '/referrals' }, { title: t('referral.detailTitle') }]} />
        <Card variant="borderless">
          <QueryError error={referral.error} onRetry={() => void referral.refetch()} />
        </Card>
      </div>
    );
  return <ReferralDetail r={referral.data} />;
}

function ReferralDetail({ r }: { r: ReferralDto }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message, modal } = App.useApp();
  const now = useNow();
  const [transition, setTransition] = useState<TransitionAction | null>(null);
  const [bookOpen, setBookOpen] = useState(false);
  const [bedOpen, setBedOpen] = useState(false);
  const [resendOpen, setResendOpen] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const direct = useMutation({
    mutationFn: (action: TransitionAction) => transitionReferral(r.id, { action, expectedVersion: r.version }),
    onSuccess: async (next, action) => {
      setActionError(null);
      await referralChanged(queryClient, next);
      void message.success(t('referral.action.done', { action: t(`referralActionName.${action}`) }));
    },
    onError: (e) => {
      setActionError(errorText(e, t));
      void referralChanged(queryClient);
    },
  });
  const unbook = useMutation({
    mutationFn: () => cancelBooking(r.id),
    onSuccess: async (next) => {
      await referralChanged(queryClient, next ?? undefined);
      void message.success(t('referral.booking.unbooked'));
    },
    onError: (e) => setActionError(errorText(e, t)),
  });

  const actions = orderedActions(r.allowedActions);
  const primary = primaryAction(r.allowedActions);
  const run = (action: string) => {
    setActionError(null);
    if (action === 'book') setBookOpen(true);
    else if (action === 'book-bed') setBedOpen(true);
    else if (action === 'resend') setResendOpen(true);
    else if (action === 'down-refer') void navigate(`/referrals/${encodeURIComponent(r.id)}/down`);
    else if (action === 'print') window.open(slipUrl(r.id), '_blank', 'noopener');
    else if (action === 'unbook')
      modal.confirm({ title: t('referral.booking.unbookConfirm'), okText: t('referralActionName.unbook'), okButtonProps: { danger: true }, cancelText: t('common.cancel'), onOk: () => unbook.mutateAsync() });
    else if (isTransitionAction(action)) {
      if (actionForms[action]) setTransition(action);
      else direct.mutate(action);
    }
  };

  const terminal = r.status === 'completed' || r.status === 'cancelled' || r.status === 'rejected';
  const age = ageOn(r.patient.birthDate, shanghaiDate());
  const busy = direct.isPending || unbook.isPending;

  return (
    <div className="page">
      <PageHeader
        title={
          <span>
            {t('referral.detailTitle')} <span className="mono" data-testid="referral-number">{r.number}</span>
          </span>
        }
        tags={
          <>
            <DirectionTag direction={r.direction} />
            <StatusTag status={r.status} subState={r.subState} />
            <UrgencyTag urgency={r.urgency} always />
            {r.status === 'on-hold' && r.holdReason && <Tag color="gold">{t(`holdReason.${r.holdReason}`)}</Tag>}
            {!terminal && r.deadline && (
              <DeadlineTag dueAt={r.deadline.dueAt} overdue={r.deadline.overdue} paused={r.deadline.state === 'paused'} now={now} />
            )}
            {r.deadline && r.deadline.escalationLevel > 0 && !terminal && (
              <Tag color="volcano">{t('referral.escalated', { level: r.deadline.escalationLevel })}</Tag>
            )}
          </>
        }
        crumbs={[{ title: t('nav.referrals'), path: '/referrals' }, { title: r.number }]}
        extra={
          <Flex gap={8} wrap data-testid="referral-actions">
            {actions.map((a) => {
              const danger = a === 'reject' || a === 'cancel' || a === 'unbook';
              const icon = a === 'print' ? <PrinterOutlined /> : a === 'down-refer' ? <ArrowDownOutlined /> : a === 'book' ? <CalendarOutlined /> : a === 'book-bed' ? <HomeOutlined /> : a === 'resend' ? <RollbackOutlined /> : a === primary ? <CheckOutlined /> : undefined;
              return (
                <Button
                  key={a}
                  type={a === primary ? 'primary' : 'default'}
                  danger={danger}
                  icon={icon}
                  loading={busy && direct.variables === a}
                  disabled={busy}
                  onClick={() => run(a)}
                  data-testid={`action-${a}`}
                >
                  {t(`referralActionName.${a}`, { defaultValue: a })}
                </Button>
              );
            })}
          </Flex>
        }
      />
      {actionError && <Alert type="error" showIcon title={actionError} closable={{ onClose: () => setActionError(null) }} data-testid="action-error" />}
      {r.status === 'rejected' && r.rejectionReason && (
        <Alert type="error" showIcon title={t('referral.rejectionReason')} description={r.rejectionReason} />
      )}
      {r.status === 'cancelled' && r.cancelReason && <Alert type="warning" showIcon title={t('referral.cancelReason')} description={r.cancelReason} />}

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={16}>
            <Card variant="borderless" title={t('referral.sectionOverview')}>
              <Descriptions column={{ xs: 1, md: 2 }} size="small">
                <Descriptions.Item label={t('referral.patient')}>
                  <Link to={`/patients/${encodeURIComponent(r.patient.id)}`}>{r.patient.name}</Link>
                  <span className="cell-sub" style={{ marginInlineStart: 6 }}>
                    {t(`sex.${r.patient.sex}`, { defaultValue: r.patient.sex })}
                    {age !== null ? ` · ${t('patient.age', { count: age })}` : ''}
                    {r.patient.idNumberMasked ? ` · ${r.patient.idNumberMasked}` : ''}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('referral.contactPhone')}>{r.contactPhone ?? r.patient.phone ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('referral.origin')}>
                  <span>
                    {r.origin.name}
                    {r.originDepartment ? ` · ${r.originDepartment.name}` : ''}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('referral.destination')}>
                  <span data-testid="referral-destination">
                    {r.destination.name}
                    {r.destinationDepartment ? ` · ${r.destinationDepartment.name}` : ''}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('referral.requester')}>{r.requesterName}</Descriptions.Item>
                <Descriptions.Item label={t('referral.assigned')}>{r.assignedUserName ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('referral.diagnosis')} span={2}>
                  <span>
                    <span className="mono">{r.diagnosisCode}</span> {r.diagnosisName}
                    {r.secondaryDiagnoses.length > 0 && <span className="cell-sub"> · {r.secondaryDiagnoses.join('、')}</span>}
                  </span>
                </Descriptions.Item>
                {r.downKind && <Descriptions.Item label={t('referral.down.kind')}>{t(`downKind.${r.downKind}`)}</Descriptions.Item>}
                <Descriptions.Item label={t('referral.requestedAt')}>{formatDateTime(r.requestedAt) || '—'}</Descriptions.Item>
                {r.acceptedAt && <Descriptions.Item label={t('referral.acceptedAt')}>{formatDateTime(r.acceptedAt)}</Descriptions.Item>}
                {r.arrivedAt && <Descriptions.Item label={t('referral.arrivedAt')}>{formatDateTime(r.arrivedAt)}</Descriptions.Item>}
                {r.admittedAt && <Descriptions.Item label={t('referral.admittedAt')}>{formatDateTime(r.admittedAt)}</Descriptions.Item>}
                {r.dischargedAt && <Descriptions.Item label={t('referral.dischargedAt')}>{formatDateTime(r.dischargedAt)}</Descriptions.Item>}
                {r.completedAt && <Descriptions.Item label={t('referral.completedAt')}>{formatDateTime(r.completedAt)}</Descriptions.Item>}
                <Descriptions.Item label={t('referral.consent')} span={2}>
                  {r.consent ? (
                    <span>
                      {r.consent.by} · {t(`consentMethod.${r.consent.method}`)} · {formatDateTime(r.consent.at)}
                    </span>
                  ) : (
                    <Typography.Text type="warning">{t('referral.noConsent')}</Typography.Text>
                  )}
                </Descriptions.Item>
                {r.recommendedOrganization && (
                  <Descriptions.Item label={t('referral.recommended')} span={2}>
                    <span>
                      {r.recommendedOrganization.name}
                      {r.overrideReason && <span className="cell-sub"> · {t('referral.overrideReasonShort', { reason: r.overrideReason })}</span>}
                    </span>
                  </Descriptions.Item>
                )}
                {r.inOwnCatalogueNote && (
                  <Descriptions.Item label={t('referral.form.ownCatalogueNote')} span={2}>
                    {r.inOwnCatalogueNote}
                  </Descriptions.Item>
                )}
                {r.previousReferralId && (
                  <Descriptions.Item label={t('referral.previous')} span={2}>
                    <Link to={`/referrals/${encodeURIComponent(r.previousReferralId)}`}>{t('referral.openPrevious')}</Link>
                  </Descriptions.Item>
                )}
              </Descriptions>
            </Card>

            <Card variant="borderless" title={t('referral.sectionClinical')}>
              <Descriptions column={1} size="small" layout="vertical">
                <Descriptions.Item label={t('referral.reason')}>
                  <span className="pre-wrap">{r.reason}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('referral.clinicalSummary')}>
                  <span className="pre-wrap">{r.clinicalSummary}</span>
                </Descriptions.Item>
                {r.treatmentGiven && (
                  <Descriptions.Item label={t('referral.treatmentGiven')}>
                    <span className="pre-wrap">{r.treatmentGiven}</span>
                  </Descriptions.Item>
                )}
              </Descriptions>
              {r.medications.length > 0 && <MedicationTable rows={r.medications} title={t('referral.medications')} />}
              {r.attachedResults.length > 0 && (
                <>
                  <Typography.Title level={5} style={{ marginTop: 16 }}>
                    {t('referral.attachedResults')}
                  </Typography.Title>
                  <List
                    size="small"
                    dataSource={r.attachedResults}
                    renderItem={(x) => (
                      <List.Item>
                        <List.Item.Meta
                          title={
                            <span>
                              <Tag>{t(`resultKind.${x.kind}`)}</Tag>
                              {x.title} <span className="cell-sub">{x.date}</span>
                            </span>
                          }
                          description={x.summary}
                        />
                      </List.Item>
                    )}
                  />
                </>
              )}
            </Card>

            {r.returnedSummary && (
              <Card variant="borderless" title={t('referral.returnedSummary')}>
                <Typography.Paragraph className="pre-wrap" style={{ marginBottom: 0 }} data-testid="returned-summary">
                  {r.returnedSummary}
                </Typography.Paragraph>
              </Card>
            )}

            {r.carePlan && (
              <Card variant="borderless" title={t('referral.carePlan.title')} data-testid="care-plan">
                <Descriptions column={1} size="small" layout="vertical">
                  <Descriptions.Item label={t('referral.carePlan.diagnosisSummary')}>
                    <span className="pre-wrap">{r.carePlan.diagnosisSummary}</span>
                  </Descriptions.Item>
                  {r.carePlan.rehabilitationAdvice && (
                    <Descriptions.Item label={t('referral.carePlan.rehabilitation')}>
                      <span className="pre-wrap">{r.carePlan.rehabilitationAdvice}</span>
                    </Descriptions.Item>
                  )}
                  <Descriptions.Item label={t('referral.carePlan.warningSigns')}>
                    <Flex wrap gap={4}>
                      {r.carePlan.warningSigns.map((w) => (
                        <Tag key={w} color="red">
                          {w}
                        </Tag>
                      ))}
                    </Flex>
                  </Descriptions.Item>
                </Descriptions>
                {r.carePlan.medications.length > 0 && <MedicationTable rows={r.carePlan.medications} title={t('referral.medications')} />}
                <Typography.Title level={5} style={{ marginTop: 16 }}>
                  {t('referral.carePlan.tasks')}
                </Typography.Title>
                <Table
                  rowKey="id"
                  size="small"
                  pagination={false}
                  dataSource={r.carePlan.tasks}
                  locale={{ emptyText: t('referral.carePlan.noTasks') }}
                  columns={[
                    { title: t('careTask.kind'), dataIndex: 'kind', width: 120, render: (k: string) => t(`careTaskKind.${k}`, { defaultValue: k }) },
                    { title: t('careTask.title'), dataIndex: 'title', render: (v: string) => <span data-testid="care-plan-task">{v}</span> },
                    {
                      title: t('careTask.dueDate'),
                      dataIndex: 'dueDate',
                      width: 150,
                      render: (d: string, task) =>
                        task.status === 'open' ? <Tag color={taskDueColors[taskDueState(d, shanghaiDate())]}>{d}</Tag> : <span>{d}</span>,
                    },
                    {
                      title: t('careTask.status'),
                      dataIndex: 'status',
                      width: 180,
                      render: (s: string, task) => (
                        <span>
                          <Tag color={s === 'done' ? 'green' : s === 'open' ? 'blue' : 'default'}>{t(`careTaskStatus.${s}`, { defaultValue: s })}</Tag>
                          {task.outcome && <div className="cell-sub">{task.outcome}</div>}
                        </span>
                      ),
                    },
                  ]}
                />
              </Card>
            )}
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <Flex vertical gap={16}>
            <Card variant="borderless" title={t('referral.booking.title')} data-testid="booking-card">
              {r.booking ? (
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t('referral.booking.kind')}>{t(`referral.booking.kinds.${r.booking.kind}`)}</Descriptions.Item>
                  <Descriptions.Item label={r.booking.kind === 'bed' ? t('referral.booking.admissionDay') : t('referral.booking.time')}>
                    <span data-testid="booking-time">
                      {r.booking.kind === 'bed'
                        ? formatDateTime(r.booking.start).slice(0, 10)
                        : `${formatDateTime(r.booking.start).slice(0, 16)}${r.booking.end ? ` – ${shanghaiTime(r.booking.end)}` : ''}`}
                    </span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('referral.booking.department')}>{r.booking.departmentName}</Descriptions.Item>
                  <Descriptions.Item label={t('referral.booking.status')}>{t(`bookingStatus.${r.booking.status}`, { defaultValue: r.booking.status })}</Descriptions.Item>
                  {r.booking.admissionNoticeNumber && (
                    <Descriptions.Item label={t('referral.booking.admissionNotice')}>
                      <span>
                        <span className="mono strong" data-testid="admission-notice">
                          {r.booking.admissionNoticeNumber}
                        </span>
                        <Button type="link" size="small" icon={<PrinterOutlined />} onClick={() => window.open(admissionNoticeUrl(r.id), '_blank', 'noopener')}>
                          {t('referral.booking.printNotice')}
                        </Button>
                      </span>
                    </Descriptions.Item>
                  )}
                </Descriptions>
              ) : (
                <Empty
                  image={Empty.PRESENTED_IMAGE_SIMPLE}
                  description={r.allowedActions.includes('book') || r.allowedActions.includes('book-bed') ? t('referral.booking.noneYetCan') : t('referral.booking.noneYet')}
                >
                  <Flex gap={8} justify="center">
                    {r.allowedActions.includes('book') && (
                      <Button type="primary" icon={<CalendarOutlined />} onClick={() => setBookOpen(true)}>
                        {t('referralActionName.book')}
                      </Button>
                    )}
                    {r.allowedActions.includes('book-bed') && (
                      <Button icon={<HomeOutlined />} onClick={() => setBedOpen(true)}>
                        {t('referralActionName.book-bed')}
                      </Button>
                    )}
                  </Flex>
                </Empty>
              )}
            </Card>
            <TimelineCard id={r.id} />
          </Flex>
        </Col>
      </Row>

      <TransitionModal referral={r} action={transition} onClose={() => setTransition(null)} />
      <BookSlotModal referral={r} open={bookOpen} onClose={() => setBookOpen(false)} />
      <BookBedModal referral={r} open={bedOpen} onClose={() => setBedOpen(false)} />
      <ResendModal referral={r} open={resendOpen} onClose={() => setResendOpen(false)} onSent={(n) => void navigate(`/referrals/${encodeURIComponent(n.id)}`)} />
    </div>
  );
}

function MedicationTable({ rows, title }: { rows: ReferralDto['medications']; title: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {title}
      </Typography.Title>
      <Table
        rowKey={(m) => `${m.name}-${m.dose ?? ''}-${m.frequency ?? ''}`}
        size="small"
        pagination={false}
        dataSource={rows}
        columns={[
          { title: t('referral.form.medicationName'), dataIndex: 'name' },
          { title: t('referral.form.dose'), dataIndex: 'dose', render: (v?: string) => v ?? '—' },
          { title: t('referral.form.frequency'), dataIndex: 'frequency', render: (v?: string) => v ?? '—' },
          { title: t('referral.form.medicationNote'), dataIndex: 'note', render: (v?: string) => v ?? '—' },
        ]}
      />
    </>
  );
}

const eventColor = (e: ReferralEventDto): string => {
  if (e.action === 'overdue' || e.action === 'escalated' || e.action === 'reject' || e.action === 'cancel') return 'red';
  if (e.toStatus) return statusColors[e.toStatus] === 'default' ? 'gray' : statusColors[e.toStatus] === 'green' ? 'green' : 'blue';
  return 'gray';
};

/** Who did what when, with the reasons (refetched with the referral after every change: same query key family). */
function TimelineCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const timeline = useTimeline(id);
  return (
    <Card variant="borderless" title={t('referral.timeline')} data-testid="timeline">
      {timeline.isError ? (
        <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : timeline.isPending ? (
        <Loading height={120} />
      ) : timeline.data.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('referral.noEvents')} />
      ) : (
        <Timeline
          items={timeline.data.map((e) => ({
            key: e.id,
            color: eventColor(e),
            content: (
              <div>
                <div className="cell-sub tabular">{formatDateTime(e.at)}</div>
                <div>
                  <span className="strong">{t(`referralEvent.${e.action}`, { defaultValue: e.action })}</span>
                  {e.toStatus && e.toStatus !== e.fromStatus && (
                    <Tag color={statusColors[e.toStatus]} style={{ marginInlineStart: 6 }}>
                      {t(`referralStatus.${e.toStatus}`)}
                      {e.toSubState ? ` · ${t(`referralSubState.${e.toSubState}`)}` : ''}
                    </Tag>
                  )}
                  {!e.toStatus && e.toSubState && <Tag style={{ marginInlineStart: 6 }}>{t(`referralSubState.${e.toSubState}`)}</Tag>}
                </div>
                <div className="cell-sub">{e.actorName}</div>
                {e.reason && <div className="timeline-reason">{e.reason}</div>}
              </div>
            ),
          }))}
        />
      )}
    </Card>
  );
}
