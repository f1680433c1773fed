import { CheckCircleFilled, IdcardOutlined, LockOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Flex, Form, Input, Radio, Row, Select, Typography } from 'antd';
import type { FormInstance } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PatientInput } from '../../../contracts/patient.js';
import { patientInputSchema } from '../../../contracts/patient.js';
import type { IdNumberCheckResult } from '../../../contracts/ui.js';
import { DivisionCascader } from '../../components/division-cascader.js';
import { commonChronicConditions } from '../../config.js';
import { shanghaiDate } from '../../lib/format.js';
import { fieldOfPath, normalizeIdNumber, type PatientFormValues, toPatientInput } from './patient-form.model.js';
import { checkIdNumber } from './patients.api.js';

/** The antd form holds the birth date as a Dayjs; everything else as in PatientFormValues. */
export type PatientFormState = Omit<PatientFormValues, 'birthDate'> & { birthDate?: Dayjs | null };

export const toFormState = (v: PatientFormValues): PatientFormState => ({ ...v, birthDate: v.birthDate ? dayjs(v.birthDate) : null });
const fromFormState = (v: PatientFormState): PatientFormValues => ({
  ...v,
  birthDate: v.birthDate ? v.birthDate.format('YYYY-MM-DD') : undefined,
});

type IdState =
  | { kind: 'empty' }
  | { kind: 'typing'; length: number }
  | { kind: 'ok'; result: IdNumberCheckResult }
  | { kind: 'invalid' }
  /** The check endpoint could not answer; the server validates again on submit. */
  | { kind: 'unverified' };

const icd10 = /^[A-Za-z]\d{2}(\.[\dA-Za-z]{1,6})?$/;
const mobileOrLandline = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

interface Props {
  form: FormInstance<PatientFormState>;
  initialValues?: PatientFormValues;
  submitText: string;
  pending: boolean;
  onSubmit: (input: PatientInput) => void;
  onCancel?: () => void;
  /** Shown above the first section (server errors, duplicate notices). */
  banner?: ReactNode;
}

/**
 * Registration and edit form for a resident. The ID number is checked as it is typed (GB 11643 check digit, on
 * the server); a valid number fills in and locks birth date and sex, which the number encodes.
 */
export function PatientForm({ form, initialValues, submitText, pending, onSubmit, onCancel, banner }: Props) {
  const { t } = useTranslation();
  const [idState, setIdState] = useState<IdState>({ kind: 'empty' });
  const cache = useRef(new Map<string, IdNumberCheckResult>());
  const latest = useRef('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  /** Checks a complete number (cached); resolves null when the check endpoint is unreachable. */
  const runCheck = useCallback(async (idNumber: string): Promise<IdNumberCheckResult | null> => {
    const hit = cache.current.get(idNumber);
    if (hit) return hit;
    try {
      const r = await checkIdNumber(idNumber);
      cache.current.set(idNumber, r);
      return r;
    } catch {
      return null;
    }
  }, []);

  const validateIdNumber = useCallback(
    async (_: unknown, raw: string | undefined) => {
      const idNumber = normalizeIdNumber(raw);
      if (!idNumber) return;
      if (idNumber.length !== 18) {
        setIdState({ kind: 'invalid' });
        throw new Error(t('patient.idLength', { count: idNumber.length }));
      }
      const result = await runCheck(idNumber);
      if (latest.current !== idNumber) return; // the user has typed on; a newer check decides
      if (!result) {
        setIdState({ kind: 'unverified' });
        return;
      }
      if (!result.ok) {
        setIdState({ kind: 'invalid' });
        throw new Error(result.message || t('patient.idInvalid'));
      }
      setIdState({ kind: 'ok', result });
      const prefill: Partial<PatientFormState> = {};
      if (result.birthDate) prefill.birthDate = dayjs(result.birthDate);
      if (result.sex) prefill.sex = result.sex;
      form.setFieldsValue(prefill);
      // Clear errors the user may have had on the fields now filled from the number.
      form.setFields([
        { name: 'birthDate', errors: [] },
        { name: 'sex', errors: [] },
      ]);
    },
    [form, runCheck, t],
  );

  const onIdChange = useCallback(
    (raw: string | undefined) => {
      const idNumber = normalizeIdNumber(raw);
      latest.current = idNumber;
      clearTimeout(timer.current);
      if (!idNumber) setIdState({ kind: 'empty' });
      else if (idNumber.length < 18) setIdState({ kind: 'typing', length: idNumber.length });
      else timer.current = setTimeout(() => void form.validateFields(['idNumber']).catch(() => undefined), 300);
    },
    [form],
  );

  // Editing a patient with an ID number: check it once so birth date and sex are locked as on registration.
  useEffect(() => {
    const initial = normalizeIdNumber(initialValues?.idNumber);
    if (initial) {
      latest.current = initial;
      void form.validateFields(['idNumber']).catch(() => undefined);
    }
    return () => clearTimeout(timer.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const locked = idState.kind === 'ok';
  const idExtra =
    idState.kind === 'ok' ? (
      <span className="ok-text">
        <CheckCircleFilled />{' '}
        {t('patient.idOk', {
          birthDate: idState.result.birthDate ?? '',
          sex: idState.result.sex ? t(`sex.${idState.result.sex}`) : '',
        })}
        {idState.result.divisionName ? ` · ${t('patient.idRegion', { region: idState.result.divisionName })}` : ''}
      </span>
    ) : idState.kind === 'typing' ? (
      t('patient.idTyping', { count: idState.length })
    ) : idState.kind === 'unverified' ? (
      t('patient.idUnverified')
    ) : idState.kind === 'empty' ? (
      t('patient.idHint')
    ) : undefined;

  const finish = (state: PatientFormState) => {
    const input = toPatientInput(fromFormState(state));
    // The shared contract is the last word on shape; its messages name the field (in Chinese, as the server's).
    const parsed = patientInputSchema.safeParse(input);
    if (!parsed.success) {
      form.setFields(
        parsed.error.issues
          .map((i) => ({ name: fieldOfPath(i.path.map(String).join('.')), errors: [i.message] }))
          .filter((f): f is { name: NonNullable<typeof f.name>; errors: string[] } => Boolean(f.name)),
      );
      return;
    }
    onSubmit(input);
  };

  const conditionOptions = commonChronicConditions.map((code) => ({ value: code, label: `${code} ${t(`condition.${code}`)}` }));

  return (
    <Form<PatientFormState>
      form={form}
      layout="vertical"
      initialValues={initialValues ? toFormState(initialValues) : { chronicConditions: [] }}
      onFinish={finish}
      onValuesChange={(changed: Partial<PatientFormState>) => {
        if ('idNumber' in changed) onIdChange(changed.idNumber);
      }}
      scrollToFirstError={{ behavior: 'smooth', block: 'center' }}
      className="patient-form"
    >
      {banner}
      <Card variant="borderless" title={<span><IdcardOutlined /> {t('patient.section.identity')}</span>} className="form-section">
        <Row gutter={24}>
          <Col xs={24} md={12}>
            <Form.Item
              name="idNumber"
              label={t('patient.idNumber')}
              extra={idExtra}
              hasFeedback={idState.kind === 'ok'}
              validateTrigger={['onChange', 'onBlur']}
              rules={[{ validator: validateIdNumber, validateTrigger: 'onBlur' }]}
              normalize={(v: string) => v.replace(/\s+/g, '').toUpperCase()}
            >
              <Input maxLength={18} autoComplete="off" placeholder={t('patient.idPlaceholder')} inputMode="text" allowClear />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t('patient.name')} rules={[{ required: true, whitespace: true, message: t('patient.nameRequired') }, { max: 50 }]}>
              <Input maxLength={50} autoComplete="off" placeholder={t('patient.namePlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="sex"
              label={<span>{t('patient.sex')}{locked && <LockOutlined className="lock-icon" title={t('patient.lockedByIdNumber')} />}</span>}
              rules={[{ required: true, message: t('patient.sexRequired') }]}
            >
              <Radio.Group disabled={locked} optionType="button" buttonStyle="solid" options={[
                { value: 'male', label: t('sex.male') },
                { value: 'female', label: t('sex.female') },
              ]} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="birthDate"
              label={<span>{t('patient.birthDate')}{locked && <LockOutlined className="lock-icon" title={t('patient.lockedByIdNumber')} />}</span>}
              rules={[{ required: true, message: t('patient.birthDateRequired') }]}
            >
              <DatePicker
                disabled={locked}
                style={{ width: '100%' }}
                placeholder={t('patient.birthDatePlaceholder')}
                disabledDate={(d) => d.format('YYYY-MM-DD') > shanghaiDate()}
              />
            </Form.Item>
          </Col>
        </Row>
      </Card>
      <Card variant="borderless" title={t('patient.section.contact')} className="form-section">
        <Row gutter={24}>
          <Col xs={24} md={12}>
            <Form.Item name="phone" label={t('patient.phone')} rules={[{ pattern: mobileOrLandline, message: t('patient.phoneInvalid') }]}>
              <Input maxLength={20} autoComplete="off" placeholder={t('patient.phonePlaceholder')} inputMode="tel" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="residenceDivisionCode" label={t('patient.residence')} extra={t('patient.residenceHint')}>
              <DivisionCascader placeholder={t('patient.residencePlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="addressLine" label={t('patient.address')} rules={[{ max: 200 }]}>
              <Input maxLength={200} placeholder={t('patient.addressPlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
      </Card>
      <Card variant="borderless" title={t('patient.section.care')} className="form-section">
        <Row gutter={24}>
          <Col xs={24} md={12}>
            <Form.Item name="familyDoctorTeam" label={t('patient.familyDoctorTeam')} rules={[{ max: 100 }]}>
              <Input maxLength={100} placeholder={t('patient.familyDoctorTeamPlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="chronicConditions"
              label={t('patient.chronicConditions')}
              extra={t('patient.chronicHint')}
              rules={[
                {
                  validator: async (_, v: string[] | undefined) => {
                    const bad = (v ?? []).filter((c) => !icd10.test(c.trim()));
                    if (bad.length) throw new Error(t('patient.badIcd10', { codes: bad.join('、') }));
                  },
                },
              ]}
              normalize={(v: string[] | undefined) => (v ?? []).map((c) => c.trim().toUpperCase())}
            >
              <Select
                mode="tags"
                options={conditionOptions}
                tokenSeparators={[',', '，', ' ']}
                placeholder={t('patient.chronicPlaceholder')}
                showSearch={{ optionFilterProp: 'label' }}
                maxCount={20}
              />
            </Form.Item>
            <Flex gap={6} wrap className="quick-picks">
              <Typography.Text type="secondary">{t('patient.quickPick')}</Typography.Text>
              {commonChronicConditions.slice(0, 4).map((code) => (
                <Button
                  key={code}
                  size="small"
                  onClick={() => {
                    const current = (form.getFieldValue('chronicConditions') as string[] | undefined) ?? [];
                    if (!current.includes(code)) form.setFieldValue('chronicConditions', [...current, code]);
                  }}
                >
                  {code} {t(`condition.${code}`)}
                </Button>
              ))}
            </Flex>
          </Col>
        </Row>
      </Card>
      <Flex gap={12} className="form-actions">
        <Button type="primary" htmlType="submit" size="large" loading={pending} style={{ minWidth: 120 }}>
          {submitText}
        </Button>
        {onCancel && (
          <Button size="large" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
        )}
      </Flex>
    </Form>
  );
}

/** Puts a server 400 with a field path onto that field; returns false when the path names no field. */
export function showFieldError(form: FormInstance<PatientFormState>, path: string | undefined, message: string): boolean {
  const field = fieldOfPath(path);
  if (!field) return false;
  form.setFields([{ name: field, errors: [message] }]);
  form.scrollToField(field, { block: 'center' });
  return true;
}

