import { EnvironmentOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Card, Col, Flex, Input, Row, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DivisionDto } from '../../../contracts/network.js';
import { EmptyState } from '../../components/empty-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { homeCountyCode } from '../../config.js';
import { useListParams } from '../../lib/use-list-params.js';
import { fetchDivisions, networkKeys, useDivision, useDivisions, useOrganizations } from './network.api.js';
import { OrganizationTable } from './organization-table.js';

/** County → townships → villages, loaded a level at a time, with the facilities of the selected division. */
export function DivisionBrowserPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { str, num, patch } = useListParams();
  const county = useDivision(homeCountyCode);
  const townships = useDivisions(homeCountyCode);
  const [children, setChildren] = useState<Record<string, DivisionDto[]>>({});
  const [names, setNames] = useState<Record<string, string>>({});
  const [filterText, setFilterText] = useState('');
  const selected = str('division') ?? homeCountyCode;
  const page = num('page', 1);
  const pageSize = num('pageSize', 20);
  const orgs = useOrganizations({ divisionCode: selected, page, pageSize, sort: 'tier' });

  const loadChildren = async (code: string) => {
    if (children[code]) return;
    const list = await queryClient.fetchQuery({
      queryKey: networkKeys.divisions(code),
      queryFn: () => fetchDivisions(code),
      staleTime: Infinity,
    });
    setChildren((c) => ({ ...c, [code]: list }));
    setNames((n) => ({ ...n, ...Object.fromEntries(list.map((d) => [d.code, d.fullName])) }));
  };

  const treeData = useMemo<TreeDataNode[]>(() => {
    if (!county.data) return [];
    const needle = filterText.trim();
    const toNode = (d: DivisionDto): TreeDataNode => {
      const kids = children[d.code];
      return {
        key: d.code,
        title: (
          <span>
            {d.name}
            <span className="tree-code"> {d.code}</span>
          </span>
        ),
        isLeaf: d.level === 'village',
        children: kids?.map(toNode),
      };
    };
    const towns = (townships.data ?? []).filter((d) => !needle || d.name.includes(needle));
    return [{ ...toNode(county.data), children: towns.map(toNode) }];
  }, [county.data, townships.data, children, filterText]);

  const selectedName =
    selected === homeCountyCode
      ? county.data?.fullName
      : names[selected] ?? townships.data?.find((d) => d.code === selected)?.fullName ?? selected;

  return (
    <div className="page">
      <PageHeader
        title={t('nav.divisions')}
        subtitle={t('division.subtitle')}
        crumbs={[{ title: t('nav.network') }, { title: t('nav.divisions') }]}
      />
      <Row gutter={16}>
        <Col xs={24} lg={7} xxl={6}>
          <Card variant="borderless" title={t('division.treeTitle')} className="tree-card">
            {county.isError ? (
              <QueryError error={county.error} onRetry={() => void county.refetch()} />
            ) : county.isPending ? (
              <Loading height={200} />
            ) : (
              <>
                <Input.Search
                  allowClear
                  placeholder={t('division.filterTownship')}
                  onChange={(e) => setFilterText(e.target.value)}
                  style={{ marginBottom: 12 }}
                />
                <Tree
                  showLine
                  blockNode
                  treeData={treeData}
                  defaultExpandedKeys={[homeCountyCode]}
                  selectedKeys={[selected]}
                  loadData={async (node) => {
                    if (node.key !== homeCountyCode) await loadChildren(String(node.key));
                  }}
                  onSelect={(keys) => {
                    const key = keys[0];
                    if (key !== undefined) patch({ division: String(key) === homeCountyCode ? undefined : String(key) });
                  }}
                  height={560}
                />
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={17} xxl={18}>
          <Card
            variant="borderless"
            title={
              <Flex align="center" gap={8}>
                <EnvironmentOutlined />
                <span>{selectedName}</span>
                {orgs.data && <Typography.Text type="secondary">{t('division.facilityCount', { count: orgs.data.total })}</Typography.Text>}
              </Flex>
            }
          >
            {orgs.isError ? (
              <QueryError error={orgs.error} onRetry={() => void orgs.refetch()} />
            ) : (
              <OrganizationTable
                page={orgs.data}
                loading={orgs.isFetching}
                onPage={(p, size) => patch({ page: p, pageSize: size }, false)}
                empty={<EmptyState description={t('division.empty')} />}
              />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
