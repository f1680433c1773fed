import { describe, expect, it } from 'vitest';
import type { RoutingResultDto, SlotDto } from '../../../contracts/referral.js';
import {
  addDays, deadlineText, deadlineView, formatDuration, groupSlotsByDay, initialDownValues, needsOverrideReason, openCount,
  orderedActions, parseDownReferral, parseTransition, parseUpReferral, pickView, primaryAction, readBedPools, shanghaiTime,
  sortCareTasks, taskDueState, toUpReferralInput, viewsFor, worklistOrder, type UpReferralValues,
} from './referral.model.js';

/** A fake t(): the key with its options, enough to see which sentence and which numbers were chosen. */
const t = (key: string, o?: Record<string, unknown>) => `${key}${o ? JSON.stringify(o) : ''}`;

const messages = {
  consentRequired: 'consent',
  consentByRequired: 'consentBy',
  overrideRequired: 'override',
  ownCatalogueNoteRequired: 'note',
  destinationRequired: 'destination',
};

const routing = (inOwnCatalogue = false): RoutingResultDto => ({
  inOwnCatalogue,
  candidates: [
    { organizationId: 'county', name: '长汀县总医院', tier: 'county-hospital', score: 0.9, coversDiagnosis: true, sameAlliance: true, supportPairing: false, freeReservedSlots: 4, freeReservedBeds: 2, distanceKm: 18, reasons: ['同一医共体'] },
    { organizationId: 'city', name: '龙岩市第一医院', tier: 'city-hospital', score: 0.6, coversDiagnosis: true, sameAlliance: false, supportPairing: false, freeReservedSlots: 0, freeReservedBeds: 0, distanceKm: 90, reasons: [] },
  ],
});

const complete: UpReferralValues = {
  patientId: 'p1',
  diagnosisCode: ' i63.9 ',
  diagnosisName: '脑梗死',
  urgency: 'urgent',
  reason: '疑似急性脑梗死，需头颅CT及溶栓评估',
  clinicalSummary: '右侧肢体无力2小时',
  medications: [{ name: '阿司匹林', dose: '100mg', frequency: 'qd' }, { name: '  ' }],
  attachedResults: [{ kind: 'lab', title: '血糖', date: '2026-11-20', summary: '6.1 mmol/L' }, { title: '' }],
  consentBy: '患者本人',
  consentMethod: 'signed-form',
  consentGiven: true,
  contactPhone: '13905971234',
  destinationOrganizationId: 'county',
};

describe('worklists', () => {
  it('gives clinicians sent and received, the desk the alliance views, the commission a read-only list', () => {
    expect(viewsFor(['village-doctor'])).toEqual(['sent', 'received']);
    expect(viewsFor(['referral-desk'])).toEqual(['received', 'desk', 'no-capacity', 'sent']);
    expect(viewsFor(['alliance-admin'])).toContain('desk');
    expect(viewsFor(['county-specialist'])).not.toContain('desk');
    expect(viewsFor(['commission-officer'])).toEqual(['all']);
    expect(viewsFor(['system-admin'])).toEqual([]);
  });
  it('opens the requested tab only when the user has it', () => {
    expect(pickView('desk', ['village-doctor'])).toBe('sent');
    expect(pickView('received', ['village-doctor'])).toBe('received');
    expect(pickView(undefined, ['dispatch-coordinator'])).toBe('received');
  });
  it('counts open statuses only', () => {
    expect(openCount({ requested: 2, accepted: 1, completed: 9, 'in-progress': 3, rejected: 4 })).toBe(6);
    expect(openCount(undefined)).toBe(0);
  });
  it('puts overdue rows first, then by due time, rows without a deadline last', () => {
    const rows = [
      { id: 'a', overdue: false, dueAt: null },
      { id: 'b', overdue: false, dueAt: '2026-11-22T10:00:00Z' },
      { id: 'c', overdue: true, dueAt: '2026-11-22T08:00:00Z' },
      { id: 'd', overdue: false, dueAt: '2026-11-22T09:00:00Z' },
    ];
    expect(worklistOrder(rows).map((r) => r.id)).toEqual(['c', 'd', 'b', 'a']);
  });
});

describe('deadlines', () => {
  const now = new Date('2026-11-22T08:00:00Z');
  it('counts down, warns under an hour, and says how long overdue', () => {
    expect(deadlineView('2026-11-22T10:30:00Z', now)).toEqual({ kind: 'running', minutes: 150 });
    expect(deadlineView('2026-11-22T08:20:00Z', now)).toEqual({ kind: 'soon', minutes: 20 });
    expect(deadlineView('2026-11-20T05:00:00Z', now)).toEqual({ kind: 'overdue', minutes: 2 * 1440 + 180 });
    expect(deadlineView(null, now)).toEqual({ kind: 'none', minutes: 0 });
  });
  it('believes the server when it says overdue', () => {
    expect(deadlineView('2026-11-22T08:05:00Z', now, true).kind).toBe('overdue');
  });
  it('words durations with the two largest units', () => {
    expect(formatDuration(2 * 1440 + 180 + 7, t)).toBe('referral.duration.dh{"d":2,"h":3}');
    expect(formatDuration(1440, t)).toBe('referral.duration.d{"d":1}');
    expect(formatDuration(195, t)).toBe('referral.duration.hm{"h":3,"m":15}');
    expect(formatDuration(120, t)).toBe('referral.duration.h{"h":2}');
    expect(formatDuration(12, t)).toBe('referral.duration.m{"m":12}');
    expect(deadlineText({ kind: 'overdue', minutes: 90 }, t)).toContain('referral.deadline.overdueBy');
    expect(deadlineText({ kind: 'none', minutes: 0 }, t)).toBe('');
  });
});

describe('actions', () => {
  it('orders the allowed actions and picks the next step as primary', () => {
    expect(orderedActions(['cancel', 'print', 'accept', 'reject', 'unknown'])).toEqual(['accept', 'reject', 'cancel', 'print']);
    expect(primaryAction(['cancel', 'book', 'arrive', 'print'])).toBe('book');
    expect(primaryAction(['print', 'cancel'])).toBeUndefined();
  });
  it('requires a reason to reject, a hold reason to hold, a summary to complete, a destination to redirect', () => {
    expect(parseTransition('reject', { reason: ' ' }, 3, 'req')).toEqual({ ok: false, errors: [{ name: 'reason', errors: ['req'] }] });
    expect(parseTransition('reject', { reason: ' 无床位 ' }, 3, 'req')).toEqual({ ok: true, value: { action: 'reject', reason: '无床位', expectedVersion: 3 } });
    const hold = parseTransition('hold', { reason: '等待家属' }, undefined, 'req');
    expect(hold.ok).toBe(false);
    expect(parseTransition('hold', { reason: '等待家属', holdReason: 'patient-deciding' }, 1, 'req')).toMatchObject({ ok: true, value: { holdReason: 'patient-deciding' } });
    expect(parseTransition('complete', {}, 1, 'req').ok).toBe(false);
    expect(parseTransition('redirect', { reason: '专科', destinationOrganizationId: null }, 1, 'req')).toMatchObject({ ok: false });
    expect(parseTransition('accept', {}, 2, 'req')).toEqual({ ok: true, value: { action: 'accept', expectedVersion: 2 } });
  });
});

describe('up-referral form', () => {
  it('maps values onto the contract: ICD-10 upper-cased, blank list rows dropped, consent kept', () => {
    const input = toUpReferralInput(complete, true, new Date('2026-11-22T08:00:00Z'));
    expect(input.diagnosisCode).toBe('I63.9');
    expect(input.medications).toEqual([{ name: '阿司匹林', dose: '100mg', frequency: 'qd', note: undefined }]);
    expect(input.attachedResults).toHaveLength(1);
    expect(input.consent).toEqual({ by: '患者本人', method: 'signed-form', at: '2026-11-22T08:00:00.000Z' });
    expect(input.submit).toBe(true);
  });
  it('accepts a complete form that follows the first recommendation', () => {
    const r = parseUpReferral(complete, { submit: true, routing: routing(), messages });
    expect(r.ok).toBe(true);
  });
  it('asks for consent before submitting, not for a draft', () => {
    const v = { ...complete, consentGiven: false, consentBy: '' };
    const r = parseUpReferral(v, { submit: true, routing: routing(), messages });
    expect(r.ok ? [] : r.errors.map((e) => e.name)).toEqual(['consentGiven', 'consentBy']);
    expect(parseUpReferral(v, { submit: false, routing: routing(), messages }).ok).toBe(true);
  });
  it('needs an override reason to go past the first recommendation', () => {
    expect(needsOverrideReason('city', routing())).toBe(true);
    expect(needsOverrideReason('county', routing())).toBe(false);
    expect(needsOverrideReason('city', null)).toBe(false);
    const r = parseUpReferral({ ...complete, destinationOrganizationId: 'city' }, { submit: true, routing: routing(), messages });
    expect(r).toEqual({ ok: false, errors: [{ name: 'overrideReason', errors: ['override'] }] });
    expect(parseUpReferral({ ...complete, destinationOrganizationId: 'city', overrideReason: '患者要求' }, { submit: true, routing: routing(), messages }).ok).toBe(true);
  });
  it('needs a note when the diagnosis is in the sender’s own catalogue', () => {
    const r = parseUpReferral(complete, { submit: true, routing: routing(true), messages });
    expect(r.ok ? [] : r.errors.map((e) => e.name)).toEqual(['inOwnCatalogueNote']);
  });
  it('puts the contract’s messages on the fields', () => {
    const r = parseUpReferral({ ...complete, diagnosisCode: 'stroke', contactPhone: '123' }, { submit: true, routing: routing(), messages });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.name).sort()).toEqual(['contactPhone', 'diagnosisCode']);
  });
  it('requires a destination', () => {
    const r = parseUpReferral({ ...complete, destinationOrganizationId: null }, { submit: false, routing: null, messages });
    expect(r.ok ? [] : r.errors[0]?.name).toBe('destinationOrganizationId');
  });
});

describe('down-referral form', () => {
  const source = {
    diagnosisCode: 'I63.9', diagnosisName: '脑梗死', clinicalSummary: '上转摘要', returnedSummary: '住院10天，病情稳定', treatmentGiven: null,
    medications: [{ name: '阿托伐他汀', dose: '20mg', frequency: 'qn' }], patient: { name: '张三' }, consent: null,
  };
  it('starts from the referral it continues, with a follow-up visit in two weeks', () => {
    const v = initialDownValues(source, '2026-11-22', { followUpTitle: '复诊' });
    expect(v.clinicalSummary).toBe('住院10天，病情稳定');
    expect(v.tasks).toEqual([{ kind: 'follow-up-visit', title: '复诊', dueDate: '2026-12-06' }]);
    expect(v.consentBy).toBe('张三');
  });
  it('builds the contract body with the plan, and asks for warning signs', () => {
    const v = { ...initialDownValues(source, '2026-11-22', { followUpTitle: '复诊' }), reason: '病情稳定，转回基层康复', destinationOrganizationId: 'clinic' };
    const missing = parseDownReferral(v, { patientId: 'p1', fromReferralId: 'r1' });
    expect(missing.ok ? [] : missing.errors.map((e) => e.name)).toEqual(['warningSigns']);
    const r = parseDownReferral({ ...v, warningSigns: ['言语不清加重', ''] }, { patientId: 'p1', fromReferralId: 'r1' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.plan.warningSigns).toEqual(['言语不清加重']);
      expect(r.value.plan.tasks).toHaveLength(1);
      expect(r.value.fromReferralId).toBe('r1');
      expect(r.value.consent).toEqual({ by: '张三', method: 'signed-form' });
    }
  });
});

describe('slots and beds', () => {
  const slot = (id: string, start: string, dep: string, status: SlotDto['status'] = 'free'): SlotDto => ({
    id, scheduleId: 's', scheduleName: '门诊', organizationId: 'o', departmentId: dep, departmentName: dep === 'nk' ? '内科' : '神经内科',
    kind: 'outpatient', start, end: start, status, reservedNow: true, reservedFor: null, releaseAt: null,
  });
  it('groups free slots by Shanghai day and department, in time order', () => {
    const days = groupSlotsByDay([
      slot('3', '2026-11-23T01:30:00Z', 'nk'),
      slot('1', '2026-11-22T17:00:00Z', 'nk'), // 23 Nov 01:00 in Shanghai
      slot('2', '2026-11-23T00:30:00Z', 'sjnk'),
      slot('4', '2026-11-24T00:30:00Z', 'nk', 'busy'),
    ]);
    expect(days.map((d) => d.day)).toEqual(['2026-11-23']);
    expect(days[0]?.departments.map((d) => [d.departmentName, d.slots.map((s) => s.id)])).toEqual([
      ['内科', ['1', '3']],
      ['神经内科', ['2']],
    ]);
    expect(shanghaiTime('2026-11-23T00:30:00Z')).toBe('08:30');
  });
  it('reads bed pools defensively', () => {
    expect(readBedPools([{ id: 'b1', name: '神经内科病区', departmentName: '神经内科', days: [{ day: '2026-11-23', free: 2 }, { day: 'x' }] }, { name: 'no id' }, 3])).toEqual([
      { id: 'b1', name: '神经内科病区', departmentName: '神经内科', days: [{ day: '2026-11-23', free: 2 }] },
    ]);
    expect(readBedPools({ items: [{ id: 'b2', days: null }] })).toEqual([{ id: 'b2', name: 'b2', departmentName: '', days: [] }]);
    expect(readBedPools(null)).toEqual([]);
  });
});

describe('care tasks', () => {
  it('classifies due dates and lists overdue and soon-due open tasks first', () => {
    expect(taskDueState('2026-11-20', '2026-11-22')).toBe('overdue');
    expect(taskDueState('2026-11-22', '2026-11-22')).toBe('today');
    expect(taskDueState('2026-11-29', '2026-11-22')).toBe('soon');
    expect(taskDueState('2026-11-30', '2026-11-22')).toBe('later');
    const sorted = sortCareTasks([
      { id: 'a', dueDate: '2026-12-01', status: 'open' },
      { id: 'b', dueDate: '2026-11-01', status: 'done' },
      { id: 'c', dueDate: '2026-11-20', status: 'open' },
    ]);
    expect(sorted.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
  });
});
