import { DownloadOutlined, FileExcelOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Flex, Input, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableProps } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { AuditEventDto } from '../../../contracts/audit.js';
import { auditActions } from '../../../contracts/codes.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { pageSizeOptions } from '../../config.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime, shanghaiDayRange } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { type AuditExportFormat, type AuditFilter, exportAuditEvents, useAuditEvents } from './audit.api.js';

const outcomes = ['allowed', 'denied'] as const;
const actionColors: Record<string, string> = {
  read: 'default',
  search: 'blue',
  create: 'green',
  update: 'orange',
  export: 'purple',
  login: 'cyan',
  'login-failed': 'volcano',
  denied: 'red',
};
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/** Who saw or changed what, on which basis: search, page through and export the audit log. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { str, num, patch } = useListParams();
  const fromDay = str('from');
  const toDay = str('to');
  const days = fromDay && toDay && dateOnly.test(fromDay) && dateOnly.test(toDay) ? shanghaiDayRange(fromDay, toDay) : null;
  const filter: AuditFilter = {
    actor: str('actor'),
    action: oneOf(str('action'), auditActions),
    outcome: oneOf(str('outcome'), outcomes),
    patientId: str('patientId'),
    organizationId: str('organizationId'),
    from: days?.from,
    to: days?.to,
    page: num('page', 1),
    pageSize: num('pageSize', 50),
  };
  const list = useAuditEvents(filter);
  const filtered = Boolean(filter.actor || filter.action || filter.outcome || filter.patientId || filter.organizationId || days);

  const exporter = useMutation({
    mutationFn: (format: AuditExportFormat) => exportAuditEvents(filter, format),
    onSuccess: (name) => void message.success(t('audit.exported', { name })),
    onError: (e) => void message.error(errorText(e, t)),
  });

  const basisText = (b: string) => t(`basis.${b}`, { defaultValue: b });
  const columns: TableProps<AuditEventDto>['columns'] = [
    { title: t('audit.at'), dataIndex: 'at', width: 170, fixed: 'left', render: (v: string) => <span className="tabular">{formatDateTime(v)}</span> },
    {
      title: t('audit.actor'),
      dataIndex: 'actorUsername',
      width: 150,
      ellipsis: true,
      render: (v: string) => (
        <Tooltip title={t('audit.filterByActor')}>
          <Typography.Link onClick={() => patch({ actor: v })}>{v}</Typography.Link>
        </Tooltip>
      ),
    },
    { title: t('audit.organization'), dataIndex: 'organizationName', width: 190, ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      width: 100,
      render: (v: string) => <Tag color={actionColors[v] ?? 'default'}>{t(`auditAction.${v}`, { defaultValue: v })}</Tag>,
    },
    {
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      width: 80,
      render: (v: string) => <Tag color={v === 'allowed' ? 'success' : 'error'}>{t(`outcome.${v}`)}</Tag>,
    },
    {
      title: t('audit.patient'),
      key: 'patient',
      width: 110,
      render: (_, e) =>
        e.patientId ? (
          <Tooltip title={t('audit.filterByPatient')}>
            <Typography.Link onClick={() => patch({ patientId: e.patientId })}>{e.patientName ?? e.patientId}</Typography.Link>
          </Tooltip>
        ) : (
          <span className="muted">—</span>
        ),
    },
    { title: t('audit.basis'), dataIndex: 'basis', width: 130, render: (v: string) => basisText(v) },
    {
      title: t('audit.resource'),
      key: 'resource',
      width: 120,
      render: (_, e) => {
        const label = t(`resourceType.${e.resourceType}`, { defaultValue: e.resourceType });
        return e.resourceId ? (
          <Tooltip title={<span className="mono">{e.resourceId}</span>}>
            <span className="dotted">{label}</span>
          </Tooltip>
        ) : (
          label
        );
      },
    },
    { title: t('audit.channel'), dataIndex: 'channel', width: 80, render: (v: string) => t(`channel.${v}`, { defaultValue: v }) },
    { title: t('audit.ip'), dataIndex: 'ip', width: 140, render: (v: string | null) => (v ? <span className="tabular">{v}</span> : <span className="muted">—</span>) },
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('nav.audit')}
        subtitle={t('audit.subtitle')}
        crumbs={[{ title: t('nav.admin') }, { title: t('nav.audit') }]}
        extra={
          <>
            <Button icon={<DownloadOutlined />} loading={exporter.isPending && exporter.variables === 'csv'} onClick={() => exporter.mutate('csv')}>
              {t('audit.exportCsv')}
            </Button>
            <Button icon={<FileExcelOutlined />} loading={exporter.isPending && exporter.variables === 'xlsx'} onClick={() => exporter.mutate('xlsx')}>
              {t('audit.exportXlsx')}
            </Button>
          </>
        }
      />
      <Card variant="borderless">
        <Flex gap={12} wrap className="filter-bar">
          <Input.Search
            allowClear
            key={filter.actor ?? ''}
            defaultValue={filter.actor}
            placeholder={t('audit.actorPlaceholder')}
            onSearch={(actor) => patch({ actor: actor.trim() })}
            style={{ width: 220 }}
          />
          <Select
            allowClear
            placeholder={t('audit.anyAction')}
            value={filter.action}
            onChange={(action) => patch({ action })}
            options={auditActions.map((a) => ({ value: a, label: t(`auditAction.${a}`) }))}
            style={{ width: 150 }}
          />
          <Select
            allowClear
            placeholder={t('audit.anyOutcome')}
            value={filter.outcome}
            onChange={(outcome) => patch({ outcome })}
            options={outcomes.map((o) => ({ value: o, label: t(`outcome.${o}`) }))}
            style={{ width: 130 }}
          />
          <DatePicker.RangePicker
            value={days && fromDay && toDay ? [dayjs(fromDay), dayjs(toDay)] : null}
            onChange={(range) =>
              patch({
                from: range?.[0] ? range[0].format('YYYY-MM-DD') : undefined,
                to: range?.[1] ? range[1].format('YYYY-MM-DD') : undefined,
              })
            }
            placeholder={[t('audit.fromDate'), t('audit.toDate')]}
            style={{ width: 260 }}
          />
          {filter.patientId && (
            <Tag closable color="cyan" onClose={() => patch({ patientId: undefined })} className="filter-tag">
              {t('audit.patientFilter', { id: list.data?.items[0]?.patientName ?? filter.patientId })}
            </Tag>
          )}
          {filtered && (
            <Button
              type="link"
              onClick={() => patch({ actor: undefined, action: undefined, outcome: undefined, from: undefined, to: undefined, patientId: undefined, organizationId: undefined })}
            >
              {t('common.clearFilters')}
            </Button>
          )}
        </Flex>
        <Typography.Paragraph type="secondary" className="table-note">
          {t('audit.timeNote')}
        </Typography.Paragraph>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<AuditEventDto>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={list.data?.items ?? []}
            loading={list.isFetching}
            scroll={{ x: 1270 }}
            rowClassName={(e) => (e.outcome === 'denied' ? 'row-denied' : '')}
            locale={{ emptyText: list.isFetching ? ' ' : <EmptyState description={filtered ? t('audit.emptyFiltered') : t('audit.emptyAll')} /> }}
            pagination={{
              current: list.data?.page ?? filter.page,
              pageSize: list.data?.pageSize ?? filter.pageSize,
              total: list.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions,
              showTotal: (total) => t('common.total', { total }),
              onChange: (page, pageSize) => patch({ page, pageSize }, false),
            }}
          />
        )}
      </Card>
      {filter.patientId && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          <Link to={`/patients/${encodeURIComponent(filter.patientId)}`}>{t('audit.openPatient')}</Link>
        </Typography.Paragraph>
      )}
    </div>
  );
}
