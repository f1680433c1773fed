import { EditOutlined, EyeOutlined, UserAddOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Drawer, Flex, Input, Select, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { sexes } from '../../../contracts/codes.js';
import type { PatientDto } from '../../../contracts/patient.js';
import { patientQuerySchema } from '../../../contracts/patient.js';
import { mayUse } from '../../app/access.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { ConditionTag } from '../../components/labels.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { PageHeader } from '../../components/page-header.js';
import { QueryError } from '../../components/query-state.js';
import { pageSizeOptions } from '../../config.js';
import { ageOn, formatDateTime, localDivisionName, maskIdNumber, maskPhone, shanghaiDate } from '../../lib/format.js';
import { oneOf, useListParams } from '../../lib/use-list-params.js';
import { useOrganization } from '../network/network.api.js';
import { PatientSummary } from './patient-summary.js';
import { usePatient, usePatients } from './patients.api.js';

const sorts = patientQuerySchema.shape.sort.unwrap().options;

/** Search the residents this user may see (the server restricts the list to them). */
export function PatientListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const { str, num, patch } = useListParams();
  const filter = {
    q: str('q'),
    sex: oneOf(str('sex'), sexes),
    birthDate: str('birthDate'),
    organizationId: str('organizationId'),
    page: num('page', 1),
    pageSize: num('pageSize', 20),
    sort: oneOf(str('sort'), sorts),
  };
  const list = usePatients(filter);
  const filterOrg = useOrganization(filter.organizationId);
  const openId = str('open');
  // The drawer reads the record itself (GET /patients/:id), so opening it is audited as a read like the detail page.
  const opened = usePatient(openId);
  const open = opened.data ?? list.data?.items.find((p) => p.id === openId);
  const filtered = Boolean(filter.q || filter.sex || filter.birthDate || filter.organizationId);
  const canRegister = mayUse(me.roles, 'registerPatient');
  const today = shanghaiDate();
  const order = (key: (typeof sorts)[number]) => ((filter.sort ?? 'name') === key ? ('ascend' as const) : null);

  const columns: TableProps<PatientDto>['columns'] = [
    {
      title: t('patient.name'),
      dataIndex: 'name',
      key: 'name',
      width: 150,
      fixed: 'left',
      sorter: true,
      sortOrder: order('name'),
      render: (_, p) => (
        <div>
          <Link to={`/patients/${encodeURIComponent(p.id)}`} className="strong-link" onClick={(e) => e.stopPropagation()}>
            {p.name}
          </Link>
          <div className="cell-sub">
            {t(`sex.${p.sex}`)} · {t('patient.age', { count: ageOn(p.birthDate, today) ?? 0 })}
          </div>
        </div>
      ),
    },
    { title: t('patient.birthDate'), dataIndex: 'birthDate', key: 'birthDate', width: 120, sorter: true, sortOrder: order('birthDate') },
    { title: t('patient.idNumber'), dataIndex: 'idNumber', key: 'idNumber', width: 190, render: (v: string | null) => (v ? <span className="mono">{maskIdNumber(v)}</span> : <span className="muted">—</span>) },
    { title: t('patient.phone'), dataIndex: 'phone', key: 'phone', width: 130, render: (v: string | null) => maskPhone(v) || <span className="muted">—</span> },
    {
      title: t('patient.residence'),
      dataIndex: 'residenceDivisionName',
      key: 'residence',
      width: 190,
      ellipsis: true,
      render: (v: string | null) => (v ? <span title={v}>{localDivisionName(v)}</span> : <span className="muted">—</span>),
    },
    { title: t('patient.managingOrganization'), dataIndex: 'managingOrganizationName', key: 'org', width: 200, ellipsis: true },
    {
      title: t('patient.chronicConditions'),
      dataIndex: 'chronicConditions',
      key: 'chronic',
      width: 220,
      render: (codes: string[]) => (codes.length ? codes.map((c) => <ConditionTag key={c} code={c} />) : <span className="muted">—</span>),
    },
    { title: t('patient.createdAt'), dataIndex: 'createdAt', key: 'createdAt', width: 170, sorter: true, sortOrder: order('createdAt'), render: (v: string) => formatDateTime(v) },
  ];

  return (
    <div className="page">
      <PageHeader
        title={t('nav.patientSearch')}
        subtitle={t('patient.listSubtitle')}
        crumbs={[{ title: t('nav.patients') }, { title: t('nav.patientSearch') }]}
        extra={
          canRegister && (
            <Button type="primary" icon={<UserAddOutlined />} onClick={() => void navigate('/patients/new')}>
              {t('nav.patientRegister')}
            </Button>
          )
        }
      />
      <Card variant="borderless">
        <Flex gap={12} wrap className="filter-bar">
          <Input.Search
            id="patientSearch"
            allowClear
            enterButton={t('common.search')}
            defaultValue={filter.q}
            placeholder={t('patient.searchPlaceholder')}
            onSearch={(q) => patch({ q: q.trim(), open: undefined })}
            style={{ width: 360 }}
          />
          <Select
            allowClear
            placeholder={t('patient.anySex')}
            value={filter.sex}
            onChange={(sex) => patch({ sex })}
            options={sexes.map((s) => ({ value: s, label: t(`sex.${s}`) }))}
            style={{ width: 110 }}
          />
          <DatePicker
            placeholder={t('patient.birthDate')}
            value={filter.birthDate ? dayjs(filter.birthDate) : null}
            onChange={(d) => patch({ birthDate: d ? d.format('YYYY-MM-DD') : undefined })}
            style={{ width: 150 }}
          />
          <OrganizationSelect
            value={filter.organizationId ?? null}
            initialLabel={filterOrg.data?.organization.name ?? null}
            onChange={(organizationId) => patch({ organizationId })}
            placeholder={t('patient.anyOrganization')}
            style={{ width: 260 }}
          />
          {filtered && (
            <Button type="link" onClick={() => patch({ q: undefined, sex: undefined, birthDate: undefined, organizationId: undefined })}>
              {t('common.clearFilters')}
            </Button>
          )}
        </Flex>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<PatientDto>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={list.data?.items ?? []}
            loading={list.isFetching}
            scroll={{ x: 1300 }}
            rowClassName="clickable-row"
            onRow={(p) => ({ onClick: () => patch({ open: p.id }, false) })}
            sortDirections={['ascend']}
            onChange={(_, __, sorter, extra) => {
              if (extra.action !== 'sort') return;
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              patch({ sort: s?.order ? oneOf(String(s.columnKey), sorts) : undefined });
            }}
            locale={{
              emptyText: list.isFetching ? (
                ' '
              ) : filtered ? (
                <EmptyState
                  description={t('patient.emptyFiltered')}
                  action={canRegister && <Button type="primary" onClick={() => void navigate('/patients/new')}>{t('nav.patientRegister')}</Button>}
                />
              ) : (
                <EmptyState
                  description={canRegister ? t('patient.emptyAllRegister') : t('patient.emptyAll')}
                  action={canRegister && <Button type="primary" onClick={() => void navigate('/patients/new')}>{t('nav.patientRegister')}</Button>}
                />
              ),
            }}
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
      <Drawer
        open={Boolean(openId)}
        loading={opened.isPending}
        size={720}
        title={open ? <span>{open.name} <Tag style={{ marginInlineStart: 8 }}>{t(`sex.${open.sex}`)}</Tag></span> : ''}
        onClose={() => patch({ open: undefined }, false)}
        extra={
          open && (
            <Flex gap={8}>
              <Button icon={<EditOutlined />} onClick={() => void navigate(`/patients/${encodeURIComponent(open.id)}/edit`)}>
                {t('common.edit')}
              </Button>
              <Button type="primary" icon={<EyeOutlined />} onClick={() => void navigate(`/patients/${encodeURIComponent(open.id)}`)}>
                {t('patient.openDetail')}
              </Button>
            </Flex>
          )
        }
      >
        {opened.isError ? (
          <QueryError error={opened.error} onRetry={() => void opened.refetch()} />
        ) : (
          opened.data && <PatientSummary patient={opened.data} columns={1} />
        )}
        {opened.data && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
            {t('patient.drawerNote')}
          </Typography.Paragraph>
        )}
      </Drawer>
    </div>
  );
}
