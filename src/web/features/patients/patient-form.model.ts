import type { PatientDto, PatientInput } from '../../../contracts/patient.js';

/** What the registration form holds; dates are plain YYYY-MM-DD strings here (the form converts from pickers). */
export interface PatientFormValues {
  idNumber?: string;
  name?: string;
  sex?: 'male' | 'female';
  birthDate?: string;
  phone?: string;
  residenceDivisionCode?: string | null;
  addressLine?: string;
  familyDoctorTeam?: string;
  chronicConditions?: string[];
}

const blankToNull = (v: string | null | undefined): string | null => {
  const s = (v ?? '').trim();
  return s ? s : null;
};

/** A resident ID number as the registry stores it: no spaces, upper-case check character X. */
export const normalizeIdNumber = (v: string | null | undefined): string => (v ?? '').replace(/\s+/g, '').toUpperCase();

/** Form values → the PatientInput contract (contracts/patient.ts); blank optional fields become null. */
export function toPatientInput(v: PatientFormValues, confirmNotDuplicate = false): PatientInput {
  const codes = (v.chronicConditions ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean);
  return {
    idNumber: blankToNull(normalizeIdNumber(v.idNumber)),
    name: (v.name ?? '').trim(),
    sex: v.sex,
    birthDate: v.birthDate || undefined,
    phone: blankToNull(v.phone),
    residenceDivisionCode: blankToNull(v.residenceDivisionCode),
    addressLine: blankToNull(v.addressLine),
    familyDoctorTeam: blankToNull(v.familyDoctorTeam),
    chronicConditions: [...new Set(codes)],
    confirmNotDuplicate,
  };
}

/** A stored patient → form values, for editing. */
export function fromPatient(p: PatientDto): PatientFormValues {
  return {
    idNumber: p.idNumber ?? '',
    name: p.name,
    sex: p.sex,
    birthDate: p.birthDate,
    phone: p.phone ?? '',
    residenceDivisionCode: p.residenceDivisionCode,
    addressLine: p.addressLine ?? '',
    familyDoctorTeam: p.familyDoctorTeam ?? '',
    chronicConditions: p.chronicConditions,
  };
}

/** Form fields that a server error `path` may name; other paths are shown above the form. */
export const patientFormFields = [
  'idNumber', 'name', 'sex', 'birthDate', 'phone', 'residenceDivisionCode', 'addressLine', 'familyDoctorTeam', 'chronicConditions',
] as const;

/** The form field a server error path points at (`chronicConditions.1` → chronicConditions), if any. */
export function fieldOfPath(path: string | undefined): (typeof patientFormFields)[number] | undefined {
  if (!path) return undefined;
  const head = path.split(/[.[]/)[0];
  return (patientFormFields as readonly string[]).includes(head ?? '') ? (head as (typeof patientFormFields)[number]) : undefined;
}
