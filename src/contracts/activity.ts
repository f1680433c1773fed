import { z } from 'zod';

/**
 * Activity data for the monitoring indicators (issue 4): one outpatient visit or one inpatient stay, from a facility's
 * information system or from an insurance settlement record (visits of county residents outside the county, where
 * the facility is known only by its division code). Money is a decimal string in yuan ("1234.50"), never a float.
 */
export const activityClasses = ['outpatient', 'inpatient'] as const;
export type ActivityClass = (typeof activityClasses)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const money = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, '金额应为元，最多两位小数，如 1234.50');
const divisionCode = z.string().regex(/^\d{6}(\d{3})?(\d{3})?$/, '区划代码应为 6、9 或 12 位数字');
const icd10 = z.string().trim().regex(/^[A-Za-z]\d{2}(\.[\dA-Za-z]{1,4})?$/, 'ICD-10 编码格式错误');

export const activityInputSchema = z.object({
  /** The sending system (e.g. `his:<facility identifier>`, `insurance`); with `sourceRecordId` the idempotency key. */
  source: z.string().trim().min(1).max(100),
  sourceRecordId: z.string().trim().min(1).max(100),
  class: z.enum(activityClasses),
  /** The platform's patient id when the record is linked to the master patient index. */
  patientId: z.string().max(100).optional(),
  /** Residence of the patient (county at least): county-resident indicators are by residence, not by facility. */
  residenceDivisionCode: divisionCode,
  /** The treating facility: the platform's organization id or identifier, or — outside the platform — its division code. */
  facilityId: z.string().max(100).optional(),
  facilityDivisionCode: divisionCode.optional(),
  /** Department specialty code (network departments' `specialty`), e.g. `tcm` for a TCM department. */
  departmentSpecialty: z.string().max(50).optional(),
  /** Visit date, or admission date of a stay. */
  startDate: isoDate,
  /** Discharge date of a stay. */
  endDate: isoDate.optional(),
  diagnoses: z.array(icd10).max(20).default([]),
  totalCost: money,
  /** Paid by the basic medical insurance fund; absent when not settled through insurance. */
  fundPaid: money.optional(),
  /** The patient is enrolled in the county's basic medical insurance (参保人). */
  insured: z.boolean().default(true),
  /** Settled at a retail pharmacy (excluded from the insurance-share indicators). */
  pharmacy: z.boolean().default(false),
  viaReferral: z.boolean().default(false),
  referralId: z.string().max(100).optional(),
});
export type ActivityInput = z.infer<typeof activityInputSchema>;
