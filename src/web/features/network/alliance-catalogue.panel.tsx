import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Collapse, Flex, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FacilityTier } from '../../../contracts/codes.js';
import { facilityTiers } from '../../../contracts/codes.js';
import type { AllianceDto, CatalogueEntryDto } from '../../../contracts/network.js';
import { EmptyState } from '../../components/empty-state.js';
import { TierTag } from '../../components/labels.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { allianceOverrides, defaultsByTier, rangeText } from './alliance-admin.model.js';
import { CatalogueCheck } from './catalogue-check.js';
import { CatalogueOverrideModal } from './catalogue-override.modal.js';
import { invalidateCatalogue, removeCatalogueOverride, useAllianceCatalogue } from './network.api.js';

type TableColumn = NonNullable<TableProps<CatalogueEntryDto>['columns']>[number];

/**
 * 诊疗目录调整: the alliance's own catalogue entries (its differences from the default), a check of any code with
 * them applied, and the default catalogue by tier for reference. Shown to those who may administer the alliance.
 */
export function AllianceCataloguePanel({ alliance }: { alliance: AllianceDto }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const catalogue = useAllianceCatalogue(alliance.id);
  const [adding, setAdding] = useState(false);
  const [checkTier, setCheckTier] = useState<FacilityTier>('township-health-center');
  const [removeError, setRemoveError] = useState<string | null>(null);
  const overrides = useMemo(() => allianceOverrides(catalogue.data ?? [], alliance.id), [catalogue.data, alliance.id]);
  const defaults = useMemo(() => defaultsByTier(catalogue.data ?? []), [catalogue.data]);

  const remove = useMutation({
    mutationFn: (entry: CatalogueEntryDto) => removeCatalogueOverride(entry.id),
    onMutate: () => setRemoveError(null),
    onSuccess: async (_, entry) => {
      await invalidateCatalogue(queryClient);
      void message.success(t('allianceCatalogue.removed', { range: rangeText(entry), label: entry.label }));
    },
    onError: (e) => setRemoveError(errorText(e, t)),
  });

  const rangeColumn: TableColumn = { title: t('catalogue.range'), key: 'range', width: 130, render: (_, e) => <code>{rangeText(e)}</code> };
  const effectColumn: TableColumn = {
    title: t('catalogue.effect'),
    dataIndex: 'effect',
    width: 80,
    render: (v: CatalogueEntryDto['effect']) => <Tag color={v === 'include' ? 'success' : 'error'}>{t(`catalogueEffect.${v}`)}</Tag>,
  };
  const defaultColumns: TableColumn[] = [
    rangeColumn,
    { title: t('catalogue.label'), dataIndex: 'label', width: 220 },
    effectColumn,
    { title: t('allianceCatalogue.note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v ?? <span className="muted">—</span> },
  ];
  // The alliance's own entries: note and basis under the condition, so the list fits beside the alliance list.
  const overrideColumns: TableColumn[] = [
    { title: t('allianceCatalogue.tier'), dataIndex: 'tier', width: 140, render: (_, e) => <TierTag tier={e.tier} /> },
    rangeColumn,
    {
      title: t('catalogue.label'),
      dataIndex: 'label',
      render: (_, e) => (
        <div>
          <div>{e.label}</div>
          {e.note && <div className="cell-sub">{e.note}</div>}
          {e.source && <div className="cell-sub">{t('allianceCatalogue.sourceLine', { source: e.source })}</div>}
        </div>
      ),
    },
    effectColumn,
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, e) => (
        <Popconfirm
          title={t('allianceCatalogue.removeConfirm', { range: rangeText(e), label: e.label })}
          description={t('allianceCatalogue.removeConfirmText', { tier: t(`tier.${e.tier}`) })}
          okText={t('allianceCatalogue.remove')}
          okButtonProps={{ danger: true }}
          cancelText={t('common.cancel')}
          onConfirm={() => remove.mutateAsync(e).catch(() => undefined)}
        >
          <Button type="link" danger size="small" icon={<DeleteOutlined />} loading={remove.isPending && remove.variables?.id === e.id}>
            {t('allianceCatalogue.remove')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Alert type="info" showIcon title={t('allianceCatalogue.explainTitle')} description={t('allianceCatalogue.explain')} />
      <CatalogueCheck
        tier={checkTier}
        allianceId={alliance.id}
        inputId="alliance-icd10"
        controls={
          <>
            <Select<FacilityTier>
              id="alliance-check-tier"
              value={checkTier}
              onChange={setCheckTier}
              options={facilityTiers.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))}
              style={{ width: 220 }}
              popupMatchSelectWidth={false}
              aria-label={t('allianceCatalogue.tier')}
            />
            <Typography.Text type="secondary">{t('allianceCatalogue.checkNote')}</Typography.Text>
          </>
        }
      />

      <div>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }}>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('allianceCatalogue.ownTitle', { count: overrides.length })}
          </Typography.Title>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('allianceCatalogue.add')}
          </Button>
        </Flex>
        {removeError && (
          <Alert type="error" showIcon title={removeError} style={{ marginBottom: 12 }} closable={{ onClose: () => setRemoveError(null) }} />
        )}
        {catalogue.isError ? (
          <QueryError error={catalogue.error} onRetry={() => void catalogue.refetch()} />
        ) : (
          <Table<CatalogueEntryDto>
            rowKey="id"
            size="middle"
            loading={catalogue.isPending}
            dataSource={overrides}
            columns={overrideColumns}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
            locale={{
              emptyText: catalogue.isPending ? ' ' : (
                <EmptyState
                  description={t('allianceCatalogue.empty')}
                  action={
                    <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                      {t('allianceCatalogue.addFirst')}
                    </Button>
                  }
                />
              ),
            }}
          />
        )}
      </div>

      <div>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('allianceCatalogue.defaultsTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('allianceCatalogue.defaultsHint')}</Typography.Paragraph>
        {catalogue.isPending ? (
          <Loading height={120} />
        ) : defaults.length === 0 ? (
          <EmptyState simple description={t('allianceCatalogue.noDefaults')} />
        ) : (
          <Collapse
            size="small"
            items={defaults.map((g) => ({
              key: g.tier,
              label: (
                <Flex align="center" gap={8}>
                  <TierTag tier={g.tier} />
                  <Typography.Text type="secondary">{t('allianceCatalogue.entryCount', { count: g.entries.length })}</Typography.Text>
                </Flex>
              ),
              children: (
                <Table<CatalogueEntryDto>
                  rowKey="id"
                  size="small"
                  dataSource={g.entries}
                  columns={defaultColumns}
                  pagination={{ pageSize: 15, hideOnSinglePage: true, showSizeChanger: false }}
                />
              ),
            }))}
          />
        )}
      </div>
      <CatalogueOverrideModal alliance={alliance} open={adding} onClose={() => setAdding(false)} />
    </Flex>
  );
}
