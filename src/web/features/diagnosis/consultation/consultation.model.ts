import type { RoleCode } from '../../../../contracts/codes.js';
import { formatDateTime } from '../../../lib/format.js';

/** Pure helpers of the consultation pages (tested in consultation.model.test.ts). */

/** Roles that request consultations for their facility (consultation.rules.ts → diagnosis.rules.ts requesterRoles). */
export const consultationRequesterRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor', 'county-specialist'];
export const isConsultationRequester = (roles: readonly RoleCode[]): boolean => roles.some((r) => consultationRequesterRoles.includes(r));
/** Center readers form the expert pools; county specialists are often among them. */
export const mayBeExpert = (roles: readonly RoleCode[]): boolean => roles.some((r) => r === 'center-reader' || r === 'county-specialist');

/**
 * A `datetime-local` value is read as China Standard Time whatever the browser's zone (times on the platform read the
 * same on every screen); empty or malformed → undefined.
 */
export function cstInputToIso(value: string | undefined | null): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec((value ?? '').trim());
  if (!m) return undefined;
  return new Date(`${m[1]}T${m[2]}${m[3] ?? ':00'}+08:00`).toISOString();
}

/** The `datetime-local` value (minutes) of an instant, in China Standard Time. */
export function isoToCstInput(iso: string | Date): string {
  const text = formatDateTime(typeof iso === 'string' ? iso : iso.toISOString());
  return text ? text.slice(0, 16).replace(' ', 'T') : '';
}

/** Which list views a user has: the requesting side's, the center's, and their own invitations. */
export function consultationViews(roles: readonly RoleCode[]): ('sent' | 'center' | 'expert')[] {
  const out: ('sent' | 'center' | 'expert')[] = [];
  if (isConsultationRequester(roles)) out.push('sent');
  if (mayBeExpert(roles)) out.push('center', 'expert');
  return out;
}
