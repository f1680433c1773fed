import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Input, InputNumber, Select, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LabAnalyteDto, LabFlag, LabResultDto, LabResultInput, SpecimenDto } from '../../../contracts/diagnosis.js';
import { isCriticalFlag, labFlagColors, useAnalytes } from './lab.api.js';

/** A flag as a tag (critical red, high orange, low blue); nothing for a normal or qualitative value. */
export function LabFlagTag({ flag }: { flag: LabFlag | null | undefined }) {
  const { t } = useTranslation();
  if (!flag || flag === 'N') return null;
  return (
    <Tag color={labFlagColors[flag]} data-testid={`lab-flag-${flag}`}>
      {t(`diagnosisLab.flag.${flag}`)}
    </Tag>
  );
}

/** The result values of a report version, coloured by the server's flag (H/L, critical LL/HH in red). */
export function LabResultsTable({ results }: { results: readonly LabResultDto[] }) {
  const { t } = useTranslation();
  if (results.length === 0) return null;
  return (
    <Table<LabResultDto>
      size="small"
      rowKey={(r, i) => `${r.code}-${i ?? 0}`}
      dataSource={[...results]}
      pagination={false}
      style={{ marginBottom: 12 }}
      data-testid="lab-results"
      columns={[
        { title: t('diagnosisLab.analyte'), dataIndex: 'name', render: (v: string, r) => (<span>{v}{r.loinc && <span className="cell-sub mono"> LOINC {r.loinc}</span>}</span>) },
        {
          title: t('diagnosisLab.value'),
          dataIndex: 'value',
          render: (v: string, r) => (
            <Typography.Text strong={Boolean(r.flag && r.flag !== 'N')} type={isCriticalFlag(r.flag) ? 'danger' : r.flag === 'H' ? 'warning' : undefined} style={r.flag === 'L' ? { color: '#1677ff' } : undefined} className="mono">
              {v}
              {r.flag === 'H' || r.flag === 'HH' ? ' ↑' : r.flag === 'L' || r.flag === 'LL' ? ' ↓' : ''}
            </Typography.Text>
          ),
        },
        { title: t('diagnosisLab.unit'), dataIndex: 'unit' },
        { title: t('diagnosisLab.reference'), dataIndex: 'referenceRange' },
        { title: t('diagnosisLab.flagTitle'), dataIndex: 'flag', render: (f: LabFlag | null) => <LabFlagTag flag={f} /> },
        { title: t('diagnosisLab.barcode'), dataIndex: 'specimenBarcode', render: (v?: string) => (v ? <span className="mono cell-sub">{v}</span> : null) },
      ]}
    />
  );
}

interface Draft {
  key: number;
  code?: string;
  name?: string;
  value?: string;
  unit?: string;
  referenceLow?: number | null;
  referenceHigh?: number | null;
  specimenBarcode?: string;
  /** The flag the server computed when this row was last saved; cleared on any edit. */
  savedFlag?: LabFlag | null;
}

let nextKey = 1;
const fromSaved = (r: LabResultDto): Draft => ({
  key: nextKey++, code: r.code, name: r.name, value: r.value, unit: r.unit, referenceLow: r.referenceLow ?? null, referenceHigh: r.referenceHigh ?? null,
  ...(r.specimenBarcode ? { specimenBarcode: r.specimenBarcode } : {}), savedFlag: r.flag,
});

/** The drafts the server can take: rows with an analyte and a value; the flag is never sent (the server computes it). */
function inputsOf(rows: readonly Draft[]): LabResultInput[] {
  return rows
    .filter((d) => d.code?.trim() && d.value?.trim())
    .map((d) => ({
      code: d.code!.trim(),
      value: d.value!.trim(),
      ...(d.name?.trim() ? { name: d.name.trim() } : {}),
      ...(d.unit?.trim() ? { unit: d.unit.trim() } : {}),
      ...(typeof d.referenceLow === 'number' ? { referenceLow: d.referenceLow } : {}),
      ...(typeof d.referenceHigh === 'number' ? { referenceHigh: d.referenceHigh } : {}),
      ...(d.specimenBarcode ? { specimenBarcode: d.specimenBarcode } : {}),
    }));
}

/**
 * The result entry grid of a lab reader (检验结果录入): pick an analyte from the platform's table (its LOINC, unit and
 * adult reference range fill in, and may be overwritten with the lab's own), type the value. The flag column shows what
 * the server computed at the last save. Reports the rows as result inputs through `onChange`.
 */
export function LabResultsEditor({ saved, specimens, onChange, disabled }: { saved: readonly LabResultDto[] | undefined; specimens: readonly SpecimenDto[]; onChange: (inputs: LabResultInput[]) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const analytes = useAnalytes();
  const [rows, setRows] = useState<Draft[]>(() => (saved?.length ? saved.map(fromSaved) : [{ key: nextKey++ }]));
  const savedKey = JSON.stringify(saved ?? []);

  // A save answers with the server's flags: the grid shows them (and the values as stored).
  useEffect(() => {
    const next = saved?.length ? saved.map(fromSaved) : [{ key: nextKey++ }];
    setRows(next);
    onChange(inputsOf(next));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [savedKey]);

  const update = (key: number, patch: Partial<Draft>) => {
    const next = rows.map((d) => (d.key === key ? { ...d, ...patch, savedFlag: undefined } : d));
    setRows(next);
    onChange(inputsOf(next));
  };
  const pick = (key: number, code: string) => {
    const a: LabAnalyteDto | undefined = analytes.data?.items.find((x) => x.code === code);
    update(key, a ? { code: a.code, name: a.name, unit: a.unit, referenceLow: a.low ?? null, referenceHigh: a.high ?? null } : { code });
  };
  const remove = (key: number) => {
    const next = rows.filter((d) => d.key !== key);
    setRows(next);
    onChange(inputsOf(next));
  };

  return (
    <div data-testid="lab-results-editor" style={{ marginBottom: 16 }}>
      <Typography.Text strong>{t('diagnosisLab.resultsTitle')}</Typography.Text>
      <Table<Draft>
        size="small"
        rowKey="key"
        dataSource={rows}
        pagination={false}
        style={{ marginTop: 8 }}
        columns={[
          {
            title: t('diagnosisLab.analyte'),
            width: 200,
            render: (_, d) => (
              <Select
                showSearch
                size="small"
                style={{ width: '100%' }}
                disabled={disabled}
                loading={analytes.isPending}
                value={d.code}
                placeholder={t('diagnosisLab.pickAnalyte')}
                optionFilterProp="label"
                options={(analytes.data?.items ?? []).map((a) => ({ value: a.code, label: `${a.name} ${a.code} (${a.loinc})` }))}
                onChange={(code: string) => pick(d.key, code)}
                data-testid="lab-analyte"
              />
            ),
          },
          {
            title: t('diagnosisLab.value'),
            width: 110,
            render: (_, d) => <Input size="small" disabled={disabled} value={d.value} maxLength={40} onChange={(e) => update(d.key, { value: e.target.value })} className="mono" data-testid="lab-value" />,
          },
          {
            title: t('diagnosisLab.unit'),
            width: 100,
            render: (_, d) => <Input size="small" disabled={disabled} value={d.unit} maxLength={20} onChange={(e) => update(d.key, { unit: e.target.value })} />,
          },
          {
            title: t('diagnosisLab.reference'),
            width: 180,
            render: (_, d) => (
              <Flex gap={4} align="center">
                <InputNumber size="small" disabled={disabled} value={d.referenceLow ?? null} onChange={(v) => update(d.key, { referenceLow: v })} style={{ width: 72 }} aria-label={t('diagnosisLab.referenceLow')} />
                –
                <InputNumber size="small" disabled={disabled} value={d.referenceHigh ?? null} onChange={(v) => update(d.key, { referenceHigh: v })} style={{ width: 72 }} aria-label={t('diagnosisLab.referenceHigh')} />
              </Flex>
            ),
          },
          {
            title: t('diagnosisLab.barcode'),
            width: 150,
            render: (_, d) => (
              <Select
                size="small"
                allowClear
                disabled={disabled || specimens.length === 0}
                style={{ width: '100%' }}
                value={d.specimenBarcode}
                options={specimens.map((s) => ({ value: s.barcode, label: `${s.barcode} ${s.specimenType}` }))}
                onChange={(v?: string) => update(d.key, v ? { specimenBarcode: v } : { specimenBarcode: undefined })}
              />
            ),
          },
          { title: t('diagnosisLab.flagTitle'), width: 90, render: (_, d) => (d.savedFlag === undefined ? <span className="muted">—</span> : <LabFlagTag flag={d.savedFlag} />) },
          { width: 40, render: (_, d) => <Button size="small" type="text" icon={<DeleteOutlined />} disabled={disabled} onClick={() => remove(d.key)} aria-label={t('diagnosisLab.removeRow')} /> },
        ]}
      />
      <Button size="small" icon={<PlusOutlined />} disabled={disabled} onClick={() => setRows([...rows, { key: nextKey++ }])} style={{ marginTop: 8 }} data-testid="lab-add-result">
        {t('diagnosisLab.addResult')}
      </Button>
    </div>
  );
}
