import { Card, Flex, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { facilityTiers } from '../../../contracts/codes.js';
import { organizationQuerySchema } from '../../../contracts/network.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { useAlliances, useOrganizations } from './network.api.js';
import { OrganizationTable } from './organization-table.js';

const sorts = organizationQuerySchema.shape.sort.unwrap().options;

/** All facilities of the network: search by name or identifier, filter by tier and alliance. */
export function OrganizationListPage() {
  const { t } = useTranslation();
  const { str, num, patch } = useListParams();
  const filter = {
    q: str('q'),
    tier: oneOf(str('tier'), facilityTiers),
    allianceId: str('allianceId'),
    page: num('page', 1),
    pageSize: num('pageSize', 20),
    sort: oneOf(str('sort'), sorts),
  };
  const list = useOrganizations(filter);
  const alliances = useAlliances();
  const filtered = Boolean(filter.q || filter.tier || filter.allianceId);

  return (
    <div className="page">
      <PageHeader
        title={t('nav.organizations')}
        subtitle={t('org.listSubtitle')}
        crumbs={[{ title: t('nav.network') }, { title: t('nav.organizations') }]}
      />
      <Card variant="borderless">
        <Flex gap={12} wrap className="filter-bar">
          <Input.Search
            allowClear
            defaultValue={filter.q}
            placeholder={t('org.searchPlaceholder')}
            onSearch={(q) => patch({ q: q.trim() })}
            style={{ width: 300 }}
            enterButton
          />
          <Select
            allowClear
            placeholder={t('org.allTiers')}
            value={filter.tier}
            onChange={(tier) => patch({ tier })}
            options={facilityTiers.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))}
            style={{ width: 180 }}
          />
          <Select
            allowClear
            placeholder={t('org.allAlliances')}
            value={filter.allianceId}
            loading={alliances.isPending}
            onChange={(allianceId) => patch({ allianceId })}
            options={(alliances.data ?? []).map((a) => ({ value: a.id, label: a.name }))}
            style={{ width: 260 }}
            popupMatchSelectWidth={false}
          />
        </Flex>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <OrganizationTable
            page={list.data}
            loading={list.isFetching}
            sort={filter.sort ?? 'tier'}
            onSort={(sort) => patch({ sort })}
            onPage={(page, pageSize) => patch({ page, pageSize }, false)}
            empty={
              filtered ? (
                <EmptyState description={t('org.emptyFiltered')} />
              ) : (
                <EmptyState description={t('org.emptyAll')} />
              )
            }
          />
        )}
      </Card>
    </div>
  );
}
