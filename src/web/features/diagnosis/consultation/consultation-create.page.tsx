import { SendOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Col, Flex, Form, Input, Radio, Row, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { consentSigners, consultationKinds, type ConsentSigner, type ConsultationInput, type ConsultationKind } from '../../../../contracts/diagnosis-consultation.js';
import { isApiError } from '../../../api/client.js';
import { useCurrentUser } from '../../../app/require-auth.js';
import { ForbiddenPage } from '../../../app/status.pages.js';
import { PageHeader } from '../../../components/page-header.js';
import { QueryError } from '../../../components/query-state.js';
import { errorText } from '../../../lib/errors.js';
import { PatientPicker } from '../../referral/pickers.js';
import { consultationChanged, createConsultation, useConsultationCenters } from './consultation.api.js';
import { cstInputToIso, isConsultationRequester, isoToCstInput } from './consultation.model.js';

interface FormValues {
  centerId?: string;
  patientId?: string;
  kind: ConsultationKind;
  urgency: 'routine' | 'urgent';
  specialty?: string;
  purpose?: string;
  clinicalSummary?: string;
  preferredAt?: string;
  consent: { signer: ConsentSigner; signerName?: string; signedAt?: string; formReference?: string; obtained?: boolean };
}

const topFields = ['centerId', 'patientId', 'kind', 'urgency', 'specialty', 'purpose', 'clinicalSummary', 'preferredAt', 'consent'] as const;

export function ConsultationCreatePage() {
  const me = useCurrentUser();
  return isConsultationRequester(me.roles) ? <ConsultationCreate /> : <ForbiddenPage />;
}

/**
 * 申请远程会诊: center, patient, kind and specialty, purpose and case summary — and the patient's written consent
 * (知情同意书), which the platform requires before the invitation is sent (2018 remote-medicine norms).
 */
function ConsultationCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [error, setError] = useState<string | null>(null);
  const centers = useConsultationCenters();
  const kind = Form.useWatch('kind', form);

  const mutation = useMutation({
    mutationFn: createConsultation,
    onSuccess: async (dto) => {
      await consultationChanged(queryClient, dto);
      void message.success(t('consultation.form.submitted', { number: dto.number }));
      void navigate(`/consultations/${encodeURIComponent(dto.id)}`, { replace: true });
    },
    onError: (e) => {
      const text = errorText(e, t);
      const path = isApiError(e) && e.status === 400 ? e.path : undefined;
      const parts = path ? path.split('.') : [];
      if (parts[0] && (topFields as readonly string[]).includes(parts[0])) {
        const name = (parts[0] === 'consent' ? ['consent', parts[1] ?? 'obtained'] : [parts[0]]) as Parameters<typeof form.scrollToField>[0];
        form.setFields([{ name, errors: [text] }]);
        form.scrollToField(name, { block: 'center' });
      } else setError(text);
    },
  });

  const send = async () => {
    setError(null);
    let v: FormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const input: ConsultationInput = {
      centerId: v.centerId ?? '',
      patientId: v.patientId ?? '',
      kind: v.kind,
      ...(v.kind === 'emergency' ? {} : { urgency: v.urgency }),
      specialty: (v.specialty ?? '').trim(),
      purpose: (v.purpose ?? '').trim(),
      ...(v.clinicalSummary?.trim() ? { clinicalSummary: v.clinicalSummary.trim() } : {}),
      ...(cstInputToIso(v.preferredAt) ? { preferredAt: cstInputToIso(v.preferredAt)! } : {}),
      consent: { signer: v.consent.signer, signerName: (v.consent.signerName ?? '').trim(), signedAt: cstInputToIso(v.consent.signedAt) ?? '', formReference: (v.consent.formReference ?? '').trim() },
    };
    mutation.mutate(input);
  };

  if (centers.isError) return <QueryError error={centers.error} onRetry={() => void centers.refetch()} />;
  const required = (key: string) => [{ required: true, whitespace: true, message: t(key) }];

  return (
    <div className="page">
      <PageHeader title={t('consultation.new')} subtitle={t('consultation.form.subtitle')} crumbs={[{ title: t('consultation.title'), path: '/consultations' }, { title: t('consultation.new') }]} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} closable={{ onClose: () => setError(null) }} />}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'emergency', urgency: 'routine', consent: { signer: 'patient', signedAt: isoToCstInput(new Date()) } }}
        onFinish={() => void send()}
      >
        <Card variant="borderless" title={t('consultation.form.request')} style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="centerId" label={t('consultation.center')} rules={[{ required: true, message: t('consultation.form.centerRequired') }]}>
                <Select
                  loading={centers.isLoading}
                  placeholder={t('consultation.form.centerPlaceholder')}
                  options={(centers.data ?? []).map((c) => ({ value: c.id, label: `${c.name}（${c.organizationName}）` }))}
                  notFoundContent={t('consultation.form.noCenter')}
                  data-testid="consultation-center"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="patientId" label={t('consultation.patient')} rules={[{ required: true, message: t('consultation.form.patientRequired') }]}>
                <PatientPicker />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="kind" label={t('consultation.kindLabel')}>
                <Radio.Group optionType="button" options={consultationKinds.map((k) => ({ value: k, label: t(`consultation.kind.${k}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              {kind === 'emergency' ? (
                <Form.Item label={t('consultation.urgencyLabel')}>
                  <span>{t('consultation.form.emergencyHint')}</span>
                </Form.Item>
              ) : (
                <Form.Item name="urgency" label={t('consultation.urgencyLabel')}>
                  <Radio.Group options={(['routine', 'urgent'] as const).map((u) => ({ value: u, label: t(`urgency.${u}`) }))} />
                </Form.Item>
              )}
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="specialty" label={t('consultation.specialty')} rules={required('consultation.form.specialtyRequired')}>
                <Input maxLength={50} placeholder={t('consultation.form.specialtyPlaceholder')} data-testid="consultation-specialty" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="preferredAt" label={t('consultation.preferredAt')} extra={t('consultation.form.cstHint')}>
                <Input type="datetime-local" />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="purpose" label={t('consultation.purpose')} rules={required('consultation.form.purposeRequired')}>
                <Input.TextArea rows={3} maxLength={2000} showCount data-testid="consultation-purpose" />
              </Form.Item>
              <Form.Item name="clinicalSummary" label={t('consultation.clinicalSummary')}>
                <Input.TextArea rows={4} maxLength={8000} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card variant="borderless" title={t('consultation.consent.title')} style={{ marginBottom: 16 }}>
          <Alert type="info" showIcon title={t('consultation.consent.why')} style={{ marginBottom: 16 }} />
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name={['consent', 'signer']} label={t('consultation.consent.signer')}>
                <Radio.Group options={consentSigners.map((s) => ({ value: s, label: t(`consultation.signer.${s}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={['consent', 'signerName']} label={t('consultation.consent.signerName')} rules={required('consultation.consent.signerNameRequired')}>
                <Input maxLength={50} data-testid="consent-signer-name" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={['consent', 'signedAt']} label={t('consultation.consent.signedAt')} extra={t('consultation.form.cstHint')} rules={[{ required: true, message: t('consultation.consent.signedAtRequired') }]}>
                <Input type="datetime-local" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={['consent', 'formReference']} label={t('consultation.consent.formReference')} rules={required('consultation.consent.formReferenceRequired')}>
                <Input maxLength={200} placeholder={t('consultation.consent.formReferencePlaceholder')} data-testid="consent-form-reference" />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item
                name={['consent', 'obtained']}
                valuePropName="checked"
                rules={[{ validator: async (_, checked: boolean) => { if (!checked) throw new Error(t('consultation.consent.obtainedRequired')); } }]}
              >
                <Checkbox data-testid="consent-obtained">{t('consultation.consent.obtained')}</Checkbox>
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Flex justify="end" gap={8}>
          <Button onClick={() => void navigate('/consultations')}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={mutation.isPending} data-testid="consultation-submit">
            {t('consultation.form.submit')}
          </Button>
        </Flex>
      </Form>
    </div>
  );
}
