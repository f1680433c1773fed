import { homeCountyName } from '../config.js';

/**
 * Display helpers. Times are shown in China Standard Time whatever the browser's zone: the platform serves one
 * county, and audit and clinical times must read the same on every screen (architecture.md, habit 7).
 */
export const displayTimeZone = 'Asia/Shanghai';

const dateTimeFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: displayTimeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parts(date: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of dateTimeFormat.formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** `2026-03-01 08:05:09` in Asia/Shanghai; empty for null or an unparseable value. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** The calendar date (YYYY-MM-DD) in Asia/Shanghai of an instant (default: now). */
export function shanghaiDate(at: Date = new Date()): string {
  const p = parts(at);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * Start and end instants of Shanghai calendar days, for time-range filters: `from` 00:00:00 of the first day,
 * `to` the last millisecond of the last day, both with the +08:00 offset so the server need not guess a zone.
 */
export function shanghaiDayRange(fromDate: string, toDate: string): { from: string; to: string } {
  return { from: `${fromDate}T00:00:00.000+08:00`, to: `${toDate}T23:59:59.999+08:00` };
}

/** Whole years between a birth date and a day (both YYYY-MM-DD). */
export function ageOn(birthDate: string, onDate: string): number | null {
  const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  const o = /^(\d{4})-(\d{2})-(\d{2})$/.exec(onDate);
  if (!b || !o) return null;
  let age = Number(o[1]) - Number(b[1]);
  if (Number(o[2]) * 100 + Number(o[3]) < Number(b[2]) * 100 + Number(b[3])) age -= 1;
  return age >= 0 ? age : null;
}

/** Masks the middle of a resident ID number for lists: region code and last four stay (350821********123X). */
export function maskIdNumber(idNumber: string | null | undefined): string {
  if (!idNumber) return '';
  if (idNumber.length <= 10) return idNumber.replace(/.(?=.{2})/g, '*');
  return idNumber.slice(0, 6) + '*'.repeat(idNumber.length - 10) + idNumber.slice(-4);
}

/** Masks a mobile number for lists (139****5678); other formats are shown as they are. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  return /^1\d{10}$/.test(phone) ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone;
}

/**
 * Is a membership or assignment in force on a day? Periods are half-open [validFrom, validTo) as the server stores
 * them (src/db/schema/network.ts): `validTo` is the first day no longer covered, so a membership ended "on" a day
 * is not in force that day — the same answer as the server's `members?on=` list.
 */
export function isInForce(period: { validFrom: string; validTo: string | null }, day: string): boolean {
  return period.validFrom <= day && (period.validTo === null || day < period.validTo);
}

/**
 * A division's name within the home county: "福建省 龙岩市 长汀县 河田镇 上街村委会" → "河田镇 上街村委会". Names outside
 * the county (a city hospital) and the county itself keep their full form.
 */
export function localDivisionName(fullName: string | null | undefined, countyName: string = homeCountyName): string {
  if (!fullName) return '';
  const parts = fullName.split(/\s+/);
  const i = parts.indexOf(countyName);
  return i >= 0 && i < parts.length - 1 ? parts.slice(i + 1).join(' ') : fullName;
}

/** The last day of a half-open period ending (exclusively) on `validTo`: the day before it. */
export function lastDayOf(validTo: string): string {
  return new Date(Date.parse(`${validTo}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
