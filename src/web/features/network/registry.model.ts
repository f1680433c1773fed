import type { RoleCode } from '../../../contracts/codes.js';
import type {
  DepartmentInput, PractitionerDto, PractitionerInput, PractitionerPatch, PractitionerRoleInput, SupportPairingInput,
} from '../../../contracts/network.js';
import {
  departmentInputSchema, practitionerInputSchema, practitionerPatchSchema, practitionerRoleInputSchema, supportPairingInputSchema,
} from '../../../contracts/network.js';
import { blankToNull, issuesToFields, type Parsed } from './alliance-admin.model.js';

/**
 * Pure rules of the facility registry forms (科室, 人员, 派驻/巡回, 对口帮扶). The server decides every write
 * (NetworkService: system admin anywhere, alliance admin for its led alliance's members); these only decide what
 * the UI offers and shape what it sends, checked with the shared contracts.
 */

/** Roles offered the registry buttons; the server may still refuse (403) a facility outside the admin's alliance. */
export const mayMaintainRegistry = (roles: readonly RoleCode[]): boolean => roles.includes('system-admin') || roles.includes('alliance-admin');

// ---- 科室

export const departmentFields = ['code', 'name', 'specialty', 'beds', 'isTcm'] as const;
export type DepartmentField = (typeof departmentFields)[number];
export interface DepartmentValues {
  code?: string;
  name?: string;
  specialty?: string;
  beds?: number | null;
  isTcm?: boolean;
}

export function parseDepartment(v: DepartmentValues): Parsed<DepartmentInput, DepartmentField> {
  const parsed = departmentInputSchema.safeParse({
    code: (v.code ?? '').trim(), name: (v.name ?? '').trim(), specialty: (v.specialty ?? '').trim(), beds: v.beds ?? 0, isTcm: v.isTcm ?? false,
  });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, departmentFields, 'code') };
  return { ok: true, value: parsed.data };
}

// ---- 人员

export const practitionerFields = [
  'identifier', 'name', 'sex', 'profession', 'title', 'specialty', 'homeOrganizationId', 'departmentId', 'phone', 'practiceStartYear',
] as const;
export type PractitionerField = (typeof practitionerFields)[number];
export type PractitionerValues = Partial<Omit<PractitionerInput, 'homeOrganizationId'>>;

/** The new-practitioner form of one facility → the body of POST /api/v1/practitioners. */
export function parsePractitioner(homeOrganizationId: string, v: PractitionerValues): Parsed<PractitionerInput, PractitionerField> {
  const parsed = practitionerInputSchema.safeParse({
    identifier: (v.identifier ?? '').trim(), name: (v.name ?? '').trim(), sex: v.sex, profession: v.profession, title: v.title,
    specialty: (v.specialty ?? '').trim(), homeOrganizationId, departmentId: v.departmentId ?? null, phone: blankToNull(v.phone),
    practiceStartYear: v.practiceStartYear ?? null,
  });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, practitionerFields, 'identifier') };
  return { ok: true, value: parsed.data };
}

export const practitionerEditFields = ['title', 'departmentId', 'phone', 'active'] as const;
export type PractitionerEditField = (typeof practitionerEditFields)[number];
export interface PractitionerEditValues {
  title?: PractitionerDto['title'];
  departmentId?: string | null;
  phone?: string | null;
  active?: boolean;
}

/** The edit form → the body of PATCH /api/v1/practitioners/:id; a cleared department or phone is sent as null. */
export function parsePractitionerEdit(v: PractitionerEditValues): Parsed<PractitionerPatch, PractitionerEditField> {
  const parsed = practitionerPatchSchema.safeParse({ title: v.title, departmentId: v.departmentId ?? null, phone: blankToNull(v.phone), active: v.active ?? true });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, practitionerEditFields, 'title') };
  return { ok: true, value: parsed.data };
}

// ---- 派驻/巡回

export const assignmentFields = ['practitionerId', 'kind', 'departmentId', 'validFrom', 'validTo', 'note'] as const;
export type AssignmentField = (typeof assignmentFields)[number];
export interface AssignmentValues {
  practitionerId?: string | null;
  kind?: PractitionerRoleInput['kind'];
  departmentId?: string | null;
  /** YYYY-MM-DD */
  validFrom?: string | null;
  validTo?: string | null;
  note?: string;
}

/** The assignment form at one facility → the practitioner and the body of POST /api/v1/practitioners/:id/roles. */
export function parseAssignment(
  organizationId: string,
  v: AssignmentValues,
  practitionerRequired: string,
): Parsed<{ practitionerId: string; input: PractitionerRoleInput }, AssignmentField> {
  const parsed = practitionerRoleInputSchema.safeParse({
    organizationId, departmentId: v.departmentId ?? null, kind: v.kind, validFrom: v.validFrom ?? '', validTo: v.validTo ?? '', note: blankToNull(v.note),
  });
  const errors = parsed.success ? [] : issuesToFields(parsed.error.issues, assignmentFields, 'validFrom');
  if (!v.practitionerId) errors.unshift({ name: 'practitionerId', errors: [practitionerRequired] });
  if (errors.length || !parsed.success || !v.practitionerId) return { ok: false, errors };
  return { ok: true, value: { practitionerId: v.practitionerId, input: parsed.data } };
}

// ---- 对口帮扶

export const pairingFields = ['direction', 'partnerId', 'supportTier', 'validFrom', 'validTo', 'note'] as const;
export type PairingField = (typeof pairingFields)[number];
export interface PairingValues {
  /** Whether this facility gives or receives the support. */
  direction?: 'gives' | 'receives';
  partnerId?: string | null;
  supportTier?: number;
  validFrom?: string | null;
  validTo?: string | null;
  note?: string;
}

/** The pairing form of one facility → the body of POST /api/v1/pairings; problems with either side go on the partner. */
export function parsePairing(organizationId: string, v: PairingValues): Parsed<SupportPairingInput, PairingField> {
  const partner = v.partnerId ?? '';
  const gives = (v.direction ?? 'gives') === 'gives';
  const parsed = supportPairingInputSchema.safeParse({
    supportingOrganizationId: gives ? organizationId : partner,
    supportedOrganizationId: gives ? partner : organizationId,
    supportTier: v.supportTier,
    validFrom: v.validFrom ?? '',
    validTo: v.validTo ?? null,
    note: blankToNull(v.note),
  });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, pairingFields, 'partnerId') };
  return { ok: true, value: parsed.data };
}
