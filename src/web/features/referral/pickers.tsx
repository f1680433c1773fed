import { CheckCircleFilled, EnvironmentOutlined } from '@ant-design/icons';
import { Alert, AutoComplete, Card, Col, Empty, Flex, Row, Select, Skeleton, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PatientDto } from '../../../contracts/patient.js';
import { FREE_RESERVED_SLOTS_COUNTED_UP_TO, type RoutingResultDto } from '../../../contracts/referral.js';
import { TierTag } from '../../components/labels.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { QueryError } from '../../components/query-state.js';
import { ageOn, maskIdNumber, shanghaiDate } from '../../lib/format.js';
import { useDebounced } from '../../lib/use-debounced.js';
import { facilityTiers, type FacilityTier } from '../../../contracts/codes.js';
import { usePatient, usePatients } from '../patients/patients.api.js';
import { useDiagnoses } from './referral.api.js';

const isTier = (v: string): v is FacilityTier => (facilityTiers as readonly string[]).includes(v);

interface PatientPickerProps {
  id?: string;
  value?: string;
  onChange?: (id: string | undefined, patient?: PatientDto) => void;
}

/** Find a patient by name, ID number or phone among those the user may see (GET /api/v1/patients?q=). */
export function PatientPicker({ id, value, onChange }: PatientPickerProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const list = usePatients({ q: q || undefined, page: 1, pageSize: 20 }, q.length > 0);
  const current = usePatient(value);
  const today = shanghaiDate();
  const patients = useMemo(() => {
    const items = [...(list.data?.items ?? [])];
    if (current.data && !items.some((p) => p.id === current.data.id)) items.unshift(current.data);
    return items;
  }, [list.data, current.data]);
  return (
    <Select<string>
      id={id}
      value={value}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear
      loading={list.isFetching}
      placeholder={t('referral.form.patientPlaceholder')}
      notFoundContent={list.isFetching ? t('common.loading') : q ? t('referral.form.noPatient') : t('referral.form.typeToSearch')}
      onChange={(v) => onChange?.(v ?? undefined, patients.find((p) => p.id === v))}
      options={patients.map((p) => ({
        value: p.id,
        label: `${p.name}（${t(`sex.${p.sex}`)}，${t('patient.age', { count: ageOn(p.birthDate, today) ?? 0 })}）`,
        sub: [p.idNumber ? maskIdNumber(p.idNumber) : null, p.managingOrganizationName].filter(Boolean).join(' · '),
      }))}
      optionRender={(o) => (
        <span data-testid={`patient-option-${o.value}`}>
          {o.label}
          <span className="option-sub"> · {o.data.sub}</span>
        </span>
      )}
      style={{ width: '100%' }}
    />
  );
}

interface DiagnosisPickerProps {
  id?: string;
  value?: string;
  onChange?: (code: string) => void;
  /** A known diagnosis was picked: its name, to fill the name field. */
  onPick?: (code: string, name: string) => void;
}

/** ICD-10 code with suggestions from /api/v1/diagnoses; a code not in the list may be typed as it is. */
export function DiagnosisPicker({ id, value, onChange, onPick }: DiagnosisPickerProps) {
  const { t, i18n } = useTranslation();
  const q = useDebounced((value ?? '').trim(), 250);
  const list = useDiagnoses(q);
  const en = i18n.language === 'en';
  return (
    <AutoComplete
      id={id}
      value={value}
      onChange={(v: string) => onChange?.(v)}
      onSelect={(code: string) => {
        const d = list.data?.find((x) => x.code === code);
        if (d) onPick?.(d.code, d.zh);
      }}
      options={(list.data ?? []).map((d) => ({
        value: d.code,
        label: (
          <span data-testid={`diagnosis-option-${d.code}`}>
            <span className="mono">{d.code}</span> {en ? d.en || d.zh : d.zh}
          </span>
        ),
      }))}
      placeholder={t('referral.form.diagnosisCodePlaceholder')}
      notFoundContent={list.isFetching ? t('common.loading') : undefined}
      style={{ width: '100%' }}
    />
  );
}

interface DestinationPickerProps {
  value?: string | null;
  onChange?: (id: string | null) => void;
  routing: { data?: RoutingResultDto; isFetching: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  /** Patient and diagnosis chosen (routing can be asked). */
  ready: boolean;
  /** Name of the chosen destination when it is not a recommended one. */
  otherLabel?: string | null;
}

/**
 * The recommended destinations as selectable cards (best first) with the reasons, distance and free reserved slots;
 * below, any other facility. Going past the first recommendation asks for a reason (the form adds that field).
 */
export function DestinationPicker({ value, onChange, routing, ready, otherLabel }: DestinationPickerProps) {
  const { t } = useTranslation();
  const candidates = routing.data?.candidates ?? [];
  const chosenOther = Boolean(value) && !candidates.some((c) => c.organizationId === value);
  if (!ready) return <Alert type="info" showIcon title={t('referral.form.routingWaiting')} />;
  return (
    <Flex vertical gap={12}>
      {routing.isError ? (
        <QueryError error={routing.error} onRetry={() => void routing.refetch()} />
      ) : routing.isFetching && !routing.data ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : candidates.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('referral.form.noCandidates')} />
      ) : (
        <Row gutter={[12, 12]}>
          {candidates.map((c, i) => {
            const selected = value === c.organizationId;
            return (
              <Col key={c.organizationId} xs={24} md={12} xl={8}>
                <Card
                  size="small"
                  hoverable
                  className={`route-card${selected ? ' route-card-selected' : ''}`}
                  onClick={() => onChange?.(c.organizationId)}
                  data-testid={`route-card-${c.organizationId}`}
                  role="radio"
                  aria-checked={selected}
                  tabIndex={0}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') onChange?.(c.organizationId);
                  }}
                >
                  <Flex justify="space-between" align="start" gap={8}>
                    <div style={{ minWidth: 0 }}>
                      <div className="strong route-card-name">
                        {selected && <CheckCircleFilled className="ok-text" />} {c.name}
                      </div>
                      <div style={{ marginTop: 4 }}>
                        {isTier(c.tier) && <TierTag tier={c.tier} />}
                        {i === 0 && <Tag color="green">{t('referral.form.bestMatch')}</Tag>}
                      </div>
                    </div>
                    <Typography.Text type="secondary" className="tabular" title={t('referral.form.score', { score: Math.round(c.score * 100) / 100 })}>
                      {t('referral.form.rank', { rank: i + 1 })}
                    </Typography.Text>
                  </Flex>
                  <Flex gap={12} wrap className="cell-sub" style={{ margin: '8px 0' }}>
                    <span>
                      <EnvironmentOutlined /> {c.distanceKm === null ? '—' : t('referral.form.distance', { km: Math.round(c.distanceKm * 10) / 10 })}
                    </span>
                    <span>
                      {c.freeReservedSlots >= FREE_RESERVED_SLOTS_COUNTED_UP_TO
                        ? t('referral.form.freeSlotsAtLeast', { count: FREE_RESERVED_SLOTS_COUNTED_UP_TO })
                        : t('referral.form.freeSlots', { count: c.freeReservedSlots })}
                    </span>
                    <span>{t('referral.form.freeBeds', { count: c.freeReservedBeds })}</span>
                  </Flex>
                  <Flex gap={4} wrap>
                    {!c.coversDiagnosis && <Tag color="orange">{t('referral.form.notCovering')}</Tag>}
                    {c.reasons.map((r) => (
                      <Tag key={r} color="cyan" style={{ marginInlineEnd: 0 }}>
                        {r}
                      </Tag>
                    ))}
                  </Flex>
                </Card>
              </Col>
            );
          })}
        </Row>
      )}
      <Flex align="center" gap={8} wrap>
        <Typography.Text type="secondary">{t('referral.form.otherDestination')}</Typography.Text>
        <OrganizationSelect
          value={chosenOther ? (value ?? null) : null}
          initialLabel={chosenOther ? otherLabel : null}
          onChange={(id) => onChange?.(id)}
          style={{ width: 320 }}
        />
      </Flex>
    </Flex>
  );
}
