import { DeleteOutlined, LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Input, InputNumber, Popconfirm, Radio, Select, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { urgencies, type Urgency } from '../../../contracts/codes.js';
import type { CenterDto, ShiftDto, TemplateInput } from '../../../contracts/diagnosis.js';
import { EmptyState } from '../../components/empty-state.js';
import { FormModal } from '../../components/form-modal.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { shanghaiDate } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import {
  addShift, addTemplate, diagnosisKeys, removeShift, resetCenterDeadline, setCenterDeadline, useCenterDeadlines, useCenters, useReaders, useRoster, useTemplates,
} from './diagnosis.api.js';
import { beijingTime, modalitiesOf, rosterWeek, shiftInstants } from './diagnosis.model.js';

const tabs = ['roster', 'readers', 'templates', 'turnaround'] as const;

/**
 * 诊断中心管理: the roster (排班) as a week, the readers, report templates, and the turnaround time per urgency. The
 * server decides who may change what (system admin, or the admin of the alliance led by the host's leader).
 */
export function CenterAdminPage() {
  const { t } = useTranslation();
  const centers = useCenters();
  const { str, patch } = useListParams();
  const list = (centers.data ?? []).filter((c) => c.type !== 'consultation');
  const center = list.find((c) => c.id === str('center')) ?? list[0];
  const tab = oneOf(str('tab'), tabs) ?? 'roster';
  if (centers.isPending) return <Loading />;
  if (centers.isError) return <QueryError error={centers.error} onRetry={() => void centers.refetch()} />;
  return (
    <div className="page">
      <PageHeader
        title={t('diagnosis.nav.admin')}
        crumbs={[{ title: t('diagnosis.nav.group') }, { title: t('diagnosis.nav.admin') }]}
        extra={
          list.length > 0 && (
            <Select value={center?.id} onChange={(c) => patch({ center: c })} options={list.map((c) => ({ value: c.id, label: `${c.name}（${c.organizationName}）` }))} style={{ width: 320 }} />
          )
        }
      >
        {center && <Tabs activeKey={tab} onChange={(k) => patch({ tab: k })} items={tabs.map((k) => ({ key: k, label: t(`diagnosis.admin.tab.${k}`) }))} style={{ marginBottom: -16, marginTop: 8 }} />}
      </PageHeader>
      {!center ? (
        <Card variant="borderless">
          <EmptyState description={t('diagnosis.admin.noCenters')} />
        </Card>
      ) : tab === 'roster' ? (
        <RosterWeek center={center} />
      ) : tab === 'readers' ? (
        <Readers center={center} />
      ) : tab === 'templates' ? (
        <Templates center={center} />
      ) : (
        <Turnaround center={center} />
      )}
    </div>
  );
}

function RosterWeek({ center }: { center: CenterDto }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [anchor, setAnchor] = useState(shanghaiDate());
  const days = rosterWeek(anchor);
  const roster = useRoster(center.id, days[0]!, days[6]!);
  const readers = useReaders(center.id);
  const [adding, setAdding] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ readerId: string; start: string; end: string; role: 'reader' | 'duty-head' }>();
  const shiftWeek = (n: number) => setAnchor(new Date(Date.parse(`${days[0]}T00:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10));
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['diagnosis', 'roster', center.id] });
  const add = useMutation({
    mutationFn: (v: { readerId: string; date: string; start: string; end: string; role: 'reader' | 'duty-head' }) => {
      const at = shiftInstants(v.date, v.start, v.end);
      if (!at) throw new Error(t('diagnosis.admin.timeFormat'));
      return addShift(center.id, { readerId: v.readerId, date: v.date, role: v.role, ...at });
    },
    onSuccess: async () => {
      await refresh();
      setAdding(null);
    },
    onError: (e) => setError(errorText(e, t)),
  });
  const remove = useMutation({
    mutationFn: (shiftId: string) => removeShift(center.id, shiftId),
    onSuccess: () => refresh(),
    onError: (e) => void message.error(errorText(e, t)),
  });
  const byDay = (day: string): ShiftDto[] => (roster.data ?? []).filter((s) => s.date === day).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return (
    <Card
      variant="borderless"
      title={t('diagnosis.admin.week', { from: days[0], to: days[6] })}
      extra={
        <Flex gap={8}>
          <Button icon={<LeftOutlined />} onClick={() => shiftWeek(-1)} aria-label={t('diagnosis.admin.prevWeek')} />
          <Button onClick={() => setAnchor(shanghaiDate())}>{t('diagnosis.admin.thisWeek')}</Button>
          <Button icon={<RightOutlined />} onClick={() => shiftWeek(1)} aria-label={t('diagnosis.admin.nextWeek')} />
        </Flex>
      }
    >
      {roster.isError ? (
        <QueryError error={roster.error} onRetry={() => void roster.refetch()} />
      ) : (
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, minmax(130px, 1fr))', gap: 8, overflowX: 'auto' }} data-testid="dx-roster">
          {days.map((day) => (
            <div key={day} style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 8, minHeight: 160 }}>
              <Flex justify="space-between" align="center">
                <span className="strong">{day.slice(5)}</span>
                <Button size="small" type="text" icon={<PlusOutlined />} onClick={() => setAdding(day)} aria-label={t('diagnosis.admin.addShift')} />
              </Flex>
              {byDay(day).map((s) => (
                <Flex key={s.id} justify="space-between" align="center" style={{ marginTop: 6 }}>
                  <span>
                    <span className="tabular">{beijingTime(s.startsAt)}–{beijingTime(s.endsAt)}</span>
                    <div>
                      {s.readerName} {s.role === 'duty-head' && <Tag color="purple">{t('diagnosis.admin.dutyHead')}</Tag>}
                    </div>
                  </span>
                  <Popconfirm title={t('diagnosis.admin.removeShift')} onConfirm={() => remove.mutate(s.id)} okText={t('diagnosis.upload.remove')} cancelText={t('common.cancel')}>
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('diagnosis.admin.removeShift')} />
                  </Popconfirm>
                </Flex>
              ))}
            </div>
          ))}
        </div>
      )}
      <FormModal
        open={adding !== null}
        title={t('diagnosis.admin.addShiftOn', { day: adding ?? '' })}
        okText={t('common.save')}
        pending={add.isPending}
        onOk={() => form.submit()}
        onClose={() => setAdding(null)}
        onClosed={() => {
          setError(null);
          add.reset();
          form.resetFields();
        }}
        error={error}
        onDismissError={() => setError(null)}
      >
        <Form form={form} layout="vertical" preserve={false} initialValues={{ start: '08:00', end: '17:30', role: 'reader' }} onFinish={(v) => adding && add.mutate({ ...v, date: adding })}>
          <Form.Item name="readerId" label={t('diagnosis.reader')} rules={[{ required: true, message: t('diagnosis.reassignToRequired') }]}>
            <Select loading={readers.isPending} options={(readers.data ?? []).filter((r) => r.active).map((r) => ({ value: r.id, label: r.displayName }))} />
          </Form.Item>
          <Flex gap={12}>
            <Form.Item name="start" label={t('diagnosis.admin.start')} rules={[{ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t('diagnosis.admin.timeFormat') }]}>
              <Input placeholder="08:00" style={{ width: 100 }} />
            </Form.Item>
            <Form.Item name="end" label={t('diagnosis.admin.end')} extra={t('diagnosis.admin.endHint')} rules={[{ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t('diagnosis.admin.timeFormat') }]}>
              <Input placeholder="17:30" style={{ width: 100 }} />
            </Form.Item>
          </Flex>
          <Form.Item name="role" label={t('diagnosis.admin.role')}>
            <Radio.Group options={[{ value: 'reader', label: t('diagnosis.admin.readerRole') }, { value: 'duty-head', label: t('diagnosis.admin.dutyHead') }]} />
          </Form.Item>
        </Form>
      </FormModal>
    </Card>
  );
}

function Readers({ center }: { center: CenterDto }) {
  const { t } = useTranslation();
  const readers = useReaders(center.id);
  if (readers.isError) return <QueryError error={readers.error} onRetry={() => void readers.refetch()} />;
  return (
    <Card variant="borderless">
      <Table
        rowKey="id"
        size="middle"
        loading={readers.isPending}
        dataSource={readers.data ?? []}
        pagination={false}
        columns={[
          { title: t('diagnosis.reader'), dataIndex: 'displayName', key: 'name' },
          { title: t('diagnosis.admin.specialties'), key: 'sp', render: (_, r) => (r.specialties.length ? r.specialties.map((s) => <Tag key={s}>{s}</Tag>) : <span className="muted">{t('diagnosis.admin.allModalities')}</span>) },
          { title: t('diagnosis.status'), key: 'active', render: (_, r) => (r.active ? <Tag color="green">{t('diagnosis.admin.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>) },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
        {t('diagnosis.admin.readersHint')}
      </Typography.Paragraph>
    </Card>
  );
}

function Templates({ center }: { center: CenterDto }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const templates = useTemplates(center.id);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<TemplateInput>();
  const add = useMutation({
    mutationFn: (v: TemplateInput) => addTemplate(center.id, v),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: diagnosisKeys.templates(center.id) });
      setOpen(false);
    },
    onError: (e) => setError(errorText(e, t)),
  });
  if (templates.isError) return <QueryError error={templates.error} onRetry={() => void templates.refetch()} />;
  return (
    <Card variant="borderless" extra={<Button icon={<PlusOutlined />} onClick={() => setOpen(true)}>{t('diagnosis.admin.addTemplate')}</Button>}>
      <Table
        rowKey="id"
        size="middle"
        loading={templates.isPending}
        dataSource={templates.data ?? []}
        pagination={false}
        columns={[
          { title: t('diagnosis.admin.templateName'), dataIndex: 'name', key: 'name', width: 180 },
          { title: t('diagnosis.examType'), dataIndex: 'examType', key: 'exam', width: 180 },
          { title: t('diagnosis.report.findings'), dataIndex: 'findings', key: 'f', ellipsis: true },
          { title: t('diagnosis.report.impression'), dataIndex: 'impression', key: 'i', ellipsis: true },
        ]}
      />
      <FormModal
        open={open}
        title={t('diagnosis.admin.addTemplate')}
        okText={t('common.save')}
        pending={add.isPending}
        onOk={() => form.submit()}
        onClose={() => setOpen(false)}
        onClosed={() => {
          setError(null);
          add.reset();
          form.resetFields();
        }}
        error={error}
        onDismissError={() => setError(null)}
        width={720}
      >
        <Form form={form} layout="vertical" preserve={false} onFinish={(v) => add.mutate(v)}>
          <Form.Item name="name" label={t('diagnosis.admin.templateName')} rules={[{ required: true, whitespace: true, message: t('diagnosis.textRequired') }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="examType" label={t('diagnosis.examType')} rules={[{ required: true, whitespace: true, message: t('diagnosis.form.examTypeRequired') }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="modality" label={t('diagnosis.modality')}>
            <Select allowClear options={modalitiesOf(center).map((m) => ({ value: m, label: t(`diagnosisModality.${m}`) }))} />
          </Form.Item>
          <Form.Item name="findings" label={t('diagnosis.report.findings')} rules={[{ required: true, whitespace: true, message: t('diagnosis.report.findingsRequired') }]}>
            <Input.TextArea rows={5} maxLength={8000} />
          </Form.Item>
          <Form.Item name="impression" label={t('diagnosis.report.impression')} rules={[{ required: true, whitespace: true, message: t('diagnosis.report.impressionRequired') }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        </Form>
      </FormModal>
    </Card>
  );
}

function Turnaround({ center }: { center: CenterDto }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const deadlines = useCenterDeadlines(center.id);
  const [edits, setEdits] = useState<Partial<Record<Urgency, number | null>>>({});
  const save = useMutation({
    mutationFn: (v: { urgency: Urgency; minutes: number | null }) => (v.minutes === null ? resetCenterDeadline(center.id, v.urgency) : setCenterDeadline(center.id, v.urgency, v.minutes)),
    onSuccess: async (data) => {
      queryClient.setQueryData(diagnosisKeys.deadlines(center.id), data);
      setEdits({});
      void message.success(t('diagnosis.admin.saved'));
    },
    onError: (e) => void message.error(errorText(e, t)),
  });
  if (deadlines.isError) return <QueryError error={deadlines.error} onRetry={() => void deadlines.refetch()} />;
  return (
    <Card variant="borderless">
      <Table
        rowKey="urgency"
        size="middle"
        loading={deadlines.isPending}
        pagination={false}
        dataSource={urgencies.map((u) => ({ urgency: u, row: deadlines.data?.find((d) => d.urgency === u) }))}
        columns={[
          { title: t('diagnosis.urgency'), key: 'u', width: 120, render: (_, r) => t(`urgency.${r.urgency}`) },
          {
            title: t('diagnosis.admin.minutes'),
            key: 'm',
            render: (_, r) => (
              <InputNumber min={1} max={43200} value={edits[r.urgency] ?? r.row?.minutes} onChange={(v) => setEdits((e) => ({ ...e, [r.urgency]: typeof v === 'number' ? v : null }))} />
            ),
          },
          { title: t('diagnosis.admin.source'), key: 's', width: 140, render: (_, r) => (r.row ? <Tag color={r.row.source === 'center' ? 'blue' : 'default'}>{t(`diagnosis.admin.sourceOf.${r.row.source}`)}</Tag> : null) },
          {
            title: t('common.actions'),
            key: 'a',
            width: 200,
            render: (_, r) => (
              <Flex gap={8}>
                <Button size="small" type="primary" disabled={!edits[r.urgency]} loading={save.isPending && save.variables?.urgency === r.urgency} onClick={() => save.mutate({ urgency: r.urgency, minutes: edits[r.urgency] ?? null })}>
                  {t('common.save')}
                </Button>
                {r.row?.source === 'center' && (
                  <Button size="small" onClick={() => save.mutate({ urgency: r.urgency, minutes: null })}>
                    {t('diagnosis.admin.reset')}
                  </Button>
                )}
              </Flex>
            ),
          },
        ]}
      />
    </Card>
  );
}
