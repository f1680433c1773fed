import { SendOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, AutoComplete, Button, Card, Col, Flex, Form, Input, Radio, Row, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { urgencies } from '../../../contracts/codes.js';
import type { DiagnosisRequestDto } from '../../../contracts/diagnosis.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { ForbiddenPage } from '../../app/status.pages.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { fieldOfServerError } from '../network/alliance-admin.model.js';
import { PatientPicker } from '../referral/pickers.js';
import { UploadQueueView, useUploadQueue } from './attachment-upload.js';
import { createRequest, diagnosisChanged, useMyCenters } from './diagnosis.api.js';
import { examSuggestions, isRequester, modalitiesOf, parseRequestForm, requestFormFields, type RequestFormValues } from './diagnosis.model.js';

export function DiagnosisCreatePage() {
  const me = useCurrentUser();
  return isRequester(me.roles) ? <DiagnosisCreate /> : <ForbiddenPage />;
}

/**
 * 申请远程诊断: patient, the center (those serving my facility), modality and exam item, urgency, the clinical
 * question; files (DICOM series, ECG, PDF, images). The request is created first, then the files go up one by one
 * with progress; the request page takes over (more files can be added there while the request is open).
 */
function DiagnosisCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const [form] = Form.useForm<RequestFormValues>();
  const [error, setError] = useState<string | null>(null);
  const centers = useMyCenters();
  const centerId = Form.useWatch('centerId', form);
  const modality = Form.useWatch('modality', form);
  const center = centers.data?.requestable.find((c) => c.id === centerId);
  const queue = useUploadQueue(center?.type);
  const [created, setCreated] = useState<DiagnosisRequestDto | null>(null);

  // One center only: choose it. A center of another type: its first modality.
  useEffect(() => {
    const list = centers.data?.requestable ?? [];
    if (list.length === 1 && !form.getFieldValue('centerId')) form.setFieldValue('centerId', list[0]?.id);
  }, [centers.data, form]);
  useEffect(() => {
    const ms = modalitiesOf(center);
    if (center && (!modality || !ms.includes(modality))) form.setFieldValue('modality', ms[0]);
  }, [center, modality, form]);
  useEffect(() => {
    const suggestion = modality ? examSuggestions[modality]?.[0] : undefined;
    if (suggestion && modality === 'ECG-12' && !form.getFieldValue('examType')) form.setFieldValue('examType', suggestion);
  }, [modality, form]);

  const finish = async (dto: DiagnosisRequestDto) => {
    const { failed, done } = await queue.send(dto.id);
    await diagnosisChanged(queryClient);
    if (failed) void message.warning(t('diagnosis.form.someFilesFailed', { failed, done }));
    else void message.success(t('diagnosis.form.submitted', { number: dto.number }));
    void navigate(`/diagnosis/requests/${encodeURIComponent(dto.id)}`, { replace: true });
  };

  const mutation = useMutation({
    mutationFn: createRequest,
    onSuccess: async (dto) => {
      setCreated(dto);
      await finish(dto);
    },
    onError: (e) => {
      const text = errorText(e, t);
      const field = fieldOfServerError(e, requestFormFields);
      if (field) {
        form.setFields([{ name: field, errors: [text] }]);
        form.scrollToField(field, { block: 'center' });
      } else {
        setError(text);
        window.scrollTo({ top: 0, behavior: 'smooth' });
      }
    },
  });

  const send = async () => {
    setError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    const parsed = parseRequestForm(form.getFieldsValue(true) as RequestFormValues, center, { modalityNotRead: t('diagnosis.form.modalityNotRead') });
    if (!parsed.ok) {
      form.setFields(parsed.errors.map((e) => ({ name: e.name, errors: e.errors })));
      return;
    }
    if (queue.rejected > 0) {
      setError(t('diagnosis.form.removeRejected', { count: queue.rejected }));
      return;
    }
    mutation.mutate(parsed.value);
  };

  if (centers.isError) return <QueryError error={centers.error} onRetry={() => void centers.refetch()} />;
  const required = (key: string) => [{ required: true, whitespace: true, message: t(key) }];
  const busy = mutation.isPending || queue.running || Boolean(created);

  return (
    <div className="page">
      <PageHeader
        title={t('diagnosis.form.title')}
        subtitle={t('diagnosis.form.subtitle')}
        crumbs={[{ title: t('diagnosis.nav.sent'), path: '/diagnosis/requests' }, { title: t('diagnosis.form.title') }]}
      />
      <Form<RequestFormValues>
        form={form}
        layout="vertical"
        className="patient-form"
        initialValues={{ patientId: params.get('patientId') ?? undefined, urgency: 'routine' }}
        onFinish={() => void send()}
        disabled={busy}
      >
        {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} className="form-banner" data-testid="form-error" />}
        {centers.data && centers.data.requestable.length === 0 && (
          <Alert type="warning" showIcon title={t('diagnosis.form.noCenters')} className="form-banner" data-testid="dx-no-centers" />
        )}
        <Card variant="borderless" title={t('diagnosis.form.sectionPatient')} className="form-section">
          <Row gutter={24}>
            <Col xs={24} md={12}>
              <Form.Item name="patientId" label={t('diagnosis.patient')} rules={[{ required: true, message: t('diagnosis.form.patientRequired') }]}>
                <PatientPicker onChange={(id) => form.setFieldValue('patientId', id)} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="urgency" label={t('diagnosis.urgency')}>
                <Radio.Group optionType="button" buttonStyle="solid" options={urgencies.map((u) => ({ value: u, label: t(`urgency.${u}`) }))} data-testid="dx-urgency" />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card variant="borderless" title={t('diagnosis.form.sectionExam')} className="form-section">
          <Row gutter={24}>
            <Col xs={24} md={12}>
              <Form.Item name="centerId" label={t('diagnosis.center')} rules={[{ required: true, message: t('diagnosis.form.centerRequired') }]}>
                <Select
                  loading={centers.isPending}
                  placeholder={t('diagnosis.form.centerPlaceholder')}
                  options={(centers.data?.requestable ?? []).map((c) => ({
                    value: c.id,
                    label: `${c.name}（${c.organizationName}）`,
                  }))}
                  optionRender={(o) => <span data-testid={`dx-center-option-${o.value}`}>{o.label}</span>}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="modality" label={t('diagnosis.modality')} rules={[{ required: true, message: t('diagnosis.form.modalityRequired') }]}>
                <Radio.Group
                  optionType="button"
                  options={modalitiesOf(center).map((m) => ({ value: m, label: t(`diagnosisModality.${m}`) }))}
                  data-testid="dx-modality"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="examType" label={t('diagnosis.examType')} rules={required('diagnosis.form.examTypeRequired')}>
                <AutoComplete
                  options={(modality ? (examSuggestions[modality] ?? []) : []).map((v) => ({ value: v }))}
                  placeholder={t('diagnosis.form.examTypePlaceholder')}
                  maxLength={100}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="bodyPart" label={t('diagnosis.bodyPart')}>
                <Input maxLength={100} placeholder={t('diagnosis.form.bodyPartPlaceholder')} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="clinicalQuestion" label={t('diagnosis.clinicalQuestion')} rules={required('diagnosis.form.questionRequired')}>
            <Input.TextArea rows={3} maxLength={2000} showCount placeholder={t('diagnosis.form.questionPlaceholder')} />
          </Form.Item>
          <Form.Item name="clinicalSummary" label={t('diagnosis.clinicalSummary')}>
            <Input.TextArea rows={3} maxLength={4000} placeholder={t('diagnosis.form.summaryPlaceholder')} />
          </Form.Item>
        </Card>
        <Card variant="borderless" title={t('diagnosis.form.sectionFiles')} className="form-section">
          <UploadQueueView queue={queue} centerType={center?.type} disabled={busy} />
        </Card>
        <Flex gap={12} className="form-actions">
          <Button type="primary" size="large" icon={<SendOutlined />} htmlType="submit" loading={busy} disabled={false} data-testid="dx-submit">
            {t('diagnosis.form.submit')}
          </Button>
          <Button size="large" disabled={busy} onClick={() => void navigate('/diagnosis/requests')}>
            {t('common.cancel')}
          </Button>
        </Flex>
      </Form>
    </div>
  );
}
