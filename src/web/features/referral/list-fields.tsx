import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Col, DatePicker, Flex, Form, Input, Row, Select } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { carePlanTaskKinds } from '../../../contracts/codes.js';

/** Dates travel as YYYY-MM-DD strings in the form values; the picker works on dayjs. */
export const dateProps = {
  getValueProps: (v: string | null | undefined) => ({ value: v ? dayjs(v) : null }),
  normalize: (d: dayjs.Dayjs | null) => (d ? d.format('YYYY-MM-DD') : null),
};

/** Medication lines (name, dose, frequency, note), added and removed by the user. */
export function MedicationList({ name = 'medications' }: { name?: string }) {
  const { t } = useTranslation();
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <Flex vertical gap={4}>
          {fields.map((f) => (
            <Row key={f.key} gutter={8} align="top">
              <Col xs={24} md={7}>
                <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true, message: t('referral.form.medicationNameRequired') }]}>
                  <Input placeholder={t('referral.form.medicationName')} maxLength={100} />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item name={[f.name, 'dose']}>
                  <Input placeholder={t('referral.form.dose')} maxLength={50} />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item name={[f.name, 'frequency']}>
                  <Input placeholder={t('referral.form.frequency')} maxLength={50} />
                </Form.Item>
              </Col>
              <Col xs={20} md={8}>
                <Form.Item name={[f.name, 'note']}>
                  <Input placeholder={t('referral.form.medicationNote')} maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={4} md={1}>
                <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('referral.form.remove')} />
              </Col>
            </Row>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} style={{ width: 220 }}>
            {t('referral.form.addMedication')}
          </Button>
        </Flex>
      )}
    </Form.List>
  );
}

const resultKinds = ['lab', 'imaging', 'ecg', 'pathology', 'other'] as const;

/** Exam and lab results that travel with the referral (so the receiving side need not test again). */
export function ResultList() {
  const { t } = useTranslation();
  return (
    <Form.List name="attachedResults">
      {(fields, { add, remove }) => (
        <Flex vertical gap={4}>
          {fields.map((f) => (
            <Row key={f.key} gutter={8} align="top">
              <Col xs={12} md={4}>
                <Form.Item name={[f.name, 'kind']} initialValue="lab">
                  <Select options={resultKinds.map((k) => ({ value: k, label: t(`resultKind.${k}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item name={[f.name, 'title']} rules={[{ required: true, whitespace: true, message: t('referral.form.resultTitleRequired') }]}>
                  <Input placeholder={t('referral.form.resultTitle')} maxLength={100} />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item name={[f.name, 'date']} rules={[{ required: true, message: t('referral.form.resultDateRequired') }]} {...dateProps}>
                  <DatePicker style={{ width: '100%' }} placeholder={t('referral.form.resultDate')} />
                </Form.Item>
              </Col>
              <Col xs={10} md={9}>
                <Form.Item name={[f.name, 'summary']}>
                  <Input placeholder={t('referral.form.resultSummary')} maxLength={2000} />
                </Form.Item>
              </Col>
              <Col xs={2} md={1}>
                <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('referral.form.remove')} />
              </Col>
            </Row>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'lab' })} style={{ width: 220 }}>
            {t('referral.form.addResult')}
          </Button>
        </Flex>
      )}
    </Form.List>
  );
}

/** The warning signs that should send the patient back up (one per line). */
export function WarningSignList() {
  const { t } = useTranslation();
  return (
    <Form.List
      name="warningSigns"
      rules={[
        {
          validator: async (_, v: (string | undefined)[] | undefined) => {
            if (!(v ?? []).some((s) => (s ?? '').trim())) throw new Error(t('referral.down.warningSignsRequired'));
          },
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <Flex vertical gap={4}>
          {fields.map((f, i) => (
            <Flex key={f.key} gap={8} align="start">
              <Form.Item name={f.name} style={{ flex: 1 }}>
                <Input placeholder={t('referral.down.warningSignPlaceholder')} maxLength={200} data-testid={`warning-sign-${i}`} />
              </Form.Item>
              <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('referral.form.remove')} />
            </Flex>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')} style={{ width: 220 }}>
            {t('referral.down.addWarningSign')}
          </Button>
          <Form.ErrorList errors={errors} />
        </Flex>
      )}
    </Form.List>
  );
}

/** Follow-up tasks for the grassroots doctor (kind, what to do, by when). */
export function TaskList() {
  const { t } = useTranslation();
  return (
    <Form.List
      name="tasks"
      rules={[
        {
          validator: async (_, v: unknown[] | undefined) => {
            if (!v?.length) throw new Error(t('referral.down.tasksRequired'));
          },
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <Flex vertical gap={4}>
          {fields.map((f, i) => (
            <Row key={f.key} gutter={8} align="top">
              <Col xs={24} md={6}>
                <Form.Item name={[f.name, 'kind']} initialValue="follow-up-visit">
                  <Select options={carePlanTaskKinds.map((k) => ({ value: k, label: t(`careTaskKind.${k}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} md={11}>
                <Form.Item name={[f.name, 'title']} rules={[{ required: true, whitespace: true, message: t('referral.down.taskTitleRequired') }]}>
                  <Input placeholder={t('referral.down.taskTitle')} maxLength={200} data-testid={`task-title-${i}`} />
                </Form.Item>
              </Col>
              <Col xs={20} md={6}>
                <Form.Item name={[f.name, 'dueDate']} rules={[{ required: true, message: t('referral.down.taskDueRequired') }]} {...dateProps}>
                  <DatePicker style={{ width: '100%' }} placeholder={t('referral.down.taskDue')} />
                </Form.Item>
              </Col>
              <Col xs={4} md={1}>
                <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('referral.form.remove')} />
              </Col>
            </Row>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'follow-up-visit' })} style={{ width: 220 }}>
            {t('referral.down.addTask')}
          </Button>
          <Form.ErrorList errors={errors} />
        </Flex>
      )}
    </Form.List>
  );
}
