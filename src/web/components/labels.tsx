import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AllianceKind, FacilityTier, HospitalGrade, HospitalLevel, PractitionerTitle, RoleCode } from '../../contracts/codes.js';
import { lastDayOf } from '../lib/format.js';

/**
 * Tags for the platform's enumerations (contracts/codes.ts). The words come from the i18n files, which use the
 * glossary's Chinese terms; colors follow the tier ladder from the village (green) up to national centers (gold).
 */
export const tierColors: Record<FacilityTier, string> = {
  'village-clinic': 'green',
  'township-health-center': 'cyan',
  'community-health-center': 'cyan',
  'county-hospital': 'blue',
  'county-tcm-hospital': 'geekblue',
  'county-mch-hospital': 'magenta',
  'city-hospital': 'purple',
  'regional-medical-center': 'volcano',
  'national-medical-center': 'gold',
};

export function TierTag({ tier }: { tier: FacilityTier }) {
  const { t } = useTranslation();
  return (
    <Tag color={tierColors[tier]}>
      {t(`tier.${tier}`)}
    </Tag>
  );
}

const roleColors: Partial<Record<RoleCode, string>> = {
  'system-admin': 'red',
  'alliance-admin': 'volcano',
  'commission-officer': 'gold',
  'referral-desk': 'purple',
  'dispatch-coordinator': 'purple',
  'center-reader': 'geekblue',
  'county-specialist': 'blue',
  'township-doctor': 'cyan',
  'village-doctor': 'green',
};

export function RoleTags({ roles }: { roles: readonly RoleCode[] }) {
  const { t } = useTranslation();
  return (
    <>
      {roles.map((r) => (
        <Tag key={r} color={roleColors[r] ?? 'default'} style={{ marginInlineEnd: 4 }}>
          {t(`role.${r}`)}
        </Tag>
      ))}
    </>
  );
}

const allianceKindColors: Record<AllianceKind, string> = {
  'county-community': 'cyan',
  'city-group': 'purple',
  'specialty-alliance': 'magenta',
  'telemedicine-network': 'geekblue',
};

export function AllianceKindTag({ kind }: { kind: AllianceKind }) {
  const { t } = useTranslation();
  return <Tag color={allianceKindColors[kind]}>{t(`allianceKind.${kind}`)}</Tag>;
}

const titleColors: Record<PractitionerTitle, string> = {
  junior: 'default',
  intermediate: 'blue',
  'associate-senior': 'purple',
  senior: 'gold',
};

export function TitleTag({ title }: { title: PractitionerTitle }) {
  const { t } = useTranslation();
  return <Tag color={titleColors[title]}>{t(`title.${title}`)}</Tag>;
}

/** A chronic condition: the ICD-10 code and its common name when the UI knows it. */
export function ConditionTag({ code }: { code: string }) {
  const { t } = useTranslation();
  const name = t(`condition.${code.toUpperCase()}`, { defaultValue: '' });
  return (
    <Tag color="orange" style={{ marginInlineEnd: 4 }}>
      {code}
      {name ? ` ${name}` : ''}
    </Tag>
  );
}

/**
 * A period as people read it: first and last day in force, both inclusive ("2019-01-01 ~ 2023-12-31"). The server's
 * periods are half-open [validFrom, validTo), so the last day is the day before validTo. An open end is "至今".
 */
export function Period({ from, to }: { from: string; to: string | null }) {
  const { t } = useTranslation();
  return (
    <span className="nowrap">
      {from} ~ {to ? lastDayOf(to) : t('common.present')}
    </span>
  );
}

/** 二级甲等 / Level 2 Grade A; '—' for facilities without a hospital level (clinics, health centers). */
export function LevelGrade({ level, grade }: { level: HospitalLevel | null; grade: HospitalGrade | null }) {
  const { t } = useTranslation();
  if (!level) return <span className="muted">—</span>;
  return <span className="nowrap">{t('levelGrade', { level: t(`hospitalLevel.${level}`), grade: grade ? t(`hospitalGrade.${grade}`) : '' }).trim()}</span>;
}

/** A specialty code (`general-practice`) with its name (全科医学); unknown codes are shown as they are. */
export function SpecialtyLabel({ code }: { code: string | null | undefined }) {
  const { t } = useTranslation();
  if (!code) return <span className="muted">—</span>;
  return <span title={code}>{t(`specialty.${code}`, { defaultValue: code })}</span>;
}
