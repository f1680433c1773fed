import { Select } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FacilityTier } from '../../contracts/codes.js';
import { useOrganizations } from '../features/network/network.api.js';
import { useDebounced } from '../lib/use-debounced.js';

interface Props {
  id?: string;
  value?: string | null;
  onChange?: (value: string | null) => void;
  /** Label of the current value when it is not among the search results (editing an existing record). */
  initialLabel?: string | null;
  tier?: FacilityTier;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
}

/** Pick an organization by typing part of its name; searches /api/v1/organizations?q= as the user types. */
export function OrganizationSelect({ id, value, onChange, initialLabel, tier, placeholder, allowClear = true, style }: Props) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const { data, isFetching } = useOrganizations({ q: q || undefined, tier, page: 1, pageSize: 20, sort: 'name' });
  const options = useMemo(() => {
    const list = (data?.items ?? []).map((o) => ({ value: o.id, label: o.name, title: o.divisionName }));
    if (value && initialLabel && !list.some((o) => o.value === value)) list.unshift({ value, label: initialLabel, title: '' });
    return list;
  }, [data, value, initialLabel]);
  return (
    <Select<string>
      id={id}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      onClear={() => onChange?.(null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={isFetching}
      allowClear={allowClear}
      placeholder={placeholder ?? t('common.searchOrganization')}
      notFoundContent={isFetching ? t('common.loading') : t('common.noMatch')}
      style={{ minWidth: 220, ...style }}
      optionRender={(o) => (
        <span>
          {o.label}
          {o.data.title ? <span className="option-sub"> · {o.data.title}</span> : null}
        </span>
      )}
    />
  );
}
