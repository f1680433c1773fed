import { describe, expect, it } from 'vitest';
import { diagnosisStatuses, modalitiesByCenterType, centerTypes } from '../../contracts/diagnosis.js';
import { shanghaiDate } from '../../shared/clock.js';
import {
  allowedActions, attachmentKindProblem, chooseReader, decideTransition, onDutyAt, partiesOf, reportStepOf, reportText, requestNumber,
  shiftProblem, signOffProblem, transitionTable, type ActorFacts, type Party, type TableAction,
} from './diagnosis.rules.js';

const actor = (over: Partial<ActorFacts> = {}): ActorFacts => ({
  userId: 'u1', organizationId: 'township', roles: ['township-doctor'], readerCenterIds: new Set(), dutyHeadCenterIds: new Set(), ...over,
});
const request = { requesterOrganizationId: 'township', centerId: 'c1', claimedBy: null as string | null };

describe('partiesOf: the one access rule of a request', () => {
  it('the requesting facility’s clinician is the requester', () => {
    expect(partiesOf(actor(), request)).toEqual(['requester']);
  });
  it('a colleague without a clinical role at the requesting facility is no party', () => {
    expect(partiesOf(actor({ roles: ['referral-desk'] }), request)).toEqual([]);
  });
  it('another facility’s doctor is no party (horizontal access)', () => {
    expect(partiesOf(actor({ organizationId: 'other-township' }), request)).toEqual([]);
  });
  it('a reader of the center is a reader; the one holding the claim is the claimer; on a duty-head shift, the duty head', () => {
    const reader = actor({ userId: 'r1', organizationId: 'county', roles: ['center-reader'], readerCenterIds: new Set(['c1']) });
    expect(partiesOf(reader, request)).toEqual(['reader']);
    expect(partiesOf(reader, { ...request, claimedBy: 'r1' })).toEqual(['reader', 'claimer']);
    expect(partiesOf({ ...reader, dutyHeadCenterIds: new Set(['c1']) }, { ...request, claimedBy: 'r2' })).toEqual(['reader', 'duty-head']);
  });
  it('a reader of another center is no party', () => {
    expect(partiesOf(actor({ userId: 'r1', organizationId: 'county', roles: ['center-reader'], readerCenterIds: new Set(['c2']) }), request)).toEqual([]);
  });
});

describe('transition table', () => {
  const allParties: Party[] = ['requester', 'reader', 'claimer', 'duty-head'];
  const actions = Object.keys(transitionTable) as TableAction[];

  it('every (status, action) pair is decided: allowed from the listed states, 409 naming the state otherwise', () => {
    for (const status of diagnosisStatuses) {
      for (const action of actions) {
        const d = decideTransition(status, action, allParties, { reason: 'x' });
        if (transitionTable[action].from.includes(status)) {
          expect(d.ok, `${status} × ${action}`).toBe(true);
        } else {
          expect(d).toMatchObject({ ok: false, reason: 'state' });
          if (!d.ok) expect(d.message).toContain(status);
        }
      }
    }
  });

  it('a party that may not act gets not-party before the state is considered', () => {
    expect(decideTransition('completed', 'resubmit', ['reader'])).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideTransition('requested', 'claim', ['requester'])).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideTransition('requested', 'reassign', ['reader'])).toMatchObject({ ok: false, reason: 'not-party' });
  });

  it('actions that need a reason name the field', () => {
    for (const action of ['qc-return', 'cancel', 'signoff-return', 'amend'] as const) {
      const from = transitionTable[action].from[0]!;
      expect(decideTransition(from, action, allParties, { reason: '  ' })).toMatchObject({ ok: false, reason: 'missing', field: 'reason' });
    }
  });

  it('main path: claim → preliminary → final; QC return → resubmit; second-reader sign-off', () => {
    expect(decideTransition('requested', 'claim', ['reader'])).toEqual({ ok: true, to: 'in-progress' });
    expect(decideTransition('in-progress', 'preliminary', ['reader', 'claimer'])).toEqual({ ok: true, to: 'preliminary' });
    expect(decideTransition('preliminary', 'finalize', ['reader', 'claimer'])).toEqual({ ok: true, to: 'completed' });
    expect(decideTransition('preliminary', 'finalize', ['reader', 'claimer'], { requiresSecondSignoff: true })).toEqual({ ok: true, to: 'awaiting-signoff' });
    expect(decideTransition('awaiting-signoff', 'sign-off', ['reader'])).toEqual({ ok: true, to: 'completed' });
    expect(decideTransition('in-progress', 'qc-return', ['reader', 'claimer'], { reason: '体位不正' })).toEqual({ ok: true, to: 'returned' });
    expect(decideTransition('returned', 'resubmit', ['requester'])).toEqual({ ok: true, to: 'requested' });
    expect(decideTransition('awaiting-signoff', 'signoff-return', ['reader'], { reason: '再看', preliminaryReleased: true })).toEqual({ ok: true, to: 'preliminary' });
    expect(decideTransition('awaiting-signoff', 'signoff-return', ['reader'], { reason: '再看' })).toEqual({ ok: true, to: 'in-progress' });
  });

  it('a reader who is not the claimer cannot report or release', () => {
    expect(decideTransition('in-progress', 'finalize', ['reader'])).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideTransition('in-progress', 'release', ['reader'])).toMatchObject({ ok: false, reason: 'not-party' });
  });

  it('terminal states offer nothing but amendment and critical values', () => {
    expect(allowedActions('cancelled', allParties)).toEqual([]);
    expect(allowedActions('completed', allParties).sort()).toEqual(['amend', 'flag-critical']);
    expect(allowedActions('requested', ['requester'])).toEqual(['cancel']);
  });
});

describe('sign-off', () => {
  it('the second reader must differ from the author', () => {
    expect(signOffProblem('a', 'a')).toMatch(/不能是报告书写人/);
    expect(signOffProblem('a', 'b')).toBeNull();
  });
});

describe('roster and load', () => {
  const at = new Date('2026-11-23T02:00:00Z');
  it('a shift covers [start, end)', () => {
    const shifts = [
      { startsAt: new Date('2026-11-23T00:00:00Z'), endsAt: new Date('2026-11-23T02:00:00Z') },
      { startsAt: new Date('2026-11-23T02:00:00Z'), endsAt: new Date('2026-11-23T10:00:00Z') },
    ];
    expect(onDutyAt(shifts, at)).toEqual([shifts[1]]);
  });
  it('chooses the least-loaded reader of the modality, specialists first, ties by id', () => {
    const c = [
      { userId: 'b', specialties: ['CT'], openItems: 2 },
      { userId: 'a', specialties: ['CT', 'MR'], openItems: 2 },
      { userId: 'g', specialties: [], openItems: 0 },
      { userId: 'm', specialties: ['MR'], openItems: 0 },
    ];
    expect(chooseReader(c, 'CT')).toBe('a');
    expect(chooseReader(c, 'MR')).toBe('m');
    expect(chooseReader(c, 'DR')).toBe('g');
    expect(chooseReader(c.filter((x) => x.userId !== 'g'), 'DR')).toBeNull();
    expect(chooseReader([], 'CT')).toBeNull();
  });
  it('validates shifts: order, length and the roster day in China Standard Time', () => {
    const ok = { date: '2026-11-23', startsAt: new Date('2026-11-23T00:00:00Z'), endsAt: new Date('2026-11-23T08:00:00Z') };
    expect(shiftProblem(ok, shanghaiDate)).toBeNull();
    expect(shiftProblem({ ...ok, endsAt: ok.startsAt }, shanghaiDate)?.field).toBe('endsAt');
    expect(shiftProblem({ ...ok, endsAt: new Date('2026-11-24T01:00:00Z') }, shanghaiDate)?.field).toBe('endsAt');
    // 2026-11-22T17:00Z is 01:00 on the 23rd in Beijing: belongs to the 23rd.
    expect(shiftProblem({ ...ok, startsAt: new Date('2026-11-22T17:00:00Z') }, shanghaiDate)).toBeNull();
    expect(shiftProblem({ ...ok, startsAt: new Date('2026-11-22T15:00:00Z') }, shanghaiDate)?.field).toBe('startsAt');
  });
});

describe('misc rules', () => {
  it('every center type has a deadline step and exam centers have modalities', () => {
    for (const t of centerTypes) expect(reportStepOf[t]).toMatch(/-(report|respond)$/);
    expect(modalitiesByCenterType.ecg).toEqual(['ECG-12']);
  });
  it('typed report text wins over the template', () => {
    expect(reportText({ findings: 'F', impression: 'I' }, {})).toEqual({ findings: 'F', impression: 'I' });
    expect(reportText({ findings: 'F', impression: 'I' }, { impression: '窦性心动过速' })).toEqual({ findings: 'F', impression: '窦性心动过速' });
    expect(reportText(null, {})).toEqual({ findings: '', impression: '' });
  });
  it('request numbers and attachment kinds', () => {
    expect(requestNumber('2026-11-23', 42)).toBe('DX-20261123-000042');
    expect(attachmentKindProblem('ecg', 'dicom')).toMatch(/影像/);
    expect(attachmentKindProblem('ecg', 'ecg')).toBeNull();
    expect(attachmentKindProblem('imaging', 'pdf')).toBeNull();
  });
});
