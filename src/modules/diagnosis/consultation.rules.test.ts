import { describe, expect, it } from 'vitest';
import { consultationActions, consultationStatuses, type ConsultationAction, type ConsultationStatus } from '../../contracts/diagnosis-consultation.js';
import {
  allowedConsultationActions, consentProblem, consultationItem, consultationPartiesOf, consultationTransitions, consultationUrgency, decideConsultation,
  requestStatusOf, scheduleProblem, type ConsultationParty,
} from './consultation.rules.js';
import type { ActorFacts } from './diagnosis.rules.js';

const actor = (over: Partial<ActorFacts> = {}): ActorFacts => ({
  userId: 'u1', organizationId: 'township', roles: ['township-doctor'], readerCenterIds: new Set(), dutyHeadCenterIds: new Set(), ...over,
});
const facts = { requesterOrganizationId: 'township', requesterUserId: 'u1', centerId: 'c1', activeExpertUserIds: ['e1', 'e2'] };

describe('consultationPartiesOf — the one access rule', () => {
  it('the requesting doctor and the other clinicians of the requesting facility', () => {
    expect(consultationPartiesOf(actor(), facts)).toEqual(['requester', 'requesting-doctor']);
    expect(consultationPartiesOf(actor({ userId: 'u9' }), facts)).toEqual(['requester']);
  });
  it('another facility, or a non-clinical role of the same facility, is no party', () => {
    expect(consultationPartiesOf(actor({ organizationId: 'other' }), facts)).toEqual([]);
    expect(consultationPartiesOf(actor({ userId: 'u9', roles: ['referral-desk'] }), facts)).toEqual([]);
  });
  it('readers of the center coordinate; a duty head too; invited experts are experts', () => {
    const reader = actor({ userId: 'r1', organizationId: 'county', roles: ['center-reader'], readerCenterIds: new Set(['c1']) });
    expect(consultationPartiesOf(reader, facts)).toEqual(['coordinator']);
    expect(consultationPartiesOf({ ...reader, dutyHeadCenterIds: new Set(['c1']) }, facts)).toEqual(['coordinator', 'duty-head']);
    expect(consultationPartiesOf({ ...reader, userId: 'e1' }, facts)).toEqual(['coordinator', 'expert']);
    // A reader of another center, or a duty head elsewhere, is nobody here.
    expect(consultationPartiesOf({ ...reader, readerCenterIds: new Set(['c2']), dutyHeadCenterIds: new Set(['c2']) }, facts)).toEqual([]);
  });
  it('a declined or removed expert (not in the active list) is no longer a party', () => {
    expect(consultationPartiesOf(actor({ userId: 'e3', organizationId: 'county', roles: ['center-reader'] }), facts)).toEqual([]);
  });
});

describe('transition table', () => {
  const singleParties: ConsultationParty[] = ['requester', 'requesting-doctor', 'coordinator', 'duty-head', 'expert'];
  const texts = { reason: '专家临时手术', decision: '按专家意见转上级医院 PCI' };

  it('every (status, action, party) is decided exactly as the table says', () => {
    let cases = 0;
    for (const status of consultationStatuses) {
      for (const action of consultationActions) {
        for (const party of singleParties) {
          const rule = consultationTransitions[action];
          const d = decideConsultation(status, action, [party], texts);
          cases++;
          if (!rule.parties.includes(party)) expect(d, `${status}/${action}/${party}`).toMatchObject({ ok: false, reason: 'not-party' });
          else if (!rule.from.includes(status)) expect(d, `${status}/${action}/${party}`).toMatchObject({ ok: false, reason: 'state' });
          else expect(d, `${status}/${action}/${party}`).toEqual({ ok: true, to: rule.to === 'same' ? status : rule.to });
        }
      }
    }
    expect(cases).toBe(consultationStatuses.length * consultationActions.length * singleParties.length);
  });

  it('the lifecycle of the issue: requested → scheduled → in-progress → opinion-given → concluded', () => {
    const path: [ConsultationStatus, ConsultationAction, ConsultationParty, ConsultationStatus][] = [
      ['requested', 'schedule', 'coordinator', 'scheduled'],
      ['scheduled', 'schedule', 'coordinator', 'scheduled'],
      ['scheduled', 'start', 'expert', 'in-progress'],
      ['in-progress', 'opinion', 'expert', 'opinion-given'],
      ['opinion-given', 'opinion', 'expert', 'opinion-given'],
      ['opinion-given', 'conclude', 'requester', 'concluded'],
    ];
    for (const [from, action, party, to] of path) expect(decideConsultation(from, action, [party], texts)).toEqual({ ok: true, to });
  });

  it('terminal states allow nothing', () => {
    for (const s of ['concluded', 'cancelled', 'declined'] as const) expect(allowedConsultationActions(s, singleParties)).toEqual([]);
  });

  it('only experts write opinions; only the requesting side concludes; conclusion needs an opinion first', () => {
    expect(decideConsultation('in-progress', 'opinion', ['coordinator', 'duty-head'])).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideConsultation('opinion-given', 'conclude', ['coordinator', 'expert'], texts)).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideConsultation('in-progress', 'conclude', ['requester'], texts)).toMatchObject({ ok: false, reason: 'state', message: expect.stringContaining('会诊中') });
  });

  it('the party is checked before the state (an outsider learns nothing), the text last', () => {
    expect(decideConsultation('concluded', 'cancel', [])).toMatchObject({ ok: false, reason: 'not-party' });
    expect(decideConsultation('requested', 'cancel', ['requester'], { reason: '  ' })).toEqual({ ok: false, reason: 'missing', message: expect.any(String), field: 'reason' });
    expect(decideConsultation('requested', 'decline', ['coordinator'])).toMatchObject({ ok: false, field: 'reason' });
    expect(decideConsultation('opinion-given', 'conclude', ['requester'], {})).toMatchObject({ ok: false, field: 'decision' });
    expect(decideConsultation('requested', 'remove-expert', ['coordinator'])).toMatchObject({ ok: false, field: 'reason' });
  });

  it('buttons: what each side may do', () => {
    expect(allowedConsultationActions('requested', ['requester', 'requesting-doctor'])).toEqual(['cancel']);
    expect(allowedConsultationActions('requested', ['coordinator'])).toEqual(['assign-expert', 'remove-expert', 'schedule', 'decline']);
    expect(allowedConsultationActions('scheduled', ['expert'])).toEqual(['accept-invitation', 'decline-invitation', 'start']);
    expect(allowedConsultationActions('opinion-given', ['requester'])).toEqual(['conclude']);
  });
});

describe('urgency, status mirror, schedule and consent', () => {
  it('an emergency consultation is always emergency; others routine unless marked urgent', () => {
    expect(consultationUrgency('emergency')).toBe('emergency');
    expect(consultationUrgency('emergency', 'routine')).toBe('emergency');
    expect(consultationUrgency('outpatient')).toBe('routine');
    expect(consultationUrgency('inpatient', 'urgent')).toBe('urgent');
  });

  it('the request row mirrors every status', () => {
    expect(consultationStatuses.map(requestStatusOf)).toEqual(['requested', 'in-progress', 'in-progress', 'in-progress', 'completed', 'cancelled', 'cancelled']);
  });

  it('schedules: order, length, not over, at least one expert', () => {
    const now = new Date('2026-11-22T02:00:00Z');
    const at = (m: number) => new Date(now.getTime() + m * 60_000);
    expect(scheduleProblem({ startsAt: at(30), endsAt: at(90), now, activeExperts: 1 })).toBeNull();
    expect(scheduleProblem({ startsAt: at(-10), endsAt: at(50), now, activeExperts: 1 })).toBeNull();
    expect(scheduleProblem({ startsAt: at(90), endsAt: at(30), now, activeExperts: 1 })?.field).toBe('endsAt');
    expect(scheduleProblem({ startsAt: at(0), endsAt: at(9 * 60), now, activeExperts: 1 })?.message).toMatch(/8 小时/);
    expect(scheduleProblem({ startsAt: at(-120), endsAt: at(-60), now, activeExperts: 1 })?.message).toMatch(/已过/);
    expect(scheduleProblem({ startsAt: at(30), endsAt: at(90), now, activeExperts: 0 })?.field).toBe('experts');
  });

  it('consent: signed already (5 min skew), and within 30 days', () => {
    const now = new Date('2026-11-22T02:00:00Z');
    expect(consentProblem({ signedAt: '2026-11-22T01:50:00Z' }, now)).toBeNull();
    expect(consentProblem({ signedAt: '2026-11-22T02:04:00Z' }, now)).toBeNull();
    expect(consentProblem({ signedAt: '2026-11-22T03:00:00Z' }, now)?.field).toBe('consent.signedAt');
    expect(consentProblem({ signedAt: '2026-10-01T00:00:00Z' }, now)?.message).toMatch(/30 天/);
  });

  it('the request row names the kind and the specialty', () => {
    expect(consultationItem('emergency', '心血管内科')).toBe('急诊会诊·心血管内科');
  });
});
