import { CheckOutlined, CloseOutlined, PlayCircleOutlined, ScheduleOutlined, UserAddOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Form, Input, Row, Select, Space, Table, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { expertRoles, type ConsultationAction, type ConsultationDto, type ConsultationExpertDto, type ExpertRole } from '../../../../contracts/diagnosis-consultation.js';
import { FormModal } from '../../../components/form-modal.js';
import { PageHeader } from '../../../components/page-header.js';
import { Loading, QueryError } from '../../../components/query-state.js';
import { errorText } from '../../../lib/errors.js';
import { formatDateTime } from '../../../lib/format.js';
import { DeadlineTag, UrgencyTag, useNow } from '../../referral/referral-tags.js';
import {
  assignExpert, cancelConsultation, concludeConsultation, consultationChanged, declineConsultation, recordOpinion, removeExpert, respondToInvitation,
  scheduleConsultation, startConsultation, useConsultation, useConsultationTimeline, useExpertPool,
} from './consultation.api.js';
import { cstInputToIso, isoToCstInput } from './consultation.model.js';
import { ConsultationStatusTag, ExpertStateTag } from './consultation-tags.js';

type Dialog = null | 'schedule' | 'assign' | 'cancel' | 'decline' | 'decline-invitation' | { remove: ConsultationExpertDto };

/**
 * One consultation: the case and the patient's consent, the panel of experts, the session (time and video link — the
 * platform does not carry the video), the experts' opinions and the requesting doctor's final decision, the timeline.
 * The buttons are the server's `allowedActions`; the server decides again on every move.
 */
export function ConsultationDetailPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const query = useConsultation(id);
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  if (!query.data) return <Loading height={400} />;
  return <ConsultationDetail c={query.data} key={query.data.id} t={t} />;
}

function ConsultationDetail({ c, t }: { c: ConsultationDto; t: ReturnType<typeof useTranslation>['t'] }) {
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const now = useNow();
  const timeline = useConsultationTimeline(c.id);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [pageError, setPageError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const can = (a: ConsultationAction) => c.allowedActions.includes(a);
  const pool = useExpertPool(c.center.id, can('assign-expert'));

  const move = useMutation({
    mutationFn: (fn: () => Promise<ConsultationDto>) => fn(),
    onSuccess: async (dto) => {
      await consultationChanged(queryClient, dto);
      setDialog(null);
      setPageError(null);
      void message.success(t('consultation.saved'));
    },
    onError: (e) => (dialog ? setDialogError(errorText(e, t)) : setPageError(errorText(e, t))),
  });
  const run = (fn: () => Promise<ConsultationDto>) => move.mutate(fn);
  const openDialog = (d: Dialog) => {
    setDialogError(null);
    form.resetFields();
    setDialog(d);
  };
  const submitDialog = async () => {
    let v: Record<string, string | undefined>;
    try {
      v = (await form.validateFields()) as Record<string, string | undefined>;
    } catch {
      return;
    }
    const reason = (v.reason ?? '').trim();
    if (dialog === 'schedule') {
      run(() => scheduleConsultation(c.id, { startsAt: cstInputToIso(v.startsAt) ?? '', endsAt: cstInputToIso(v.endsAt) ?? '', videoLink: (v.videoLink ?? '').trim(), ...(v.note?.trim() ? { note: v.note.trim() } : {}) }));
    } else if (dialog === 'assign') {
      run(() => assignExpert(c.id, { userId: v.userId ?? '', role: (v.role as ExpertRole | undefined) ?? 'member', ...(v.specialty?.trim() ? { specialty: v.specialty.trim() } : {}) }));
    } else if (dialog === 'cancel') run(() => cancelConsultation(c.id, reason));
    else if (dialog === 'decline') run(() => declineConsultation(c.id, reason));
    else if (dialog === 'decline-invitation') run(() => respondToInvitation(c.id, { response: 'decline', reason }));
    else if (dialog && typeof dialog === 'object') run(() => removeExpert(c.id, dialog.remove.id, reason));
  };

  const reasonField = (
    <Form.Item name="reason" label={t('consultation.reason')} rules={[{ required: true, whitespace: true, message: t('consultation.reasonRequired') }]}>
      <Input.TextArea rows={3} maxLength={1000} />
    </Form.Item>
  );
  const activeExperts = c.experts.filter((e) => e.state === 'invited' || e.state === 'accepted');
  const poolOptions = (pool.data ?? []).filter((r) => r.active && !activeExperts.some((e) => e.userId === r.userId)).map((r) => ({ value: r.userId, label: r.specialties.length ? `${r.displayName}（${r.specialties.join('、')}）` : r.displayName }));

  return (
    <div className="page">
      <PageHeader
        title={<span className="mono">{c.number}</span>}
        subtitle={`${t(`consultation.kind.${c.kind}`)} · ${c.specialty} · ${c.patient.name}`}
        crumbs={[{ title: t('consultation.title'), path: '/consultations' }, { title: c.number }]}
        tags={
          <>
            <ConsultationStatusTag status={c.status} />
            <UrgencyTag urgency={c.urgency} always />
          </>
        }
        extra={
          <Space wrap>
            {can('accept-invitation') && <Button type="primary" icon={<CheckOutlined />} loading={move.isPending} onClick={() => run(() => respondToInvitation(c.id, { response: 'accept' }))} data-testid="consultation-accept">{t('consultation.action.accept-invitation')}</Button>}
            {can('decline-invitation') && <Button onClick={() => openDialog('decline-invitation')}>{t('consultation.action.decline-invitation')}</Button>}
            {can('schedule') && <Button type="primary" icon={<ScheduleOutlined />} onClick={() => openDialog('schedule')} data-testid="consultation-schedule">{t('consultation.action.schedule')}</Button>}
            {can('start') && <Button icon={<PlayCircleOutlined />} loading={move.isPending} onClick={() => run(() => startConsultation(c.id))} data-testid="consultation-start">{t('consultation.action.start')}</Button>}
            {can('decline') && <Button danger onClick={() => openDialog('decline')}>{t('consultation.action.decline')}</Button>}
            {can('cancel') && <Button danger icon={<CloseOutlined />} onClick={() => openDialog('cancel')}>{t('consultation.action.cancel')}</Button>}
          </Space>
        }
      />
      {pageError && <Alert type="error" showIcon title={pageError} style={{ marginBottom: 16 }} closable={{ onClose: () => setPageError(null) }} />}
      <Row gutter={16}>
        <Col xs={24} lg={16}>
          <Card variant="borderless" title={t('consultation.case')} style={{ marginBottom: 16 }}>
            <Descriptions column={{ xs: 1, md: 2 }} size="small">
              <Descriptions.Item label={t('consultation.patient')}>{c.patient.name}（{t(`sex.${c.patient.sex}`, { defaultValue: c.patient.sex })}，{c.patient.birthDate}）</Descriptions.Item>
              <Descriptions.Item label={t('consultation.requester')}>{c.requester.organizationName} · {c.requester.userName}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.center')}>{c.center.name}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.respondBy')}>{c.deadline ? <DeadlineTag dueAt={c.deadline.dueAt} overdue={c.deadline.overdue} now={now} /> : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.submittedAt')}>{formatDateTime(c.submittedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.preferredAt')}>{c.preferredAt ? formatDateTime(c.preferredAt) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.purpose')} span={2}>{c.purpose}</Descriptions.Item>
              {c.clinicalSummary && <Descriptions.Item label={t('consultation.clinicalSummary')} span={2}><Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{c.clinicalSummary}</Typography.Paragraph></Descriptions.Item>}
              {c.declineReason && <Descriptions.Item label={t('consultation.declineReason')} span={2}>{c.declineReason}</Descriptions.Item>}
              {c.cancelReason && <Descriptions.Item label={t('consultation.cancelReason')} span={2}>{c.cancelReason}</Descriptions.Item>}
            </Descriptions>
          </Card>

          <Card variant="borderless" title={t('consultation.session')} style={{ marginBottom: 16 }}>
            {c.schedule ? (
              <Descriptions column={{ xs: 1, md: 2 }} size="small">
                <Descriptions.Item label={t('consultation.scheduledStart')}>{formatDateTime(c.schedule.startsAt)} — {formatDateTime(c.schedule.endsAt)}</Descriptions.Item>
                <Descriptions.Item label={t('consultation.scheduledBy')}>{c.schedule.scheduledByName}（{formatDateTime(c.schedule.scheduledAt)}）</Descriptions.Item>
                <Descriptions.Item label={t('consultation.videoLink')} span={2}>
                  <a href={c.schedule.videoLink} target="_blank" rel="noopener noreferrer" data-testid="consultation-video-link"><VideoCameraOutlined /> {c.schedule.videoLink}</a>
                </Descriptions.Item>
                {c.startedAt && <Descriptions.Item label={t('consultation.startedAt')}>{formatDateTime(c.startedAt)}</Descriptions.Item>}
              </Descriptions>
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('consultation.notScheduled')} />
            )}
          </Card>

          <Card
            variant="borderless"
            title={t('consultation.experts')}
            style={{ marginBottom: 16 }}
            extra={can('assign-expert') && <Button icon={<UserAddOutlined />} onClick={() => openDialog('assign')} data-testid="consultation-assign">{t('consultation.action.assign-expert')}</Button>}
          >
            <Table<ConsultationExpertDto>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={c.experts}
              locale={{ emptyText: t('consultation.noExperts') }}
              columns={[
                { title: t('consultation.expert'), dataIndex: 'name', key: 'name' },
                { title: t('consultation.expertRole'), key: 'role', render: (_, e) => t(`consultation.role.${e.role}`) },
                { title: t('consultation.specialty'), dataIndex: 'specialty', key: 'specialty' },
                { title: t('consultation.statusLabel'), key: 'state', render: (_, e) => <Space size={4}><ExpertStateTag state={e.state} />{e.reason && <span className="cell-sub">{e.reason}</span>}</Space> },
                ...(can('remove-expert')
                  ? [{ title: '', key: 'remove', width: 90, render: (_: unknown, e: ConsultationExpertDto) => (e.state === 'invited' || e.state === 'accepted') && <Button size="small" type="link" danger onClick={() => openDialog({ remove: e })}>{t('consultation.action.remove-expert')}</Button> }]
                  : []),
              ]}
            />
          </Card>

          <OpinionsCard c={c} t={t} pending={move.isPending} onOpinion={(opinion, recommendations) => run(() => recordOpinion(c.id, { opinion, ...(recommendations ? { recommendations } : {}) }))} />
          <DecisionCard c={c} t={t} pending={move.isPending} onConclude={(decision) => run(() => concludeConsultation(c.id, decision))} />
        </Col>
        <Col xs={24} lg={8}>
          <Card variant="borderless" title={t('consultation.consent.title')} style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('consultation.consent.signer')}>{t(`consultation.signer.${c.consent.signer}`)} · {c.consent.signerName}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.consent.signedAt')}>{formatDateTime(c.consent.signedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.consent.formReference')}>{c.consent.formReference}</Descriptions.Item>
              <Descriptions.Item label={t('consultation.consent.recordedBy')}>{c.consent.recordedByName}（{formatDateTime(c.consent.recordedAt)}）</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card variant="borderless" title={t('consultation.timeline')}>
            {timeline.isError ? (
              <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />
            ) : (
              <Timeline
                items={(timeline.data ?? []).map((e) => ({
                  color: e.action === 'overdue' || e.action === 'escalated' ? 'red' : 'blue',
                  children: (
                    <div>
                      <div>{t(`consultation.event.${e.action}`, { defaultValue: e.action })} · {e.actorName}</div>
                      {e.reason && <div className="cell-sub">{e.reason}</div>}
                      <div className="cell-sub">{formatDateTime(e.at)}</div>
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>

      <FormModal
        open={dialog !== null}
        title={dialog === null ? '' : typeof dialog === 'object' ? t('consultation.action.remove-expert') : t(`consultation.action.${dialog}`)}
        okText={t('consultation.confirm')}
        danger={dialog === 'cancel' || dialog === 'decline' || (dialog !== null && typeof dialog === 'object')}
        pending={move.isPending}
        onOk={() => void submitDialog()}
        onClose={() => setDialog(null)}
        error={dialogError}
        onDismissError={() => setDialogError(null)}
      >
        <Form form={form} layout="vertical" preserve={false}>
          {dialog === 'schedule' && (
            <>
              <Flex gap={12}>
                <Form.Item name="startsAt" label={t('consultation.startsAt')} initialValue={c.schedule ? isoToCstInput(c.schedule.startsAt) : isoToCstInput(new Date(Date.now() + 30 * 60_000))} rules={[{ required: true, message: t('consultation.timeRequired') }]} style={{ flex: 1 }}>
                  <Input type="datetime-local" />
                </Form.Item>
                <Form.Item name="endsAt" label={t('consultation.endsAt')} initialValue={c.schedule ? isoToCstInput(c.schedule.endsAt) : isoToCstInput(new Date(Date.now() + 90 * 60_000))} rules={[{ required: true, message: t('consultation.timeRequired') }]} style={{ flex: 1 }}>
                  <Input type="datetime-local" />
                </Form.Item>
              </Flex>
              <Form.Item name="videoLink" label={t('consultation.videoLink')} initialValue={c.schedule?.videoLink} extra={t('consultation.videoHint')} rules={[{ required: true, type: 'url', message: t('consultation.videoRequired') }]}>
                <Input placeholder="https://" data-testid="consultation-video-input" />
              </Form.Item>
              <Form.Item name="note" label={t('consultation.note')}>
                <Input.TextArea rows={2} maxLength={1000} />
              </Form.Item>
              {activeExperts.length === 0 && <Alert type="warning" showIcon title={t('consultation.needExpert')} />}
            </>
          )}
          {dialog === 'assign' && (
            <>
              <Form.Item name="userId" label={t('consultation.expert')} rules={[{ required: true, message: t('consultation.expertRequired') }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} loading={pool.isLoading} options={poolOptions} data-testid="consultation-expert-select" />
              </Form.Item>
              <Form.Item name="role" label={t('consultation.expertRole')} initialValue="member">
                <Select options={expertRoles.map((r) => ({ value: r, label: t(`consultation.role.${r}`) }))} />
              </Form.Item>
              <Form.Item name="specialty" label={t('consultation.specialty')} initialValue={c.specialty}>
                <Input maxLength={50} />
              </Form.Item>
            </>
          )}
          {(dialog === 'cancel' || dialog === 'decline' || dialog === 'decline-invitation' || (dialog !== null && typeof dialog === 'object')) && reasonField}
        </Form>
      </FormModal>
    </div>
  );
}

function OpinionsCard({ c, t, pending, onOpinion }: { c: ConsultationDto; t: ReturnType<typeof useTranslation>['t']; pending: boolean; onOpinion: (opinion: string, recommendations?: string) => void }) {
  const [form] = Form.useForm<{ opinion: string; recommendations?: string }>();
  return (
    <Card variant="borderless" title={t('consultation.opinions')} style={{ marginBottom: 16 }}>
      {c.opinions.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('consultation.noOpinions')} />}
      {c.opinions.map((o) => (
        <div key={o.id} className="consultation-opinion" style={{ marginBottom: 12 }}>
          <div><strong>{o.expertName}</strong>{o.specialty ? ` · ${o.specialty}` : ''} <span className="cell-sub">{formatDateTime(o.at)}</span></div>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 4 }}>{o.opinion}</Typography.Paragraph>
          {o.recommendations && <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap' }}>{t('consultation.recommendations')}：{o.recommendations}</Typography.Paragraph>}
        </div>
      ))}
      {c.allowedActions.includes('opinion') && (
        <Form form={form} layout="vertical" onFinish={(v) => { onOpinion(v.opinion.trim(), v.recommendations?.trim() || undefined); form.resetFields(); }}>
          <Form.Item name="opinion" label={t('consultation.yourOpinion')} rules={[{ required: true, whitespace: true, message: t('consultation.opinionRequired') }]}>
            <Input.TextArea rows={4} maxLength={8000} data-testid="consultation-opinion" />
          </Form.Item>
          <Form.Item name="recommendations" label={t('consultation.recommendations')}>
            <Input.TextArea rows={2} maxLength={4000} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={pending} data-testid="consultation-opinion-submit">{t('consultation.action.opinion')}</Button>
        </Form>
      )}
    </Card>
  );
}

function DecisionCard({ c, t, pending, onConclude }: { c: ConsultationDto; t: ReturnType<typeof useTranslation>['t']; pending: boolean; onConclude: (decision: string) => void }) {
  const [form] = Form.useForm<{ decision: string }>();
  if (!c.decision && !c.allowedActions.includes('conclude')) return null;
  return (
    <Card variant="borderless" title={t('consultation.decision')} style={{ marginBottom: 16 }}>
      {c.decision ? (
        <>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{c.decision.text}</Typography.Paragraph>
          <div className="cell-sub">{c.decision.byName} · {formatDateTime(c.decision.at)}</div>
        </>
      ) : (
        <Form form={form} layout="vertical" onFinish={(v) => onConclude(v.decision.trim())}>
          <Alert type="info" showIcon title={t('consultation.decisionHint')} style={{ marginBottom: 12 }} />
          <Form.Item name="decision" label={t('consultation.decision')} rules={[{ required: true, whitespace: true, message: t('consultation.decisionRequired') }]}>
            <Input.TextArea rows={4} maxLength={8000} data-testid="consultation-decision" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={pending} data-testid="consultation-conclude">{t('consultation.action.conclude')}</Button>
        </Form>
      )}
    </Card>
  );
}
