/** Public API of the indicators module: activity store, live pre-aggregates, versioned definitions, evaluation (issue 4). */
export { IndicatorService, ensureIndicatorDefinitions, MAX_ACTIVITY_BATCH } from './indicators.service.js';
export type {
  ActivityBatchResult, ActivityRowResult, EvaluateInput, EvaluateOptions, ActivityEngine, AnalyticsComparison, AnalyticsOperationResult, AnalyticsStatus,
} from './indicators.service.js';
export { shippedDefinitions } from './indicators.definitions.js';
export type { ShippedDefinition } from './indicators.definitions.js';
export {
  isTcmActivity, checkActivity, yuanToFen, periodsBetween, periodLabelOf, spanOf, samePeriodLastYear, ratioValue, growthValue,
  practitionersStationedAtLeast, daysWithin,
} from './indicators.rules.js';
export type { PeriodSpan, StationedRole } from './indicators.rules.js';
export { toDhis2DataValueSet, dhis2DataElementCode, dhis2Period } from './dhis2.mapping.js';
export type { Dhis2DataValue, Dhis2DataValueSet } from './dhis2.mapping.js';
export { exportDhis2 } from './dhis2.export.js';
export type { Dhis2ExportQuery } from './dhis2.export.js';
export {
  generateCountyActivity, generateProvinceActivity, syntheticProvince, createActivityTally, DEMO_OUTSIDE_FACILITIES, defaultCalibration,
} from './activity-generator.js';
export type { GeneratorFacility, GeneratorResident, ActivityTally, CountyActivityOptions, ProvinceOptions, SyntheticCounty } from './activity-generator.js';
export { ActivityBulkLoader } from './activity-bulk-load.js';
export { ActivityAnalyticsFeed } from './analytics/activity-analytics.feed.js';
export type { AnalyticsFeedOptions, AnalyticsFeedLog, AppliedBatch, DrainResult } from './analytics/activity-analytics.feed.js';
export { fingerprintDifferences } from './analytics/activity-analytics.rules.js';
export type { AggregateFingerprint } from './indicators.repository.js';
