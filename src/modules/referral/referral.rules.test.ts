import { describe, expect, it } from 'vitest';
import { referralStatuses, referralSubStates, type ReferralStatus, type ReferralSubState } from '../../contracts/codes.js';
import {
  allowedTransitions, deadlineStepFor, decideTransition, holdStopsClock, maskIdNumber, partiesOf, referralNumber, transitionTable,
  type Party, type ReferralState, type TransitionAction,
} from './referral.rules.js';

const up = (status: ReferralStatus, subState: ReferralSubState | null = null, extra: Partial<ReferralState> = {}): ReferralState => ({
  status, subState, direction: 'up', heldFromStatus: null, ...extra,
});
const allParties: Party[] = ['sender', 'receiver', 'desk'];
const withAll = { reason: '原因', holdReason: 'patient-unavailable' as const, summary: '出院小结', destination: 'org-x' };

describe('referral lifecycle table', () => {
  // The legal moves of an up-referral, written out by hand: any other (state, action) pair must be refused.
  const legalUp: [ReferralStatus, ReferralSubState | null, TransitionAction, ReferralStatus, ReferralSubState | null][] = [
    ['draft', null, 'submit', 'requested', null],
    ['draft', null, 'cancel', 'cancelled', null],
    ['requested', null, 'accept', 'accepted', null],
    ['requested', null, 'reject', 'rejected', null],
    ['requested', null, 'redirect', 'requested', null],
    ['requested', null, 'cancel', 'cancelled', null],
    ['requested', null, 'hold', 'on-hold', null],
    ['accepted', null, 'cancel', 'cancelled', null],
    ['accepted', null, 'hold', 'on-hold', null],
    ['accepted', null, 'book', 'in-progress', 'scheduled'],
    ['accepted', null, 'arrive', 'in-progress', 'arrived'],
    ['in-progress', null, 'hold', 'on-hold', null], // reachable by down-referrals only
    ['in-progress', 'scheduled', 'cancel', 'cancelled', null],
    ['in-progress', 'scheduled', 'unbook', 'accepted', null],
    ['in-progress', 'scheduled', 'arrive', 'in-progress', 'arrived'],
    ['in-progress', 'scheduled', 'admit', 'in-progress', 'admitted'],
    ['in-progress', 'scheduled', 'hold', 'on-hold', 'scheduled'],
    ['in-progress', 'arrived', 'admit', 'in-progress', 'admitted'],
    ['in-progress', 'arrived', 'complete', 'completed', null],
    ['in-progress', 'arrived', 'hold', 'on-hold', 'arrived'],
    ['in-progress', 'admitted', 'discharge', 'in-progress', 'discharged'],
    ['in-progress', 'admitted', 'hold', 'on-hold', 'admitted'],
    ['in-progress', 'discharged', 'complete', 'completed', null],
    ['in-progress', 'discharged', 'hold', 'on-hold', 'discharged'],
    ['on-hold', null, 'cancel', 'cancelled', null],
  ];
  const actions = [...new Set(transitionTable.map((r) => r.action))];

  it('allows exactly the listed up-referral moves (exhaustive over states × actions)', () => {
    for (const status of referralStatuses) {
      for (const sub of [null, ...referralSubStates]) {
        if (status !== 'in-progress' && sub !== null) continue;
        for (const action of actions) {
          if (action === 'resume') continue; // depends on the held-from state, tested below
          const d = decideTransition(up(status, sub), action, allParties, withAll);
          const expected = legalUp.find(([s, ss, a]) => s === status && ss === sub && a === action);
          if (expected) {
            expect(d.ok, `${status}/${sub} ${action}`).toBe(true);
            if (d.ok) expect([d.to, d.toSubState], `${status}/${sub} ${action}`).toEqual([expected[3], expected[4]]);
          } else {
            expect(d.ok, `${status}/${sub} ${action} must be refused`).toBe(false);
            if (!d.ok) expect(d.reason).toBe('illegal');
          }
        }
      }
    }
  });

  it('terminal states allow nothing', () => {
    for (const s of ['completed', 'cancelled', 'rejected'] as const) {
      expect(allowedTransitions(up(s), allParties)).toEqual([]);
      expect(allowedTransitions({ ...up(s), direction: 'down' }, allParties)).toEqual([]);
    }
  });

  it('illegal moves explain the current state in Chinese', () => {
    const d = decideTransition(up('requested'), 'complete', allParties, withAll);
    expect(d).toMatchObject({ ok: false, reason: 'illegal' });
    if (!d.ok) expect(d.message).toContain('待接收');
  });

  it('requires a reason to reject, hold, cancel and redirect, and a summary to complete', () => {
    for (const [state, action, missing] of [
      [up('requested'), 'reject', 'reason'],
      [up('requested'), 'cancel', 'reason'],
      [up('requested'), 'redirect', 'reason'],
      [up('accepted'), 'hold', 'reason'],
      [up('in-progress', 'arrived'), 'complete', 'summary'],
    ] as const) {
      const d = decideTransition(state, action, allParties, {});
      expect(d, action).toMatchObject({ ok: false, reason: 'missing', missing });
    }
    expect(decideTransition(up('accepted'), 'hold', allParties, { reason: 'x' })).toMatchObject({ ok: false, missing: 'holdReason' });
    expect(decideTransition(up('requested'), 'redirect', allParties, { reason: 'x' })).toMatchObject({ ok: false, missing: 'destination' });
  });

  it('knows who may act: the receiver accepts, the sender cancels, only the desk redirects', () => {
    expect(decideTransition(up('requested'), 'accept', ['sender'], withAll)).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideTransition(up('requested'), 'accept', ['receiver'], withAll).ok).toBe(true);
    expect(decideTransition(up('requested'), 'accept', ['desk'], withAll).ok).toBe(true);
    expect(decideTransition(up('requested'), 'cancel', ['receiver'], withAll)).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideTransition(up('requested'), 'redirect', ['receiver', 'sender'], withAll)).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideTransition(up('in-progress', 'admitted'), 'discharge', ['desk'], withAll)).toMatchObject({ ok: false, reason: 'not-party' });
  });

  it('resume returns to the held-from state and sub-state', () => {
    const held = up('on-hold', null, { heldFromStatus: 'in-progress', heldFromSubState: 'admitted' });
    expect(decideTransition(held, 'resume', ['receiver'], {})).toMatchObject({ ok: true, to: 'in-progress', toSubState: 'admitted' });
    expect(decideTransition(up('on-hold'), 'resume', ['receiver'], {})).toMatchObject({ ok: false, reason: 'illegal' });
  });

  it('down-referrals: accepted → care started → completed; no booking, admission or summary step', () => {
    const down = (status: ReferralStatus): ReferralState => ({ ...up(status), direction: 'down' });
    expect(decideTransition(down('accepted'), 'start-care', ['receiver'], {})).toMatchObject({ ok: true, to: 'in-progress' });
    expect(decideTransition(down('in-progress'), 'complete', ['receiver'], {})).toMatchObject({ ok: true, to: 'completed' });
    expect(decideTransition(down('accepted'), 'book', allParties, withAll)).toMatchObject({ ok: false, reason: 'illegal' });
    expect(decideTransition(up('accepted'), 'start-care', allParties, withAll)).toMatchObject({ ok: false, reason: 'illegal' });
  });
});

describe('deadline steps', () => {
  it('runs one clock per waiting state', () => {
    expect(deadlineStepFor('up', 'requested', null)).toBe('accept');
    expect(deadlineStepFor('down', 'requested', null)).toBe('accept-down');
    expect(deadlineStepFor('up', 'accepted', null)).toBe('schedule');
    expect(deadlineStepFor('up', 'in-progress', 'scheduled')).toBeNull();
    expect(deadlineStepFor('up', 'in-progress', 'arrived')).toBe('return-summary');
    expect(deadlineStepFor('up', 'in-progress', 'admitted')).toBeNull();
    expect(deadlineStepFor('up', 'in-progress', 'discharged')).toBe('return-summary');
    expect(deadlineStepFor('up', 'completed', null)).toBeNull();
    expect(deadlineStepFor('down', 'accepted', null)).toBeNull();
  });
  it('stops the clock only for patient reasons', () => {
    expect(holdStopsClock('patient-unavailable')).toBe(true);
    expect(holdStopsClock('patient-deciding')).toBe(true);
    expect(holdStopsClock('awaiting-documents')).toBe(false);
    expect(holdStopsClock('other')).toBe(false);
  });
});

describe('parties', () => {
  const referral = { originOrganizationId: 'village', destinationOrganizationId: 'county' };
  it('derives sender, receiver and desk from organization and role', () => {
    expect(partiesOf({ organizationId: 'village', roles: ['village-doctor'] }, referral, new Set())).toEqual(['sender']);
    expect(partiesOf({ organizationId: 'county', roles: ['county-specialist'] }, referral, new Set())).toEqual(['receiver']);
    expect(partiesOf({ organizationId: 'county', roles: ['referral-desk'] }, referral, new Set(['county', 'village']))).toEqual(['receiver', 'desk']);
    // An alliance admin at the lead hospital is desk, not a clinician who may discharge.
    expect(partiesOf({ organizationId: 'county', roles: ['alliance-admin'] }, referral, new Set(['county']))).toEqual(['desk']);
    // A desk role outside the alliance of either end is nobody.
    expect(partiesOf({ organizationId: 'city', roles: ['referral-desk'] }, referral, new Set(['city']))).toEqual([]);
    expect(partiesOf({ organizationId: null, roles: ['commission-officer'] }, referral, new Set())).toEqual([]);
  });
});

describe('formatting', () => {
  it('numbers and masks', () => {
    expect(referralNumber('2026-11-22', 42)).toBe('20261122-000042');
    expect(maskIdNumber('350821199001011234')).toBe('3508**********1234');
    expect(maskIdNumber(null)).toBeNull();
  });
});
