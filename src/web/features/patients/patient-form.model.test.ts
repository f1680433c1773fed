import { describe, expect, it } from 'vitest';
import { patientInputSchema } from '../../../contracts/patient.js';
import { fieldOfPath, normalizeIdNumber, toPatientInput } from './patient-form.model.js';

describe('toPatientInput', () => {
  it('normalizes the ID number and turns blanks into null', () => {
    const input = toPatientInput({
      idNumber: ' 35082119600520123x ',
      name: ' 张三 ',
      sex: 'male',
      birthDate: '1960-05-20',
      phone: '',
      residenceDivisionCode: '350821100001',
      addressLine: '  ',
      familyDoctorTeam: undefined,
      chronicConditions: ['i10', 'E11', 'I10'],
    });
    expect(input).toEqual({
      idNumber: '35082119600520123X',
      name: '张三',
      sex: 'male',
      birthDate: '1960-05-20',
      phone: null,
      residenceDivisionCode: '350821100001',
      addressLine: null,
      familyDoctorTeam: null,
      chronicConditions: ['I10', 'E11'],
      confirmNotDuplicate: false,
    });
  });
  it('produces input the shared contract accepts, including the duplicate confirmation', () => {
    const input = toPatientInput({ name: '李四', sex: 'female', birthDate: '1990-01-02', phone: '13905971234' }, true);
    const parsed = patientInputSchema.parse(input);
    expect(parsed.confirmNotDuplicate).toBe(true);
    expect(parsed.idNumber).toBeNull();
  });
});

describe('normalizeIdNumber', () => {
  it('removes spaces typed in groups', () => {
    expect(normalizeIdNumber('350821 19600520 123x')).toBe('35082119600520123X');
  });
});

describe('fieldOfPath', () => {
  it('maps server error paths onto form fields', () => {
    expect(fieldOfPath('idNumber')).toBe('idNumber');
    expect(fieldOfPath('chronicConditions.1')).toBe('chronicConditions');
    expect(fieldOfPath('chronicConditions[0]')).toBe('chronicConditions');
    expect(fieldOfPath('managingOrganizationId')).toBeUndefined();
    expect(fieldOfPath(undefined)).toBeUndefined();
  });
});
