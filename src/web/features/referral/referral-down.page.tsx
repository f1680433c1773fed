import { SendOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Flex, Form, Input, Radio, Row, Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { consentMethods, downReferralKinds, urgencies } from '../../../contracts/codes.js';
import type { ReferralDto } from '../../../contracts/referral.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { shanghaiDate } from '../../lib/format.js';
import { fieldOfServerError } from '../network/alliance-admin.model.js';
import { usePatient } from '../patients/patients.api.js';
import { createDownReferral, referralChanged, useReferral } from './referral.api.js';
import { downReferralFields, type DownReferralValues, initialDownValues, parseDownReferral } from './referral.model.js';
import { MedicationList, TaskList, WarningSignList } from './list-fields.js';

/** 下转 from a referral the user's facility treated: the patient goes back to a grassroots facility with a care plan. */
export function ReferralDownPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const referral = useReferral(id);
  if (referral.isPending) return <Loading height={400} />;
  if (referral.isError)
    return (
      <div className="page">
        <PageHeader title={t('referral.down.title')} crumbs={[{ title: t('nav.referrals'), path: '/referrals' }, { title: t('referral.down.title') }]} />
        <Card variant="borderless">
          <QueryError error={referral.error} onRetry={() => void referral.refetch()} />
        </Card>
      </div>
    );
  return <DownForm source={referral.data} />;
}

function DownForm({ source }: { source: ReferralDto }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<DownReferralValues>();
  const [error, setError] = useState<string | null>(null);
  // The patient's managing (grassroots) facility is where they go back to; failing that, where an up-referral came from.
  const patient = usePatient(source.patient.id);
  const fallbackOrg = source.direction === 'up' ? source.origin : null;
  const defaultOrgId = patient.data?.managingOrganizationId ?? fallbackOrg?.id ?? null;
  const defaultOrgName = patient.data?.managingOrganizationName ?? fallbackOrg?.name ?? null;
  const initial = useMemo(
    () => initialDownValues(source, shanghaiDate(), { followUpTitle: t('referral.down.defaultFollowUp') }),
    [source, t],
  );
  const destination = Form.useWatch('destinationOrganizationId', form);
  const patientSettled = !patient.isPending;
  useEffect(() => {
    if (patientSettled && defaultOrgId && !form.getFieldValue('destinationOrganizationId')) form.setFieldValue('destinationOrganizationId', defaultOrgId);
  }, [patientSettled, defaultOrgId, form]);
  const allowed = source.allowedActions.includes('down-refer');

  const mutation = useMutation({
    mutationFn: createDownReferral,
    onSuccess: async (r) => {
      await referralChanged(queryClient, r);
      void message.success(t('referral.down.sent', { number: r.number }));
      void navigate(`/referrals/${encodeURIComponent(r.id)}`, { replace: true });
    },
    onError: (e) => {
      const text = errorText(e, t);
      const field = fieldOfServerError(e, downReferralFields) ?? (isPlanPath(e) ? planField(e) : undefined);
      if (field) {
        form.setFields([{ name: field, errors: [text] }]);
        form.scrollToField(field, { block: 'center' });
      } else {
        setError(text);
        window.scrollTo({ top: 0, behavior: 'smooth' });
      }
    },
  });

  const finish = () => {
    setError(null);
    const values = form.getFieldsValue(true) as DownReferralValues;
    const parsed = parseDownReferral(values, { patientId: source.patient.id, fromReferralId: source.id });
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
        title={t('referral.down.title')}
        subtitle={t('referral.down.subtitle', { name: source.patient.name, number: source.number })}
        crumbs={[
          { title: t('nav.referrals'), path: '/referrals' },
          { title: source.number, path: `/referrals/${encodeURIComponent(source.id)}` },
          { title: t('referral.down.title') },
        ]}
      />
      <Form<DownReferralValues> form={form} layout="vertical" className="patient-form" initialValues={initial} onFinish={finish}>
        {!allowed && <Alert type="warning" showIcon title={t('referral.down.notAllowed')} className="form-banner" />}
        {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} className="form-banner" data-testid="form-error" />}
        <Card variant="borderless" title={t('referral.down.sectionReferral')} className="form-section">
          <Row gutter={24}>
            <Col xs={24} md={12}>
              <Form.Item name="kind" label={t('referral.down.kind')} rules={[{ required: true }]}>
                <Select options={downReferralKinds.map((k) => ({ value: k, label: t(`downKind.${k}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="urgency" label={t('referral.urgency')}>
                <Radio.Group optionType="button" buttonStyle="solid" options={urgencies.map((u) => ({ value: u, label: t(`urgency.${u}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="destinationOrganizationId"
                label={t('referral.down.destination')}
                extra={defaultOrgName ? t('referral.down.destinationHint', { name: defaultOrgName }) : undefined}
                rules={[{ required: true, message: t('referral.down.destinationRequired') }]}
              >
                <OrganizationSelect initialLabel={destination && destination === defaultOrgId ? defaultOrgName : null} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={8} md={4}>
              <Form.Item name="diagnosisCode" label={t('referral.form.diagnosisCode')} rules={required('referral.form.diagnosisCodeRequired')} normalize={(v: string) => (v ?? '').toUpperCase()}>
                <Input maxLength={12} />
              </Form.Item>
            </Col>
            <Col xs={16} md={8}>
              <Form.Item name="diagnosisName" label={t('referral.form.diagnosisName')} rules={required('referral.form.diagnosisNameRequired')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="reason" label={t('referral.reason')} rules={required('referral.form.reasonRequired')}>
                <Input.TextArea rows={2} maxLength={500} showCount placeholder={t('referral.down.reasonPlaceholder')} data-testid="down-reason" />
              </Form.Item>
              <Form.Item name="clinicalSummary" label={t('referral.down.clinicalSummary')} rules={required('referral.form.summaryRequired')}>
                <Input.TextArea rows={5} maxLength={4000} showCount />
              </Form.Item>
              <Form.Item name="treatmentGiven" label={t('referral.treatmentGiven')}>
                <Input.TextArea rows={3} maxLength={2000} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="consentBy" label={t('referral.form.consentBy')}>
                <Input maxLength={50} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="consentMethod" label={t('referral.form.consentMethod')}>
                <Select options={consentMethods.map((m) => ({ value: m, label: t(`consentMethod.${m}`) }))} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card variant="borderless" title={t('referral.carePlan.title')} className="form-section">
          <Form.Item name="diagnosisSummary" label={t('referral.carePlan.diagnosisSummary')} rules={required('referral.down.diagnosisSummaryRequired')}>
            <Input.TextArea rows={3} maxLength={2000} showCount />
          </Form.Item>
          <Form.Item label={t('referral.down.planMedications')}>
            <MedicationList />
          </Form.Item>
          <Form.Item name="rehabilitationAdvice" label={t('referral.carePlan.rehabilitation')}>
            <Input.TextArea rows={3} maxLength={2000} placeholder={t('referral.down.rehabPlaceholder')} />
          </Form.Item>
          <Form.Item label={t('referral.carePlan.warningSigns')} required extra={t('referral.down.warningSignsHint')}>
            <WarningSignList />
          </Form.Item>
          <Form.Item label={t('referral.carePlan.tasks')} required extra={t('referral.down.tasksHint')}>
            <TaskList />
          </Form.Item>
        </Card>
        <Flex gap={12} className="form-actions">
          <Button type="primary" size="large" htmlType="submit" icon={<SendOutlined />} loading={mutation.isPending} data-testid="submit-down">
            {t('referral.down.submit')}
          </Button>
          <Button size="large" onClick={() => void navigate(`/referrals/${encodeURIComponent(source.id)}`)}>
            {t('common.cancel')}
          </Button>
        </Flex>
      </Form>
    </div>
  );
}

/** A 400 naming a plan field (`plan.warningSigns`): shown on that field of the plan card. */
function isPlanPath(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'path' in e && typeof (e as { path?: unknown }).path === 'string' && (e as { path: string }).path.startsWith('plan.');
}
function planField(e: unknown): (typeof downReferralFields)[number] | undefined {
  const head = ((e as { path: string }).path.split('.')[1] ?? '').split('[')[0] ?? '';
  return (downReferralFields as readonly string[]).includes(head) ? (head as (typeof downReferralFields)[number]) : undefined;
}
