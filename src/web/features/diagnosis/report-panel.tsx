import { CheckOutlined, EditOutlined, PrinterOutlined, RollbackOutlined, SaveOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Collapse, Descriptions, Empty, Flex, Form, Input, Select, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosisRequestDto, LabAmendInput, LabReportInput, LabResultInput, ReportDto } from '../../../contracts/diagnosis.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { amendReport, diagnosisChanged, reportPdfUrl, signOffReport, useTemplates, writeReport } from './diagnosis.api.js';
import { ReportStatusTag } from './diagnosis-tags.js';
import { LabResultsEditor, LabResultsTable } from './lab-results-editor.js';
import { useLab } from './lab.api.js';

interface ReportText {
  findings: string;
  impression: string;
  reason?: string;
}

/** The report as the caller may see it (readers: the working copy; requesters: the last released text). */
function ReportView({ report }: { report: ReportDto }) {
  const { t } = useTranslation();
  return (
    <div data-testid="dx-report">
      {report.labResults && <LabResultsTable results={report.labResults} />}
      <Descriptions column={1} size="small" layout="vertical">
        <Descriptions.Item label={t('diagnosis.report.findings')}>
          <Typography.Paragraph className="pre-wrap" style={{ marginBottom: 0 }} data-testid="dx-report-findings">
            {report.findings || '—'}
          </Typography.Paragraph>
        </Descriptions.Item>
        <Descriptions.Item label={t('diagnosis.report.impression')}>
          <Typography.Paragraph className="pre-wrap strong" style={{ marginBottom: 0 }} data-testid="dx-report-impression">
            {report.impression || '—'}
          </Typography.Paragraph>
        </Descriptions.Item>
      </Descriptions>
      <div className="cell-sub">
        {t('diagnosis.report.author', { name: report.authorName })}
        {report.finalizedAt ? ` · ${t('diagnosis.report.finalizedAt', { at: formatDateTime(report.finalizedAt) })}` : ''}
        {report.signedOffByName ? ` · ${t('diagnosis.report.signedOff', { name: report.signedOffByName, at: formatDateTime(report.signedOffAt) })}` : ''}
      </div>
    </div>
  );
}

function Versions({ report }: { report: ReportDto }) {
  const { t } = useTranslation();
  if (report.versions.length === 0) return null;
  return (
    <Collapse
      size="small"
      style={{ marginTop: 12 }}
      items={[
        {
          key: 'v',
          label: t('diagnosis.report.versions', { count: report.versions.length }),
          children: (
            <ul className="plain-list" data-testid="dx-report-versions">
              {[...report.versions].reverse().map((v) => (
                <li key={v.version} style={{ marginBottom: 12 }}>
                  <Flex gap={8} align="center" wrap>
                    <span className="mono">v{v.version}</span>
                    <ReportStatusTag status={v.status} />
                    <span className="cell-sub">
                      {formatDateTime(v.at)} · {v.authorName}
                    </span>
                  </Flex>
                  {v.reason && <div className="timeline-reason">{t('diagnosis.report.reason', { reason: v.reason })}</div>}
                  {v.labResults && <LabResultsTable results={v.labResults} />}
                  <div className="pre-wrap cell-sub">{v.findings}</div>
                  <div className="pre-wrap">{v.impression}</div>
                </li>
              ))}
            </ul>
          ),
        },
      ]}
    />
  );
}

const printable = (r: DiagnosisRequestDto) => Boolean(r.report && ['preliminary', 'final', 'amended'].includes(r.report.status));

/** The requesting side: the released report and its versions, printable. */
export function RequesterReportPanel({ r }: { r: DiagnosisRequestDto }) {
  const { t } = useTranslation();
  return (
    <Card
      variant="borderless"
      title={
        <span>
          {t('diagnosis.report.title')} {r.report && <ReportStatusTag status={r.report.status} />}
        </span>
      }
      extra={
        printable(r) && (
          <Button icon={<PrinterOutlined />} onClick={() => window.open(reportPdfUrl(r.id), '_blank', 'noopener')} data-testid="dx-print">
            {t('diagnosis.report.print')}
          </Button>
        )
      }
    >
      {r.report ? (
        <>
          {r.report.status === 'preliminary' && <Alert type="info" showIcon title={t('diagnosis.report.preliminaryHint')} style={{ marginBottom: 12 }} />}
          <ReportView report={r.report} />
          <Versions report={r.report} />
        </>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('diagnosis.report.none')} />
      )}
    </Card>
  );
}

/**
 * The reading side: the editor while the reader holds the request (template → findings and impression, preliminary,
 * finalize), the second reader's sign-off or return, and amendment after completion (with the reason, a new version).
 */
export function ReaderReportPanel({ r, onReturn }: { r: DiagnosisRequestDto; onReturn: () => void }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ReportText>();
  const [error, setError] = useState<string | null>(null);
  const [amending, setAmending] = useState(false);
  const allowed = new Set(r.allowedActions);
  const editing = allowed.has('finalize') || allowed.has('preliminary') || amending;
  const templates = useTemplates(r.center.id, editing);
  const matching = (templates.data ?? []).filter((tp) => tp.active && (!tp.modality || tp.modality === r.modality));
  // A lab center's report carries result values (lab-results-editor.tsx); the findings then default to them.
  const isLab = r.center.type === 'lab';
  const lab = useLab(r.id, isLab && editing);
  const [labResults, setLabResults] = useState<LabResultInput[]>([]);

  useEffect(() => {
    form.setFieldsValue({ findings: r.report?.findings ?? '', impression: r.report?.impression ?? '' });
  }, [r.report?.version, r.report?.findings, r.report?.impression, form]);

  const done = async (dto: DiagnosisRequestDto, text: string) => {
    setError(null);
    setAmending(false);
    await diagnosisChanged(queryClient, dto);
    void message.success(text);
  };
  const write = useMutation({
    mutationFn: (v: { action: 'preliminary' | 'final'; text: ReportText }) => {
      const input: LabReportInput = { action: v.action, findings: v.text.findings, impression: v.text.impression, ...(isLab && labResults.length ? { labResults } : {}) };
      return writeReport(r.id, input);
    },
    onSuccess: (dto, v) => done(dto, v.action === 'final' ? t('diagnosis.report.finalized') : t('diagnosis.report.preliminarySaved')),
    onError: (e) => setError(errorText(e, t)),
  });
  const amend = useMutation({
    mutationFn: (text: ReportText) => {
      const input: LabAmendInput = { findings: text.findings, impression: text.impression, reason: text.reason ?? '', ...(isLab && labResults.length ? { labResults } : {}) };
      return amendReport(r.id, input);
    },
    onSuccess: (dto) => done(dto, t('diagnosis.report.amended')),
    onError: (e) => setError(errorText(e, t)),
  });
  const signOff = useMutation({
    mutationFn: () => signOffReport(r.id),
    onSuccess: (dto) => done(dto, t('diagnosis.report.signedOffDone')),
    onError: (e) => setError(errorText(e, t)),
  });

  const submit = async (action: 'preliminary' | 'final' | 'amend') => {
    let text: ReportText;
    try {
      text = await form.validateFields();
    } catch {
      return;
    }
    if (action === 'amend') amend.mutate(text);
    else if (action === 'final')
      modal.confirm({
        title: t('diagnosis.report.finalizeConfirm'),
        content: r.criticalValues.length === 0 ? t('diagnosis.report.finalizeNoCritical') : undefined,
        okText: t('diagnosis.report.finalize'),
        cancelText: t('common.cancel'),
        onOk: () => write.mutateAsync({ action, text }),
      });
    else write.mutate({ action, text });
  };

  const busy = write.isPending || amend.isPending || signOff.isPending;
  const required = (key: string) => [{ required: true, whitespace: true, message: t(key) }];

  return (
    <Card
      variant="borderless"
      title={
        <span>
          {t('diagnosis.report.title')} {r.report && <ReportStatusTag status={r.report.status} />}
        </span>
      }
      extra={
        <Flex gap={8}>
          {allowed.has('amend') && !amending && (
            <Button icon={<EditOutlined />} onClick={() => setAmending(true)} data-testid="dx-amend">
              {t('diagnosisAction.amend')}
            </Button>
          )}
          {printable(r) && (
            <Button icon={<PrinterOutlined />} onClick={() => window.open(reportPdfUrl(r.id), '_blank', 'noopener')} data-testid="dx-print">
              {t('diagnosis.report.print')}
            </Button>
          )}
        </Flex>
      }
      data-testid="dx-report-panel"
    >
      {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} style={{ marginBottom: 12 }} data-testid="dx-report-error" />}
      {editing ? (
        <Form<ReportText> form={form} layout="vertical" disabled={busy}>
          {matching.length > 0 && (
            <Form.Item label={t('diagnosis.report.template')}>
              <Select
                placeholder={t('diagnosis.report.templatePlaceholder')}
                options={matching.map((tp) => ({ value: tp.id, label: `${tp.name}（${tp.examType}）` }))}
                onChange={(id: string) => {
                  const tp = matching.find((x) => x.id === id);
                  if (tp) form.setFieldsValue({ findings: tp.findings, impression: tp.impression });
                }}
                data-testid="dx-template"
              />
            </Form.Item>
          )}
          {isLab && <LabResultsEditor saved={r.report?.labResults} specimens={lab.data?.specimens ?? []} onChange={setLabResults} disabled={busy} />}
          <Form.Item
            name="findings"
            label={t('diagnosis.report.findings')}
            rules={isLab && labResults.length ? [] : required('diagnosis.report.findingsRequired')}
            {...(isLab ? { extra: t('diagnosisLab.findingsFromResults') } : {})}
          >
            <Input.TextArea rows={8} maxLength={8000} showCount data-testid="dx-findings" />
          </Form.Item>
          <Form.Item name="impression" label={t('diagnosis.report.impression')} rules={required('diagnosis.report.impressionRequired')}>
            <Input.TextArea rows={4} maxLength={4000} showCount data-testid="dx-impression" />
          </Form.Item>
          {amending && (
            <Form.Item name="reason" label={t('diagnosis.report.amendReason')} rules={required('diagnosis.report.amendReasonRequired')}>
              <Input.TextArea rows={2} maxLength={1000} data-testid="dx-amend-reason" />
            </Form.Item>
          )}
          <Flex gap={8} wrap>
            {amending ? (
              <>
                <Button type="primary" icon={<SaveOutlined />} loading={amend.isPending} onClick={() => void submit('amend')} data-testid="dx-amend-save">
                  {t('diagnosis.report.amendSave')}
                </Button>
                <Button onClick={() => setAmending(false)}>{t('common.cancel')}</Button>
              </>
            ) : (
              <>
                {allowed.has('preliminary') && (
                  <Button icon={<SaveOutlined />} loading={write.isPending && write.variables?.action === 'preliminary'} onClick={() => void submit('preliminary')} data-testid="dx-preliminary">
                    {t('diagnosis.report.savePreliminary')}
                  </Button>
                )}
                {allowed.has('finalize') && (
                  <Button type="primary" icon={<CheckOutlined />} loading={write.isPending && write.variables?.action === 'final'} onClick={() => void submit('final')} data-testid="dx-finalize">
                    {t('diagnosis.report.finalize')}
                  </Button>
                )}
              </>
            )}
          </Flex>
        </Form>
      ) : r.report ? (
        <ReportView report={r.report} />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={allowed.has('claim') ? t('diagnosis.report.claimFirst') : t('diagnosis.report.none')} />
      )}
      {(allowed.has('sign-off') || allowed.has('signoff-return')) && (
        <Flex gap={8} style={{ marginTop: 12 }}>
          {allowed.has('sign-off') && (
            <Button type="primary" icon={<CheckOutlined />} loading={signOff.isPending} onClick={() => signOff.mutate()} data-testid="dx-sign-off">
              {t('diagnosisAction.sign-off')}
            </Button>
          )}
          {allowed.has('signoff-return') && (
            <Button icon={<RollbackOutlined />} onClick={onReturn} data-testid="dx-signoff-return">
              {t('diagnosisAction.signoff-return')}
            </Button>
          )}
        </Flex>
      )}
      {r.report && <Versions report={r.report} />}
    </Card>
  );
}
