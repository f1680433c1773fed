import { z } from 'zod';
import { sexes } from './codes.js';
import { catalogueEntrySchema } from './network.js';
import { duplicateSuggestionSchema } from './patient.js';

/**
 * Response shapes the web UI relies on that the other contract files do not (yet) declare. The server should
 * answer in these shapes; move a schema next to its module's contract when the route is written.
 */

/** `POST /api/v1/patients/check-id` — live validation of a resident ID number while it is typed. */
export const idNumberCheckResultSchema = z.object({
  ok: z.boolean(),
  /** Why the number is wrong, in Chinese (e.g. 身份证号码校验位错误，请核对后重新输入). */
  message: z.string().optional(),
  birthDate: z.string().optional(),
  sex: z.enum(sexes).optional(),
  divisionCode: z.string().optional(),
  divisionName: z.string().optional(),
});
export type IdNumberCheckResult = z.infer<typeof idNumberCheckResultSchema>;

/** `GET /api/v1/catalogue/check` — may this tier treat this ICD-10 code? */
export const catalogueCheckResultSchema = z.object({
  covered: z.boolean(),
  entry: catalogueEntrySchema.nullable(),
  fromOverride: z.boolean(),
});
export type CatalogueCheckResult = z.infer<typeof catalogueCheckResultSchema>;

/** `detail` of 409 `duplicate` on patient registration: the same ID number is already registered. */
export const duplicatePatientDetailSchema = z.object({
  existing: z.object({ id: z.string(), name: z.string(), managingOrganizationName: z.string() }),
});
export type DuplicatePatientDetail = z.infer<typeof duplicatePatientDetailSchema>;

/** `detail` of 409 `conflict` on patient registration: similar people; resend with confirmNotDuplicate. */
export const possibleDuplicatesDetailSchema = z.object({
  suggestions: z.array(duplicateSuggestionSchema),
});
export type PossibleDuplicatesDetail = z.infer<typeof possibleDuplicatesDetailSchema>;
