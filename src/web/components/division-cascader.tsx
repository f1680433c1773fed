import { useQueryClient } from '@tanstack/react-query';
import { Cascader } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DivisionDto } from '../../contracts/network.js';
import { homeCountyCode } from '../config.js';
import { fetchDivisions, networkKeys, useDivisions } from '../features/network/network.api.js';

interface Option {
  value: string;
  label: string;
  isLeaf: boolean;
  children?: Option[];
}

const toOption = (d: DivisionDto): Option => ({ value: d.code, label: d.name, isLeaf: d.level === 'village' });

/** The cascader path of a township (9 digits) or village (12 digits) code of the home county. */
export function divisionPath(code: string | null | undefined): string[] {
  if (!code || !code.startsWith(homeCountyCode)) return [];
  if (code.length === 12) return [code.slice(0, 9), code];
  if (code.length === 9) return [code];
  return [];
}

interface Props {
  id?: string;
  value?: string | null;
  onChange?: (code: string | null) => void;
  placeholder?: string;
}

/** Township → village of the home county, loaded level by level from /api/v1/divisions. */
export function DivisionCascader({ id, value, onChange, placeholder }: Props) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const townships = useDivisions(homeCountyCode);
  const [villages, setVillages] = useState<Record<string, Option[]>>({});

  const loadVillages = async (township: string) => {
    if (villages[township]) return;
    const list = await queryClient.fetchQuery({
      queryKey: networkKeys.divisions(township),
      queryFn: () => fetchDivisions(township),
      staleTime: Infinity,
    });
    setVillages((v) => ({ ...v, [township]: list.map(toOption) }));
  };

  // Editing a record that already has a village: load its township's villages so the label can be shown.
  const path = divisionPath(value);
  const township = path.length === 2 ? path[0] : undefined;
  useEffect(() => {
    if (township) void loadVillages(township);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [township]);

  const options = useMemo<Option[]>(
    () =>
      (townships.data ?? []).map((d) => {
        const o = toOption(d);
        const children = villages[d.code];
        return children ? { ...o, children, isLeaf: children.length === 0 } : o;
      }),
    [townships.data, villages],
  );

  return (
    <Cascader<Option>
      id={id}
      options={options}
      value={path}
      changeOnSelect
      showSearch={false}
      loading={townships.isLoading}
      placeholder={placeholder ?? t('division.pick')}
      loadData={(selected) => {
        const last = selected[selected.length - 1];
        if (last && !last.isLeaf) void loadVillages(last.value);
      }}
      onChange={(codes) => {
        const list = (codes ?? []) as string[];
        onChange?.(list.length ? (list[list.length - 1] ?? null) : null);
      }}
      allowClear
      style={{ width: '100%' }}
    />
  );
}
