import { SendOutlined, SaveOutlined, WarningOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Col, Flex, Form, Input, Radio, Row, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { consentMethods, urgencies } from '../../../contracts/codes.js';
import type { ReferralDto } from '../../../contracts/referral.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { PageHeader } from '../../components/page-header.js';
import { ForbiddenPage } from '../../app/status.pages.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { useDebounced } from '../../lib/use-debounced.js';
import { fieldOfServerError } from '../network/alliance-admin.model.js';
import { createUpReferral, referralChanged, useReferrals, useRouting } from './referral.api.js';
import {
  needsOverrideReason, normalizeIcd10, openStatuses, parseUpReferral, referralCreatorRoles, upReferralFields, type UpReferralValues,
} from './referral.model.js';
import { DiagnosisPicker, DestinationPicker, PatientPicker } from './pickers.js';
import { MedicationList, ResultList } from './list-fields.js';
import { StatusTag } from './referral-tags.js';

const icd10 = /^[A-Za-z]\d{2}(\.[\dA-Za-z]{1,4})?$/;

export function ReferralCreatePage() {
  const me = useCurrentUser();
  return me.roles.some((r) => referralCreatorRoles.includes(r)) ? <ReferralCreate /> : <ForbiddenPage />;
}

/**
 * 发起上转: patient and diagnosis first; then the routing recommendation as cards (with the "treat it here?" warning
 * when the diagnosis is in the sender's own catalogue, and the patient's open referrals as a duplicate warning);
 * clinical content, medications and results; informed consent. Save as draft or submit.
 */
function ReferralCreate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const [form] = Form.useForm<UpReferralValues>();
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<'submit' | 'draft'>('submit');

  const patientId = Form.useWatch('patientId', form);
  const rawCode = Form.useWatch('diagnosisCode', form);
  const urgency = Form.useWatch('urgency', form) ?? 'routine';
  const destination = Form.useWatch('destinationOrganizationId', form);
  const code = useDebounced(normalizeIcd10(rawCode), 400);
  const codeOk = icd10.test(code);
  const routing = useRouting(patientId, codeOk ? code : undefined, urgency);
  const ready = Boolean(patientId && codeOk);
  const override = needsOverrideReason(destination, routing.data);
  const open = useReferrals({ view: 'all', patientId, status: [...openStatuses], page: 1, pageSize: 10 }, Boolean(patientId));

  // A fresh recommendation: preselect the best destination unless the user has chosen one that is still offered.
  useEffect(() => {
    const candidates = routing.data?.candidates ?? [];
    const current = form.getFieldValue('destinationOrganizationId') as string | null | undefined;
    if (candidates.length && (!current || !candidates.some((c) => c.organizationId === current)) && !form.isFieldTouched('destinationOrganizationId'))
      form.setFieldValue('destinationOrganizationId', candidates[0]?.organizationId);
  }, [routing.data, form]);

  const mutation = useMutation({
    mutationFn: createUpReferral,
    onSuccess: async (r: ReferralDto) => {
      await referralChanged(queryClient, r);
      void message.success(r.status === 'draft' ? t('referral.form.draftSaved', { number: r.number }) : t('referral.form.submitted', { number: r.number }));
      void navigate(`/referrals/${encodeURIComponent(r.id)}`, { replace: true });
    },
    onError: (e) => {
      const text = errorText(e, t);
      const field = fieldOfServerError(e, upReferralFields);
      if (field) {
        form.setFields([{ name: field, errors: [text] }]);
        form.scrollToField(field, { block: 'center' });
      } else {
        setError(text);
        window.scrollTo({ top: 0, behavior: 'smooth' });
      }
    },
  });

  const send = async (submit: boolean) => {
    setMode(submit ? 'submit' : 'draft');
    setError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    const values = form.getFieldsValue(true) as UpReferralValues;
    const parsed = parseUpReferral(values, {
      submit,
      routing: routing.data,
      messages: {
        consentRequired: t('referral.form.consentRequired'),
        consentByRequired: t('referral.form.consentByRequired'),
        overrideRequired: t('referral.form.overrideRequired'),
        ownCatalogueNoteRequired: t('referral.form.ownCatalogueNoteRequired'),
        destinationRequired: t('referral.form.destinationRequired'),
      },
    });
    if (!parsed.ok) {
      form.setFields(parsed.errors.map((e) => ({ name: e.name, errors: e.errors })));
      const first = parsed.errors[0];
      if (first) form.scrollToField(first.name, { block: 'center' });
      return;
    }
    mutation.mutate(parsed.value);
  };

  const required = (key: string) => [{ required: true, whitespace: true, message: t(key) }];

  return (
    <div className="page">
      <PageHeader
        title={t('referral.newUp')}
        subtitle={t('referral.form.subtitle')}
        crumbs={[{ title: t('nav.referrals'), path: '/referrals' }, { title: t('referral.newUp') }]}
      />
      <Form<UpReferralValues>
        form={form}
        layout="vertical"
        className="patient-form"
        initialValues={{
          patientId: params.get('patientId') ?? undefined,
          urgency: 'routine',
          consentMethod: 'signed-form',
          consentGiven: false,
          medications: [],
          attachedResults: [],
        }}
        onFinish={() => void send(true)}
        onValuesChange={(changed: Partial<UpReferralValues>) => {
          if ('destinationOrganizationId' in changed) form.setFields([{ name: 'overrideReason', errors: [] }]);
        }}
      >
        {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} className="form-banner" data-testid="form-error" />}
        <Card variant="borderless" title={t('referral.form.sectionPatient')} className="form-section">
          <Row gutter={24}>
            <Col xs={24} md={12}>
              <Form.Item name="patientId" label={t('referral.patient')} rules={[{ required: true, message: t('referral.form.patientRequired') }]}>
                <PatientPicker
                  onChange={(id, p) => {
                    form.setFieldValue('patientId', id);
                    if (p?.phone && !form.getFieldValue('contactPhone')) form.setFieldValue('contactPhone', p.phone);
                  }}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="urgency" label={t('referral.urgency')}>
                <Radio.Group optionType="button" buttonStyle="solid" options={urgencies.map((u) => ({ value: u, label: t(`urgency.${u}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item
                name="diagnosisCode"
                label={t('referral.form.diagnosisCode')}
                extra={t('referral.form.diagnosisCodeHint')}
                normalize={(v: string) => (v ?? '').toUpperCase()}
                rules={[
                  { required: true, whitespace: true, message: t('referral.form.diagnosisCodeRequired') },
                  { pattern: icd10, message: t('referral.form.diagnosisCodeInvalid') },
                ]}
              >
                <DiagnosisPicker onPick={(c, name) => form.setFieldsValue({ diagnosisCode: c, diagnosisName: name })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={16}>
              <Form.Item name="diagnosisName" label={t('referral.form.diagnosisName')} rules={required('referral.form.diagnosisNameRequired')}>
                <Input maxLength={100} placeholder={t('referral.form.diagnosisNamePlaceholder')} />
              </Form.Item>
            </Col>
          </Row>
          {(open.data?.items.length ?? 0) > 0 && (
            <Alert
              type="warning"
              showIcon
              data-testid="open-referrals-warning"
              title={t('referral.form.openReferrals', { count: open.data?.total ?? 0 })}
              description={
                <ul className="plain-list">
                  {open.data?.items.map((r) => (
                    <li key={r.id}>
                      <Link to={`/referrals/${encodeURIComponent(r.id)}`} target="_blank" className="mono">
                        {r.number}
                      </Link>{' '}
                      <StatusTag status={r.status} subState={r.subState} /> {r.diagnosisCode} {r.diagnosisName} → {r.destinationName}
                      <span className="cell-sub"> · {formatDateTime(r.requestedAt ?? r.updatedAt)}</span>
                    </li>
                  ))}
                </ul>
              }
            />
          )}
        </Card>

        <Card variant="borderless" title={t('referral.form.sectionDestination')} className="form-section">
          {routing.data?.inOwnCatalogue && (
            <Alert
              type="warning"
              showIcon
              icon={<WarningOutlined />}
              data-testid="own-catalogue-warning"
              title={t('referral.form.ownCatalogueTitle')}
              description={t('referral.form.ownCatalogueText')}
              style={{ marginBottom: 16 }}
            />
          )}
          {routing.data?.inOwnCatalogue && (
            <Form.Item name="inOwnCatalogueNote" label={t('referral.form.ownCatalogueNote')} rules={required('referral.form.ownCatalogueNoteRequired')}>
              <Input.TextArea rows={2} maxLength={500} showCount placeholder={t('referral.form.ownCatalogueNotePlaceholder')} />
            </Form.Item>
          )}
          <Form.Item name="destinationOrganizationId" label={t('referral.form.destination')} rules={[{ required: true, message: t('referral.form.destinationRequired') }]}>
            <DestinationPicker routing={routing} ready={ready} />
          </Form.Item>
          {override && (
            <Form.Item
              name="overrideReason"
              label={t('referral.form.overrideReason')}
              extra={t('referral.form.overrideHint', { name: routing.data?.candidates[0]?.name ?? '' })}
              rules={required('referral.form.overrideRequired')}
            >
              <Input.TextArea rows={2} maxLength={500} showCount placeholder={t('referral.form.overridePlaceholder')} />
            </Form.Item>
          )}
        </Card>

        <Card variant="borderless" title={t('referral.form.sectionClinical')} className="form-section">
          <Form.Item name="reason" label={t('referral.reason')} rules={required('referral.form.reasonRequired')}>
            <Input.TextArea rows={2} maxLength={500} showCount placeholder={t('referral.form.reasonPlaceholder')} />
          </Form.Item>
          <Form.Item name="clinicalSummary" label={t('referral.clinicalSummary')} rules={required('referral.form.summaryRequired')}>
            <Input.TextArea rows={5} maxLength={4000} showCount placeholder={t('referral.form.summaryPlaceholder')} />
          </Form.Item>
          <Form.Item name="treatmentGiven" label={t('referral.treatmentGiven')}>
            <Input.TextArea rows={3} maxLength={2000} placeholder={t('referral.form.treatmentPlaceholder')} />
          </Form.Item>
          <Form.Item label={t('referral.medications')}>
            <MedicationList />
          </Form.Item>
          <Form.Item label={t('referral.attachedResults')} extra={t('referral.form.resultsHint')}>
            <ResultList />
          </Form.Item>
        </Card>

        <Card variant="borderless" title={t('referral.form.sectionConsent')} className="form-section">
          <Row gutter={24}>
            <Col xs={24} md={8}>
              <Form.Item name="consentBy" label={t('referral.form.consentBy')}>
                <Input maxLength={50} placeholder={t('referral.form.consentByPlaceholder')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="consentMethod" label={t('referral.form.consentMethod')}>
                <Select options={consentMethods.map((m) => ({ value: m, label: t(`consentMethod.${m}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="contactPhone" label={t('referral.contactPhone')}>
                <Input maxLength={20} inputMode="tel" placeholder={t('referral.form.contactPhonePlaceholder')} />
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="consentGiven" valuePropName="checked" style={{ marginBottom: 0 }}>
                <Checkbox data-testid="consent-checkbox">{t('referral.form.consentCheckbox')}</Checkbox>
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Flex gap={12} className="form-actions">
          <Button type="primary" size="large" icon={<SendOutlined />} htmlType="submit" loading={mutation.isPending && mode === 'submit'} data-testid="submit-referral">
            {t('referral.form.submit')}
          </Button>
          <Button size="large" icon={<SaveOutlined />} loading={mutation.isPending && mode === 'draft'} onClick={() => void send(false)} data-testid="save-draft">
            {t('referral.form.saveDraft')}
          </Button>
          <Button size="large" onClick={() => void navigate('/referrals')}>
            {t('common.cancel')}
          </Button>
        </Flex>
      </Form>
    </div>
  );
}
