import { describe, expect, it } from 'vitest';
import { mayUse, navigation, navigationFor, openNavGroups, selectedNavKey } from './access.js';

const paths = (entries: ReturnType<typeof navigationFor>): string[] =>
  entries.flatMap((e) => (e.children ? e.children.map((c) => c.path) : [e.path]));

describe('navigationFor', () => {
  it('gives a village doctor patients and the network, no accounts or audit', () => {
    expect(paths(navigationFor(['village-doctor']))).toEqual([
      '/', '/patients', '/patients/new', '/referrals', '/referrals/new', '/care-tasks', '/network/organizations', '/network/divisions', '/network/alliances',
      '/diagnosis/requests', '/diagnosis/new', '/diagnosis/critical-values', '/consultations', '/consultations/new',
    ]);
  });
  it('gives a system admin accounts and audit but no patient pages', () => {
    const p = paths(navigationFor(['system-admin']));
    expect(p).toContain('/admin/users');
    expect(p).toContain('/audit');
    expect(p).not.toContain('/patients');
  });
  it('keeps a group with only the children the user may use', () => {
    const nav = navigationFor(['center-reader']);
    const patients = nav.find((e) => e.path === '/patients');
    expect(patients?.children?.map((c) => c.path)).toEqual(['/patients']);
  });
  it('unions the features of several roles', () => {
    expect(mayUse(['center-reader', 'commission-officer'], 'audit')).toBe(true);
    expect(mayUse(['center-reader'], 'audit')).toBe(false);
  });
});

describe('referral menu', () => {
  it('gives the desk the worklist and care tasks, the commission the list only, the system admin nothing', () => {
    expect(paths(navigationFor(['referral-desk']))).toEqual(expect.arrayContaining(['/referrals', '/referrals/new', '/care-tasks']));
    const commission = paths(navigationFor(['commission-officer']));
    expect(commission).toContain('/referrals');
    expect(commission).not.toContain('/referrals/new');
    expect(paths(navigationFor(['system-admin']))).not.toContain('/referrals');
    expect(selectedNavKey('/referrals/r-1/down', navigation)).toBe('/referrals');
  });
});

describe('diagnosis menu', () => {
  it('gives requesters the request pages, readers the worklist, county specialists both', () => {
    expect(paths(navigationFor(['township-doctor']))).not.toContain('/diagnosis/worklist');
    const reader = paths(navigationFor(['center-reader']));
    expect(reader).toEqual(expect.arrayContaining(['/diagnosis/worklist', '/diagnosis/critical-values']));
    expect(reader).not.toContain('/diagnosis/new');
    expect(paths(navigationFor(['county-specialist']))).toEqual(expect.arrayContaining(['/diagnosis/new', '/diagnosis/worklist']));
    expect(paths(navigationFor(['commission-officer']))).not.toContain('/diagnosis/requests');
    expect(selectedNavKey('/diagnosis/requests/r-1', navigation)).toBe('/diagnosis/requests');
  });
});

describe('diagnosis statistics menu', () => {
  it('gives the statistics to readers, alliance admins, the commission and system admins, not to requesters', () => {
    for (const role of ['center-reader', 'alliance-admin', 'commission-officer', 'system-admin'] as const) {
      expect(paths(navigationFor([role]))).toContain('/diagnosis/statistics');
    }
    for (const role of ['village-doctor', 'township-doctor', 'referral-desk'] as const) expect(paths(navigationFor([role]))).not.toContain('/diagnosis/statistics');
    // The commission neither requests nor reads: the diagnosis group holds the statistics alone.
    expect(navigationFor(['commission-officer']).find((e) => e.path === '/diagnosis')?.children?.map((c) => c.path)).toEqual(['/diagnosis/statistics']);
    expect(selectedNavKey('/diagnosis/statistics', navigation)).toBe('/diagnosis/statistics');
    expect(openNavGroups('/diagnosis/statistics', navigation)).toEqual(['group:/diagnosis']);
  });
});

describe('indicator menu', () => {
  it('gives the monitoring dashboard to the commission, alliance and system admins only', () => {
    for (const role of ['commission-officer', 'alliance-admin', 'system-admin'] as const) expect(paths(navigationFor([role]))).toContain('/indicators');
    expect(paths(navigationFor(['village-doctor']))).not.toContain('/indicators');
    expect(selectedNavKey('/indicators', navigation)).toBe('/indicators');
  });
});

describe('selectedNavKey', () => {
  it('picks the longest matching leaf', () => {
    expect(selectedNavKey('/patients/new', navigation)).toBe('/patients/new');
    expect(selectedNavKey('/patients/p-1', navigation)).toBe('/patients');
    expect(selectedNavKey('/network/organizations/o-1', navigation)).toBe('/network/organizations');
    expect(selectedNavKey('/', navigation)).toBe('/');
    expect(selectedNavKey('/nowhere', navigation)).toBeUndefined();
  });
  it('opens the group holding the selection', () => {
    expect(openNavGroups('/network/alliances', navigation)).toEqual(['group:/network']);
  });
});
