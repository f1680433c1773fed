import type { RoleCode } from '../../contracts/codes.js';

/**
 * What the UI offers to which role. This only hides what a user cannot use; the server decides access on every
 * request (src/modules/identity/access.rules.ts), and a page the user opens anyway shows its 403 answer.
 */
export const featureRoles = {
  /** Roles that see patients through their facility or alliance (access.rules.ts facilityRoles). */
  patients: ['village-doctor', 'township-doctor', 'county-specialist', 'center-reader', 'referral-desk', 'dispatch-coordinator', 'alliance-admin'],
  /** Roles that register residents (first contact and the referral desk). */
  registerPatient: ['village-doctor', 'township-doctor', 'county-specialist', 'referral-desk'],
  /** access.rules.ts mayManageAccounts. */
  accounts: ['system-admin', 'alliance-admin'],
  /** access.rules.ts auditScope. */
  audit: ['system-admin', 'commission-officer', 'alliance-admin'],
  /** Two-way referral worklists (the commission reads the list only; the server decides what each may see). */
  referrals: ['village-doctor', 'township-doctor', 'county-specialist', 'referral-desk', 'dispatch-coordinator', 'alliance-admin', 'commission-officer'],
  /** Start an up-referral. */
  referralCreate: ['village-doctor', 'township-doctor', 'county-specialist', 'referral-desk'],
  /** Follow-up tasks of down-referred patients (grassroots doctors; the desk may look). */
  careTasks: ['village-doctor', 'township-doctor', 'referral-desk', 'dispatch-coordinator', 'alliance-admin'],
  /** The whole network's figures on the home page. */
  networkOverview: ['alliance-admin', 'commission-officer', 'system-admin'],
  /** Monitoring indicators (监测指标; indicators.service.ts guardReader). */
  indicators: ['commission-officer', 'alliance-admin', 'system-admin'],
  /** Shared diagnosis centers: requesters and readers (the API decides who reads for which center). */
  diagnosis: ['village-doctor', 'township-doctor', 'county-specialist', 'center-reader'],
  /** Request a remote reading, and the list of my facility's requests (diagnosis.rules.ts requesterRoles). */
  diagnosisRequest: ['village-doctor', 'township-doctor', 'county-specialist'],
  /** A center's worklist: center readers, and county specialists, who often read for their hospital's center. */
  diagnosisWorklist: ['center-reader', 'county-specialist'],
  /** Center administration (roster, templates, turnaround): diagnosis.service.ts guardCenterAdmin. */
  diagnosisAdmin: ['alliance-admin', 'system-admin'],
  /** Turnaround statistics of the diagnosis centers (diagnosis-statistics.service.ts centersInScope). */
  diagnosisStatistics: ['center-reader', 'alliance-admin', 'commission-officer', 'system-admin'],
  /** Teleconsultation (远程会诊): requesting clinicians and the consultation centers' expert pools (the API decides each case). */
  consultation: ['village-doctor', 'township-doctor', 'county-specialist', 'center-reader'],
  /** Request a teleconsultation (consultation.rules.ts requester: the requesting facility's clinicians). */
  consultationRequest: ['village-doctor', 'township-doctor', 'county-specialist'],
} as const satisfies Record<string, readonly RoleCode[]>;

export type Feature = keyof typeof featureRoles;

export function mayUse(roles: readonly RoleCode[], feature: Feature): boolean {
  const allowed: readonly RoleCode[] = featureRoles[feature];
  return roles.some((r) => allowed.includes(r));
}

export interface NavEntry {
  /** Route path, also the menu key. */
  path: string;
  /** i18n key of the label. */
  label: string;
  icon: 'home' | 'network' | 'patients' | 'accounts' | 'audit' | 'divisions' | 'alliances' | 'organizations' | 'register' | 'search' | 'referrals' | 'worklist' | 'referralNew' | 'careTasks' | 'indicators' | 'diagnosis' | 'critical' | 'statistics';
  feature?: Feature;
  children?: NavEntry[];
}

export const navigation: NavEntry[] = [
  { path: '/', label: 'nav.home', icon: 'home' },
  {
    path: '/patients',
    label: 'nav.patients',
    icon: 'patients',
    feature: 'patients',
    children: [
      { path: '/patients', label: 'nav.patientSearch', icon: 'search', feature: 'patients' },
      { path: '/patients/new', label: 'nav.patientRegister', icon: 'register', feature: 'registerPatient' },
    ],
  },
  {
    path: '/referrals',
    label: 'nav.referralGroup',
    icon: 'referrals',
    feature: 'referrals',
    children: [
      { path: '/referrals', label: 'nav.referrals', icon: 'worklist', feature: 'referrals' },
      { path: '/referrals/new', label: 'nav.referralNew', icon: 'referralNew', feature: 'referralCreate' },
      { path: '/care-tasks', label: 'nav.careTasks', icon: 'careTasks', feature: 'careTasks' },
    ],
  },
  {
    path: '/network',
    label: 'nav.network',
    icon: 'network',
    children: [
      { path: '/network/organizations', label: 'nav.organizations', icon: 'organizations' },
      { path: '/network/divisions', label: 'nav.divisions', icon: 'divisions' },
      { path: '/network/alliances', label: 'nav.alliances', icon: 'alliances' },
    ],
  },
  {
    path: '/diagnosis',
    label: 'diagnosis.nav.group',
    icon: 'diagnosis',
    // No feature on the group: its children decide (the statistics reach roles that neither request nor read).
    children: [
      { path: '/diagnosis/requests', label: 'diagnosis.nav.sent', icon: 'worklist', feature: 'diagnosisRequest' },
      { path: '/diagnosis/new', label: 'diagnosis.nav.new', icon: 'referralNew', feature: 'diagnosisRequest' },
      { path: '/diagnosis/worklist', label: 'diagnosis.nav.worklist', icon: 'worklist', feature: 'diagnosisWorklist' },
      { path: '/diagnosis/critical-values', label: 'diagnosis.nav.critical', icon: 'critical', feature: 'diagnosis' },
      { path: '/diagnosis/admin', label: 'diagnosis.nav.admin', icon: 'diagnosis', feature: 'diagnosisAdmin' },
      { path: '/diagnosis/statistics', label: 'diagnosisStats.nav', icon: 'statistics', feature: 'diagnosisStatistics' },
    ],
  },
  {
    path: '/consultations',
    label: 'consultation.nav.group',
    icon: 'diagnosis',
    feature: 'consultation',
    children: [
      { path: '/consultations', label: 'consultation.nav.list', icon: 'worklist', feature: 'consultation' },
      { path: '/consultations/new', label: 'consultation.nav.new', icon: 'referralNew', feature: 'consultationRequest' },
    ],
  },
  { path: '/indicators', label: 'nav.indicators', icon: 'indicators', feature: 'indicators' },
  { path: '/admin/users', label: 'nav.accounts', icon: 'accounts', feature: 'accounts' },
  { path: '/audit', label: 'nav.audit', icon: 'audit', feature: 'audit' },
];

/** The navigation a user with these roles sees; a group whose children are all hidden disappears. */
export function navigationFor(roles: readonly RoleCode[], entries: NavEntry[] = navigation): NavEntry[] {
  const out: NavEntry[] = [];
  for (const entry of entries) {
    if (entry.feature && !mayUse(roles, entry.feature)) continue;
    if (entry.children) {
      const children = navigationFor(roles, entry.children);
      if (children.length === 0) continue;
      out.push({ ...entry, children });
    } else out.push(entry);
  }
  return out;
}

/** The menu key to highlight for a location: the longest leaf path that is a prefix of it. */
export function selectedNavKey(pathname: string, entries: NavEntry[]): string | undefined {
  let best: string | undefined;
  const visit = (list: NavEntry[]) => {
    for (const e of list) {
      if (e.children) visit(e.children);
      else {
        const matches = e.path === '/' ? pathname === '/' : pathname === e.path || pathname.startsWith(`${e.path}/`);
        if (matches && (!best || e.path.length > best.length)) best = e.path;
      }
    }
  };
  visit(entries);
  return best;
}

/** Menu key of a group; distinct from its first child's path (a menu needs unique keys). */
export const groupKey = (entry: NavEntry): string => `group:${entry.path}`;

/** Keys of the groups that contain the selected entry, to open them in the side menu. */
export function openNavGroups(selected: string | undefined, entries: NavEntry[]): string[] {
  if (!selected) return [];
  return entries.filter((e) => e.children?.some((c) => c.path === selected)).map(groupKey);
}
