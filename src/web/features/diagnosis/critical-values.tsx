import { AlertFilled, CheckCircleOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import type { CriticalValueDto } from '../../../contracts/diagnosis.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { FormModal } from '../../components/form-modal.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { fieldOfServerError } from '../network/alliance-admin.model.js';
import { DeadlineTag, useNow } from '../referral/referral-tags.js';
import { acknowledgeCritical, diagnosisChanged, useCriticalBoard } from './diagnosis.api.js';
import { ackFields, type AckField, isRequester, parseAcknowledgement } from './diagnosis.model.js';

/**
 * 危急值复述确认: who took the call, what they read back, what was done. Once only (the server refuses a second
 * acknowledgement with who did the first); the banner and the request's alert go with it.
 */
export function AckModal({ critical, onClose }: { critical: Pick<CriticalValueDto, 'id' | 'finding'> | null; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Record<AckField, string>>();
  const [error, setError] = useState<string | null>(null);
  const ack = useMutation({
    mutationFn: (v: { id: string; body: Parameters<typeof acknowledgeCritical>[1] }) => acknowledgeCritical(v.id, v.body),
    onSuccess: async () => {
      await diagnosisChanged(queryClient);
      onClose();
    },
    onError: (e) => {
      const field = fieldOfServerError(e, ackFields);
      if (field) form.setFields([{ name: field, errors: [errorText(e, t)] }]);
      else setError(errorText(e, t));
    },
  });
  const submit = (values: Record<AckField, string>) => {
    if (!critical) return;
    const parsed = parseAcknowledgement(values);
    if (!parsed.ok) {
      form.setFields(parsed.errors.map((e) => ({ name: e.name, errors: e.errors })));
      return;
    }
    ack.mutate({ id: critical.id, body: parsed.value });
  };
  return (
    <FormModal
      open={Boolean(critical)}
      title={t('diagnosis.critical.ackTitle')}
      okText={t('diagnosis.critical.ackOk')}
      pending={ack.isPending}
      onOk={() => form.submit()}
      onClose={onClose}
      onClosed={() => {
        setError(null);
        ack.reset();
        form.resetFields();
      }}
      error={error}
      onDismissError={() => setError(null)}
    >
      <Alert type="error" showIcon icon={<AlertFilled />} title={critical?.finding} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ receivedBy: me.displayName }} preserve={false}>
        <Form.Item name="receivedBy" label={t('diagnosis.critical.receivedBy')} rules={[{ required: true, whitespace: true, message: t('diagnosis.critical.receivedByRequired') }]}>
          <Input maxLength={50} data-testid="ack-received-by" />
        </Form.Item>
        <Form.Item
          name="readBack"
          label={t('diagnosis.critical.readBack')}
          extra={t('diagnosis.critical.readBackHint')}
          rules={[{ required: true, whitespace: true, message: t('diagnosis.critical.readBackRequired') }]}
        >
          <Input.TextArea rows={2} maxLength={1000} data-testid="ack-read-back" />
        </Form.Item>
        <Form.Item name="actionTaken" label={t('diagnosis.critical.actionTaken')} rules={[{ required: true, whitespace: true, message: t('diagnosis.critical.actionTakenRequired') }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="ack-action" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/** The critical values of one request: open ones in red with the acknowledgement clock; acknowledged with the read-back. */
export function CriticalValuesCard({ values, mayAcknowledge }: { values: CriticalValueDto[]; mayAcknowledge: boolean }) {
  const { t } = useTranslation();
  const now = useNow(15_000);
  const [acking, setAcking] = useState<CriticalValueDto | null>(null);
  if (values.length === 0) return null;
  return (
    <Card variant="borderless" title={<span style={{ color: '#cf1322' }}><AlertFilled /> {t('diagnosis.critical.title')}</span>} data-testid="dx-criticals">
      <Flex vertical gap={12}>
        {values.map((c) => (
          <div key={c.id} data-testid="dx-critical" data-state={c.state}>
            <Alert
              type={c.state === 'open' ? 'error' : 'success'}
              showIcon
              icon={c.state === 'open' ? <AlertFilled /> : <CheckCircleOutlined />}
              title={
                <Flex gap={8} align="center" wrap>
                  <span className="strong" data-testid="dx-critical-finding">{c.finding}</span>
                  <Tag color={c.state === 'open' ? 'red' : 'green'} data-testid="dx-critical-state">{t(`diagnosisCriticalState.${c.state}`)}</Tag>
                  {c.state === 'open' && c.deadline && <DeadlineTag dueAt={c.deadline.dueAt} overdue={c.deadline.overdue} now={now} />}
                </Flex>
              }
              description={
                <div>
                  <div className="cell-sub">{t('diagnosis.critical.flagged', { at: formatDateTime(c.flaggedAt), name: c.flaggedByName })}</div>
                  {c.state === 'acknowledged' && (
                    <Descriptions size="small" column={1} style={{ marginTop: 8 }} data-testid="dx-critical-ack">
                      <Descriptions.Item label={t('diagnosis.critical.receivedBy')}>{c.receivedBy}</Descriptions.Item>
                      <Descriptions.Item label={t('diagnosis.critical.readBack')}>{c.readBack}</Descriptions.Item>
                      <Descriptions.Item label={t('diagnosis.critical.actionTaken')}>{c.actionTaken}</Descriptions.Item>
                      <Descriptions.Item label={t('diagnosis.critical.acknowledgedAt')}>
                        {formatDateTime(c.acknowledgedAt)} · {c.acknowledgedByName}
                      </Descriptions.Item>
                    </Descriptions>
                  )}
                  {c.log.length > 0 && (
                    <Timeline
                      style={{ marginTop: 12, marginBottom: -24 }}
                      items={c.log.map((l, i) => ({ key: i, content: <span className="cell-sub">{formatDateTime(l.at)} · {t(`diagnosisCriticalLog.${l.kind}`)} · {l.actorName} · {l.text}</span> }))}
                    />
                  )}
                </div>
              }
              action={
                c.state === 'open' &&
                mayAcknowledge && (
                  <Button type="primary" danger onClick={() => setAcking(c)} data-testid="dx-ack">
                    {t('diagnosis.critical.ack')}
                  </Button>
                )
              }
            />
          </div>
        ))}
      </Flex>
      <AckModal critical={acking} onClose={() => setAcking(null)} />
    </Card>
  );
}

/**
 * The unmissable alert: on every page of a requesting clinician while any critical value of the facility is not yet
 * acknowledged (polled; invalidated with every diagnosis change). Disappears when the last one is acknowledged.
 */
export function CriticalBanner() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const location = useLocation();
  const requester = isRequester(me.roles) && Boolean(me.organization);
  const open = useCriticalBoard('requester', 'open', 1, requester);
  const [acking, setAcking] = useState<CriticalValueDto | null>(null);
  const items = open.data?.items ?? [];
  if (!requester || items.length === 0) return null;
  const first = items[0]!;
  const onRequestPage = location.pathname === `/diagnosis/requests/${first.requestId}`;
  return (
    <>
      <Alert
        type="error"
        showIcon
        icon={<AlertFilled />}
        banner
        className="critical-banner"
        data-testid="critical-banner"
        title={<span className="strong">{t('diagnosis.critical.banner', { count: open.data?.total ?? items.length })}</span>}
        description={
          <span>
            <Link to={`/diagnosis/requests/${encodeURIComponent(first.requestId)}`} className="mono">
              {first.requestNumber}
            </Link>{' '}
            {first.patientName} · {first.examType} · <span className="strong">{first.finding}</span>
            <span className="cell-sub"> · {first.centerName} · {formatDateTime(first.flaggedAt)}</span>
          </span>
        }
        action={
          <Flex gap={8} vertical>
            <Button danger type="primary" size="small" onClick={() => setAcking(first)} data-testid="critical-banner-ack">
              {t('diagnosis.critical.ack')}
            </Button>
            {(open.data?.total ?? 0) > 1 || onRequestPage ? (
              <Link to="/diagnosis/critical-values">
                <Typography.Text type="danger">{t('diagnosis.critical.viewAll')}</Typography.Text>
              </Link>
            ) : null}
          </Flex>
        }
        style={{ marginBottom: 16 }}
      />
      <AckModal critical={acking} onClose={() => setAcking(null)} />
    </>
  );
}
