/** Public API of the indicators module: activity store, live pre-aggregates, versioned definitions, evaluation (issue 4). */
export { IndicatorService, ensureIndicatorDefinitions, MAX_ACTIVITY_BATCH } from './indicators.service.js';
export type { ActivityBatchResult, ActivityRowResult, EvaluateInput } from './indicators.service.js';
export { shippedDefinitions } from './indicators.definitions.js';
export type { ShippedDefinition } from './indicators.definitions.js';
export {
  isTcmActivity, checkActivity, yuanToFen, periodsBetween, periodLabelOf, spanOf, samePeriodLastYear, ratioValue, growthValue,
  practitionersStationedAtLeast, daysWithin,
} from './indicators.rules.js';
export type { PeriodSpan, StationedRole } from './indicators.rules.js';
