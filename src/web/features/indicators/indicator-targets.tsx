import { AimOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Form, Input, InputNumber, Select, Table, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { IndicatorDefinitionDto } from '../../../contracts/indicator.js';
import { EmptyState } from '../../components/empty-state.js';
import { errorText } from '../../lib/errors.js';
import { type IndicatorTarget, useIndicatorTargets, useSetIndicatorTarget } from './indicators.api.js';
import { formatValue, type Lang } from './indicators.model.js';

interface FormValues {
  year: number;
  target: number | null;
  note?: string;
}

/**
 * Targets (目标值) of the selected indicator for the subject's division, by year. Commission officers and system
 * administrators set them here (PUT /api/v1/indicators/<code>/targets); everyone else reads them. The lights of the
 * cards, trend and ranking compare each figure with its year's target.
 */
export function IndicatorTargetsCard({
  definition: d, division, years, defaultYear, canEdit, lang,
}: {
  definition: IndicatorDefinitionDto;
  /** The division whose targets apply (a county, city or province; an alliance's county); null for a facility. */
  division: { code: string; name: string } | null;
  /** Years offered in the form (the dashboard's range, and the next year). */
  years: readonly number[];
  /** The year the form opens on: that of the range's last month. */
  defaultYear: number;
  canEdit: boolean;
  lang: Lang;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const targets = useIndicatorTargets(division ? d.code : null, division?.code ?? null);
  const save = useSetIndicatorTarget(d.code);
  const [form] = Form.useForm<FormValues>();
  const year = Form.useWatch('year', form) ?? defaultYear;
  const settable = d.direction !== 'neutral' && d.formula !== 'unavailable';

  // Show the chosen year's current target in the form — once per indicator, division and year, when the list has
  // loaded, so a list arriving late never overwrites what the user has typed since.
  const current = targets.data?.find((x) => x.year === year);
  const applied = useRef('');
  const key = `${d.code}/${division?.code ?? ''}/${year}`;
  useEffect(() => {
    if (!targets.isSuccess || applied.current === key) return;
    applied.current = key;
    form.setFieldsValue({ target: current?.target ?? null, note: current?.note ?? '' });
  }, [form, key, targets.isSuccess, current?.target, current?.note]);

  const unitSuffix = t(`indicators.unit.${d.unit}`);
  return (
    <Card
      variant="borderless"
      className="full-height"
      data-testid="indicator-targets"
      title={
        <Flex gap={8} align="center">
          <AimOutlined />
          {t('indicators.targets.title', { name: lang === 'en' ? d.nameEn : d.nameZh })}
        </Flex>
      }
    >
      {!division ? (
        <EmptyState simple description={t('indicators.targets.facility')} />
      ) : (
        <>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {t('indicators.targets.scope', { division: division.name })}
            {!settable && ` ${t('indicators.targets.neutral')}`}
          </Typography.Paragraph>
          {canEdit && settable && (
            <Form<FormValues>
              form={form}
              layout="inline"
              initialValues={{ year: defaultYear, target: null, note: '' }}
              style={{ rowGap: 8, marginBottom: 12 }}
              onFinish={async (v) => {
                if (v.target === null || v.target === undefined) return;
                try {
                  await save.mutateAsync({ divisionCode: division.code, year: v.year, target: v.target, ...(v.note?.trim() ? { note: v.note.trim() } : {}) });
                  void message.success(t('indicators.targets.saved', { year: v.year, value: formatValue(v.target, d.unit, lang) }));
                } catch (e) {
                  void message.error(errorText(e, t));
                }
              }}
            >
              <Form.Item name="year" label={t('indicators.targets.year')}>
                <Select style={{ width: 96 }} options={years.map((y) => ({ value: y, label: String(y) }))} aria-label={t('indicators.targets.year')} />
              </Form.Item>
              <Form.Item name="target" label={t('indicators.target')} rules={[{ required: true, message: t('indicators.targets.required') }]}>
                <InputNumber
                  style={{ width: 140 }}
                  min={d.unit === 'percent' && d.formula !== 'growth' ? 0 : undefined}
                  max={d.unit === 'percent' && d.formula !== 'growth' ? 100 : undefined}
                  step={d.unit === 'yuan' ? 100 : 1}
                  suffix={unitSuffix}
                  aria-label={t('indicators.target')}
                  data-testid="target-input"
                />
              </Form.Item>
              <Form.Item name="note" label={t('indicators.targets.note')}>
                <Input style={{ width: 200 }} maxLength={500} placeholder={t('indicators.targets.notePlaceholder')} />
              </Form.Item>
              <Form.Item>
                <Button type="primary" htmlType="submit" loading={save.isPending}>
                  {t('indicators.targets.save')}
                </Button>
              </Form.Item>
            </Form>
          )}
          {!canEdit && <Typography.Paragraph type="secondary">{t('indicators.targets.readOnly')}</Typography.Paragraph>}
          <Table<IndicatorTarget>
            rowKey="year"
            size="small"
            loading={targets.isLoading}
            dataSource={targets.data ?? []}
            pagination={false}
            locale={{ emptyText: <EmptyState simple description={canEdit ? t('indicators.targets.noneEditor') : t('indicators.targets.none')} /> }}
            columns={[
              { title: t('indicators.targets.year'), dataIndex: 'year', width: 80 },
              { title: t('indicators.target'), dataIndex: 'target', align: 'right', width: 120, render: (v: number) => <span className="tabular strong">{formatValue(v, d.unit, lang)}</span> },
              { title: t('indicators.targets.note'), dataIndex: 'note', render: (n: string | null) => n ?? '' },
            ]}
          />
        </>
      )}
    </Card>
  );
}
