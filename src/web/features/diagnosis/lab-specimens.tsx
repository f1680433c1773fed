import { BarcodeOutlined, CheckOutlined, MinusCircleOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Table, Tag } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosisRequestDto, SpecimenDto, SpecimensInput } from '../../../contracts/diagnosis.js';
import { QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { attachmentUrl, diagnosisChanged } from './diagnosis.api.js';
import { receiveByBarcode, receiveSpecimen, registerSpecimens, useLab } from './lab.api.js';

interface SpecimenRowInput {
  specimenType?: string;
  container?: string;
  barcode?: string;
}

/** Still open for specimens: what the server accepts for registration (it answers 409 otherwise). */
const openForSpecimens = ['requested', 'returned', 'in-progress'];
/** Tube presets of a county lab: one click fills type and container. */
const presets: { specimenType: string; container: string }[] = [
  { specimenType: '静脉血（血清）', container: '黄帽促凝管' },
  { specimenType: '全血（EDTA）', container: '紫帽 EDTA 管' },
  { specimenType: '枸橼酸钠抗凝血', container: '蓝帽枸橼酸钠管' },
  { specimenType: '尿液', container: '尿杯' },
];

/**
 * Specimens of a lab request (检验标本). The requester registers them — the platform issues a barcode, or the
 * requester types (or scans) one printed by its own labeller — and prints the label sheet; a reader of the lab center
 * receives them (签收) by scanning the tube: the scanner types the barcode and presses Enter.
 */
export function LabSpecimensCard({ r, side }: { r: DiagnosisRequestDto; side: 'reader' | 'requester' }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const lab = useLab(r.id, r.center.type === 'lab');
  const [form] = Form.useForm<{ specimens: SpecimenRowInput[] }>();
  const [error, setError] = useState<string | null>(null);
  const [scan, setScan] = useState('');
  const scanRef = useRef<HTMLInputElement | null>(null);
  const mayRegister = side === 'requester' && openForSpecimens.includes(r.status);
  const mayReceive = side === 'reader' && !['completed', 'cancelled'].includes(r.status);

  const printLabels = (attachmentId: string | null) => {
    if (attachmentId) window.open(attachmentUrl(r.id, attachmentId), '_blank', 'noopener');
  };
  const register = useMutation({
    mutationFn: (input: SpecimensInput) => registerSpecimens(r.id, input),
    onSuccess: async (dto) => {
      setError(null);
      form.resetFields();
      await diagnosisChanged(queryClient);
      void message.success(t('diagnosisLab.registered'));
      printLabels(dto.specimens.at(-1)?.labelAttachmentId ?? null);
    },
    onError: (e) => setError(errorText(e, t)),
  });
  const receive = useMutation({
    mutationFn: async (v: { specimenId?: string; barcode?: string }): Promise<{ requestId: string; requestNumber: string }> => {
      if (v.specimenId) {
        await receiveSpecimen(r.id, v.specimenId);
        return { requestId: r.id, requestNumber: r.number };
      }
      return receiveByBarcode(v.barcode ?? '');
    },
    onSuccess: async (dto) => {
      setError(null);
      setScan('');
      await diagnosisChanged(queryClient);
      // A scan may hit a tube of another request of the same batch: say which one was received.
      void message.success(dto.requestId !== r.id ? t('diagnosisLab.receivedOther', { number: dto.requestNumber }) : t('diagnosisLab.received'));
      scanRef.current?.focus();
    },
    onError: (e) => {
      setError(errorText(e, t));
      setScan('');
      scanRef.current?.focus();
    },
  });

  if (r.center.type !== 'lab') return null;
  const submit = (v: { specimens?: SpecimenRowInput[] }) => {
    const specimens = (v.specimens ?? [])
      .filter((s) => s.specimenType?.trim())
      .map((s) => ({
        specimenType: s.specimenType!.trim(),
        ...(s.container?.trim() ? { container: s.container.trim() } : {}),
        ...(s.barcode?.trim() ? { barcode: s.barcode.trim().toUpperCase() } : {}),
      }));
    if (specimens.length === 0) {
      setError(t('diagnosisLab.noneEntered'));
      return;
    }
    register.mutate({ specimens });
  };

  const labelSheets = [...new Set((lab.data?.specimens ?? []).map((s) => s.labelAttachmentId).filter((x): x is string => Boolean(x)))];
  return (
    <Card
      variant="borderless"
      title={t('diagnosisLab.specimensTitle')}
      extra={
        labelSheets.length > 0 && (
          <Flex gap={8} wrap>
            {labelSheets.map((id, i) => (
              <Button key={id} size="small" icon={<PrinterOutlined />} onClick={() => printLabels(id)} data-testid="lab-print-labels">
                {t('diagnosisLab.printLabels', { n: i + 1 })}
              </Button>
            ))}
          </Flex>
        )
      }
      data-testid="lab-specimens"
    >
      {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} style={{ marginBottom: 12 }} data-testid="lab-error" />}
      {mayReceive && (
        <Input
          ref={(el) => {
            scanRef.current = el?.input ?? null;
          }}
          prefix={<BarcodeOutlined />}
          placeholder={t('diagnosisLab.scanPlaceholder')}
          value={scan}
          onChange={(ev) => setScan(ev.target.value)}
          onPressEnter={() => {
            const barcode = scan.trim().toUpperCase();
            if (barcode && !receive.isPending) receive.mutate({ barcode });
          }}
          disabled={receive.isPending}
          allowClear
          autoFocus
          style={{ marginBottom: 12, maxWidth: 360 }}
          data-testid="lab-scan"
        />
      )}
      {lab.isError ? (
        <QueryError error={lab.error} onRetry={() => void lab.refetch()} />
      ) : (lab.data?.specimens.length ?? 0) === 0 && !lab.isPending ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('diagnosisLab.noSpecimens')} />
      ) : (
        <Table<SpecimenDto>
          size="small"
          rowKey="id"
          loading={lab.isPending}
          dataSource={lab.data?.specimens ?? []}
          pagination={false}
          data-testid="lab-specimen-table"
          columns={[
            { title: t('diagnosisLab.barcode'), dataIndex: 'barcode', render: (v: string, s) => (<span className="mono">{v}{s.barcodeSource === 'own' && <Tag style={{ marginInlineStart: 6 }}>{t('diagnosisLab.ownBarcode')}</Tag>}</span>) },
            { title: t('diagnosisLab.specimenType'), dataIndex: 'specimenType', render: (v: string, s) => (<span>{v}{s.container ? <span className="cell-sub"> · {s.container}</span> : null}</span>) },
            { title: t('diagnosisLab.collected'), dataIndex: 'collectedAt', render: (v: string, s) => (<span className="cell-sub">{formatDateTime(v)} · {s.registeredByName}</span>) },
            {
              title: t('diagnosisLab.state'),
              dataIndex: 'state',
              render: (_: string, s) =>
                s.state === 'received' ? (
                  <span>
                    <Tag color="green">{t('diagnosisLab.stateReceived')}</Tag>
                    <span className="cell-sub">{formatDateTime(s.receivedAt)} · {s.receivedByName}</span>
                  </span>
                ) : mayReceive ? (
                  <Button size="small" icon={<CheckOutlined />} loading={receive.isPending && receive.variables?.specimenId === s.id} onClick={() => receive.mutate({ specimenId: s.id })} data-testid="lab-receive">
                    {t('diagnosisLab.receive')}
                  </Button>
                ) : (
                  <Tag>{t('diagnosisLab.stateRegistered')}</Tag>
                ),
            },
          ]}
        />
      )}
      {mayRegister && (
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ specimens: [{}] }} disabled={register.isPending} style={{ marginTop: 16 }} data-testid="lab-register-form">
          <Form.List name="specimens">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Flex key={f.key} gap={8} align="baseline" wrap>
                    <Form.Item name={[f.name, 'specimenType']} label={f.name === 0 ? t('diagnosisLab.specimenType') : undefined} style={{ minWidth: 180 }}>
                      <Input maxLength={40} placeholder="静脉血（血清）" data-testid="lab-specimen-type" />
                    </Form.Item>
                    <Form.Item name={[f.name, 'container']} label={f.name === 0 ? t('diagnosisLab.container') : undefined} style={{ minWidth: 160 }}>
                      <Input maxLength={40} placeholder="黄帽促凝管" />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'barcode']}
                      label={f.name === 0 ? t('diagnosisLab.ownBarcodeInput') : undefined}
                      rules={[{ pattern: /^[0-9A-Za-z-]{6,20}$/, message: t('diagnosisLab.barcodeFormat') }]}
                      style={{ minWidth: 200 }}
                    >
                      {/* A scanner's Enter must not submit the whole form half-filled. */}
                      <Input maxLength={20} placeholder={t('diagnosisLab.issuedIfEmpty')} className="mono" onPressEnter={(ev) => ev.preventDefault()} data-testid="lab-own-barcode" />
                    </Form.Item>
                    {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={t('diagnosisLab.removeRow')} />}
                  </Flex>
                ))}
                <Flex gap={8} wrap style={{ marginBottom: 12 }}>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({})}>
                    {t('diagnosisLab.addSpecimen')}
                  </Button>
                  {presets.map((p) => (
                    <Button key={p.specimenType} size="small" type="dashed" onClick={() => add({ ...p })}>
                      {p.specimenType}
                    </Button>
                  ))}
                </Flex>
              </>
            )}
          </Form.List>
          <Button type="primary" htmlType="submit" icon={<PrinterOutlined />} loading={register.isPending} data-testid="lab-register">
            {t('diagnosisLab.registerAndPrint')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
