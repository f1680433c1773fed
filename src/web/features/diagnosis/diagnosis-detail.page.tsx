import { AlertOutlined, CheckOutlined, CloudUploadOutlined, RollbackOutlined, SwapOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Form, Input, Row, Select, Tag, Timeline } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { DiagnosisRequestDto } from '../../../contracts/diagnosis.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { FormModal } from '../../components/form-modal.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { ageOn, formatDateTime, shanghaiDate } from '../../lib/format.js';
import { UrgencyTag, useNow } from '../referral/referral-tags.js';
import { UploadQueueView, useUploadQueue } from './attachment-upload.js';
import { CriticalValuesCard } from './critical-values.js';
import { diagnosisChanged, flagCritical, moveRequest, returnReport, useDiagnosisRequest, useDiagnosisTimeline, useMyCenters, useReaders } from './diagnosis.api.js';
import { detailSide, diagnosisStatusColors } from './diagnosis.model.js';
import { CriticalTag, DxDeadline, DxStatusTag } from './diagnosis-tags.js';
import { AttachmentTable, DocumentsPanel, EcgPanel, ImagingPanel } from './media-panels.js';
import { SlidePanel } from './slide-viewer.js';
import { ReaderReportPanel, RequesterReportPanel } from './report-panel.js';
import { LabSpecimensCard } from './lab-specimens.js';

/** Moves that ask for text first: the reason (or the finding, or the reader to hand over to). */
type Dialog = 'qc-return' | 'cancel' | 'signoff-return' | 'flag-critical' | 'reassign' | 'resubmit';

/**
 * One request. Readers of its center get the reading desk (patient, question, ECG/images, QC, report, critical value);
 * the requesting facility gets its status, files, released report and critical-value acknowledgement.
 */
export function DiagnosisDetailPage() {
  const { id } = useParams();
  const q = useDiagnosisRequest(id);
  const centers = useMyCenters();
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  if (q.isPending || centers.isPending) return <Loading height={400} />;
  return <Detail r={q.data} readingCenterIds={(centers.data?.reading ?? []).map((c) => c.id)} />;
}

function Detail({ r, readingCenterIds }: { r: DiagnosisRequestDto; readingCenterIds: string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const now = useNow();
  const side = detailSide(r.allowedActions, readingCenterIds, r.center.id);
  const allowed = new Set(r.allowedActions);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const queue = useUploadQueue(r.center.type);

  const direct = useMutation({
    mutationFn: (action: 'claim' | 'release' | 'qc-accept') => (action === 'qc-accept' ? moveRequest(r.id, 'qc', { decision: 'accept' }) : moveRequest(r.id, action)),
    onSuccess: async (dto, action) => {
      setActionError(null);
      await diagnosisChanged(queryClient, dto);
      void message.success(t(`diagnosis.done.${action}`));
    },
    onError: async (e) => {
      setActionError(errorText(e, t));
      await diagnosisChanged(queryClient);
    },
  });

  const upload = async () => {
    const { failed, done } = await queue.send(r.id);
    await diagnosisChanged(queryClient);
    if (failed) void message.warning(t('diagnosis.form.someFilesFailed', { failed, done }));
    else {
      void message.success(t('diagnosis.upload.done', { count: done }));
      queue.clear();
    }
  };

  const age = ageOn(r.patient.birthDate, shanghaiDate());
  const readerButtons: { key: 'claim' | 'release' | 'qc-accept'; primary?: boolean }[] = [
    { key: 'claim', primary: true },
    { key: 'qc-accept' },
    { key: 'release' },
  ];

  return (
    <div className="page">
      <PageHeader
        title={
          <span>
            {t('diagnosis.detailTitle')} <span className="mono" data-testid="dx-number">{r.number}</span>
          </span>
        }
        tags={
          <>
            <DxStatusTag status={r.status} />
            <UrgencyTag urgency={r.urgency} always />
            <DxDeadline status={r.status} dueAt={r.deadline?.dueAt ?? null} overdue={r.deadline?.overdue ?? false} now={now} />
            {r.deadline && r.deadline.escalationLevel > 0 && r.status !== 'completed' && <Tag color="volcano">{t('diagnosis.escalated', { level: r.deadline.escalationLevel })}</Tag>}
            {r.criticalValues.length > 0 && <CriticalTag />}
          </>
        }
        crumbs={[side === 'reader' ? { title: t('diagnosis.nav.worklist'), path: '/diagnosis/worklist' } : { title: t('diagnosis.nav.sent'), path: '/diagnosis/requests' }, { title: r.number }]}
        extra={
          <Flex gap={8} wrap data-testid="dx-actions">
            {readerButtons
              .filter((b) => allowed.has(b.key))
              .map((b) => (
                <Button
                  key={b.key}
                  type={b.primary ? 'primary' : 'default'}
                  icon={b.key === 'qc-accept' ? <CheckOutlined /> : undefined}
                  loading={direct.isPending && direct.variables === b.key}
                  disabled={direct.isPending}
                  onClick={() => direct.mutate(b.key)}
                  data-testid={`dx-action-${b.key}`}
                >
                  {t(`diagnosisAction.${b.key}`)}
                </Button>
              ))}
            {allowed.has('qc-return') && (
              <Button icon={<RollbackOutlined />} onClick={() => setDialog('qc-return')} data-testid="dx-action-qc-return">
                {t('diagnosisAction.qc-return')}
              </Button>
            )}
            {allowed.has('flag-critical') && (
              <Button danger icon={<AlertOutlined />} onClick={() => setDialog('flag-critical')} data-testid="dx-action-flag-critical">
                {t('diagnosisAction.flag-critical')}
              </Button>
            )}
            {allowed.has('reassign') && (
              <Button icon={<SwapOutlined />} onClick={() => setDialog('reassign')} data-testid="dx-action-reassign">
                {t('diagnosisAction.reassign')}
              </Button>
            )}
            {allowed.has('resubmit') && (
              <Button type="primary" onClick={() => setDialog('resubmit')} data-testid="dx-action-resubmit">
                {t('diagnosisAction.resubmit')}
              </Button>
            )}
            {allowed.has('cancel') && (
              <Button danger onClick={() => setDialog('cancel')} data-testid="dx-action-cancel">
                {t('diagnosisAction.cancel')}
              </Button>
            )}
          </Flex>
        }
      />
      {actionError && <Alert type="error" showIcon title={actionError} closable={{ onClose: () => setActionError(null) }} data-testid="dx-action-error" />}
      {r.status === 'returned' && r.returnReason && (
        <Alert type="warning" showIcon title={t('diagnosis.returnedTitle')} description={r.returnReason} data-testid="dx-return-reason" />
      )}
      {r.status === 'cancelled' && r.cancelReason && <Alert type="warning" showIcon title={t('diagnosis.cancelReason')} description={r.cancelReason} />}
      <CriticalValuesCard values={r.criticalValues} mayAcknowledge={allowed.has('acknowledge-critical')} />

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={16}>
            <Card variant="borderless" title={t('diagnosis.sectionRequest')}>
              <Descriptions column={{ xs: 1, md: 2 }} size="small">
                <Descriptions.Item label={t('diagnosis.patient')}>
                  <Link to={`/patients/${encodeURIComponent(r.patient.id)}`} data-testid="dx-patient">{r.patient.name}</Link>
                  <span className="cell-sub" style={{ marginInlineStart: 6 }}>
                    {t(`sex.${r.patient.sex}`, { defaultValue: r.patient.sex })}
                    {age !== null ? ` · ${t('patient.age', { count: age })}` : ''}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('diagnosis.requester')}>
                  {r.requester.organizationName} · {r.requester.userName}
                </Descriptions.Item>
                <Descriptions.Item label={t('diagnosis.center')}>
                  {r.center.name}（{r.center.organizationName}）
                </Descriptions.Item>
                <Descriptions.Item label={t('diagnosis.exam')}>
                  <span className="mono">{r.modality}</span> {r.examType}
                  {r.bodyPart ? ` · ${r.bodyPart}` : ''}
                </Descriptions.Item>
                <Descriptions.Item label={t('diagnosis.reader')}>
                  {r.claimedByName ?? (r.assignedUserName ? t('diagnosis.assignedTo', { name: r.assignedUserName }) : t('diagnosis.unassigned'))}
                </Descriptions.Item>
                <Descriptions.Item label={t('diagnosis.imageQuality')}>
                  {r.imageQuality ? <Tag color={r.imageQuality === 'accepted' ? 'green' : 'gold'}>{t(`diagnosisQuality.${r.imageQuality}`)}</Tag> : <span className="muted">{t('diagnosis.qcPending')}</span>}
                  {r.resubmitCount > 0 && <span className="cell-sub">{t('diagnosis.resubmitCount', { count: r.resubmitCount })}</span>}
                </Descriptions.Item>
                <Descriptions.Item label={t('diagnosis.submittedAt')}>{formatDateTime(r.submittedAt)}</Descriptions.Item>
                {r.completedAt && <Descriptions.Item label={t('diagnosis.completedAt')}>{formatDateTime(r.completedAt)}</Descriptions.Item>}
              </Descriptions>
              <Descriptions column={1} size="small" layout="vertical" style={{ marginTop: 8 }}>
                <Descriptions.Item label={t('diagnosis.clinicalQuestion')}>
                  <span className="pre-wrap strong" data-testid="dx-question">{r.clinicalQuestion}</span>
                </Descriptions.Item>
                {r.clinicalSummary && (
                  <Descriptions.Item label={t('diagnosis.clinicalSummary')}>
                    <span className="pre-wrap">{r.clinicalSummary}</span>
                  </Descriptions.Item>
                )}
              </Descriptions>
            </Card>
            <EcgPanel r={r} />
            <ImagingPanel r={r} />
            <SlidePanel r={r} />
            <LabSpecimensCard r={r} side={side === 'reader' ? 'reader' : 'requester'} />
            {side === 'reader' ? <ReaderReportPanel r={r} onReturn={() => setDialog('signoff-return')} /> : <RequesterReportPanel r={r} />}
            <DocumentsPanel r={r} />
            <AttachmentTable
              r={r}
              extra={
                allowed.has('upload') && (
                  <Flex vertical gap={8} style={{ marginTop: 16 }}>
                    <UploadQueueView queue={queue} centerType={r.center.type} disabled={queue.running} />
                    {queue.sendable > 0 && (
                      <Button type="primary" icon={<CloudUploadOutlined />} loading={queue.running} onClick={() => void upload()} style={{ alignSelf: 'flex-start' }} data-testid="dx-upload-send">
                        {t('diagnosis.upload.send', { count: queue.sendable })}
                      </Button>
                    )}
                  </Flex>
                )
              }
            />
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <TimelineCard id={r.id} />
        </Col>
      </Row>
      <MoveDialog r={r} dialog={dialog} onClose={() => setDialog(null)} />
    </div>
  );
}

/** The dialog of a move that needs words: a reason, the critical finding, or the reader to hand over to. */
function MoveDialog({ r, dialog, onClose }: { r: DiagnosisRequestDto; dialog: Dialog | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ text?: string; userId?: string }>();
  const [error, setError] = useState<string | null>(null);
  const readers = useReaders(r.center.id, dialog === 'reassign');
  const mutation = useMutation({
    mutationFn: async (v: { text?: string; userId?: string }): Promise<DiagnosisRequestDto | null> => {
      const text = v.text?.trim() ?? '';
      if (dialog === 'qc-return') return moveRequest(r.id, 'qc', { decision: 'return', reason: text });
      if (dialog === 'cancel') return moveRequest(r.id, 'cancel', { reason: text });
      if (dialog === 'resubmit') return moveRequest(r.id, 'resubmit', text ? { note: text } : {});
      if (dialog === 'signoff-return') return returnReport(r.id, text);
      if (dialog === 'reassign') return moveRequest(r.id, 'reassign', { userId: v.userId, ...(text ? { reason: text } : {}) });
      await flagCritical(r.id, text);
      return null;
    },
    onSuccess: async (dto) => {
      await diagnosisChanged(queryClient, dto ?? undefined);
      void message.success(t(`diagnosis.done.${dialog ?? 'claim'}`));
      onClose();
    },
    onError: (e) => setError(errorText(e, t)),
  });
  const textRequired = dialog !== 'resubmit' && dialog !== 'reassign';
  const label = dialog === 'flag-critical' ? t('diagnosis.critical.finding') : dialog === 'resubmit' ? t('diagnosis.resubmitNote') : t('diagnosis.reason');
  return (
    <FormModal
      open={dialog !== null}
      title={dialog ? t(`diagnosisAction.${dialog}`) : ''}
      okText={dialog ? t(`diagnosisAction.${dialog}`) : ''}
      danger={dialog === 'cancel' || dialog === 'flag-critical'}
      pending={mutation.isPending}
      onOk={() => form.submit()}
      onClose={onClose}
      onClosed={() => {
        setError(null);
        mutation.reset();
        form.resetFields();
      }}
      error={error}
      onDismissError={() => setError(null)}
    >
      {dialog === 'flag-critical' && <Alert type="warning" showIcon title={t('diagnosis.critical.flagHint')} style={{ marginBottom: 16 }} />}
      {dialog === 'resubmit' && <Alert type="info" showIcon title={t('diagnosis.resubmitHint')} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={(v) => mutation.mutate(v)} preserve={false}>
        {dialog === 'reassign' && (
          <Form.Item name="userId" label={t('diagnosis.reassignTo')} rules={[{ required: true, message: t('diagnosis.reassignToRequired') }]}>
            <Select
              loading={readers.isPending}
              options={(readers.data ?? []).filter((x) => x.active && x.userId !== me.id).map((x) => ({ value: x.userId, label: `${x.displayName}${x.specialties.length ? `（${x.specialties.join('、')}）` : ''}` }))}
            />
          </Form.Item>
        )}
        <Form.Item name="text" label={label} rules={textRequired ? [{ required: true, whitespace: true, message: t('diagnosis.textRequired') }] : []}>
          <Input.TextArea rows={3} maxLength={1000} data-testid="dx-dialog-text" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

function TimelineCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const timeline = useDiagnosisTimeline(id);
  return (
    <Card variant="borderless" title={t('diagnosis.timeline')} data-testid="dx-timeline">
      {timeline.isError ? (
        <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : timeline.isPending ? (
        <Loading height={120} />
      ) : timeline.data.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('diagnosis.noEvents')} />
      ) : (
        <Timeline
          items={timeline.data.map((e) => ({
            key: e.id,
            color: e.action === 'flag-critical' || e.action === 'escalated' || e.action === 'overdue' ? 'red' : e.toStatus === 'completed' ? 'green' : 'blue',
            content: (
              <div>
                <div className="cell-sub tabular">{formatDateTime(e.at)}</div>
                <div>
                  <span className="strong">{t(`diagnosisEvent.${e.action}`, { defaultValue: t(`diagnosisLab.event.${e.action}`, { defaultValue: e.action }) })}</span>
                  {e.toStatus && e.toStatus !== e.fromStatus && (
                    <Tag color={diagnosisStatusColors[e.toStatus]} style={{ marginInlineStart: 6 }}>
                      {t(`diagnosisStatus.${e.toStatus}`)}
                    </Tag>
                  )}
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
