/** Public API of the referral module: two-way referral (双向转诊), reserved capacity and routing. */
export { ReferralService, REFERRAL_SUBJECT } from './referral.service.js';
export type { ReferralServiceDeps } from './referral.service.js';
export type { CapacityPort, DeadlinePort, NotificationPort, RoutingPort, BookingView, LiveDeadline } from './referral.ports.js';
export { transitionTable, decideTransition, allowedTransitions, deadlineStepFor, fhirPriorityOf, openStatuses } from './referral.rules.js';
export type { Party, TransitionAction } from './referral.rules.js';
export { CapacityService } from './capacity.service.js';
export type { CapacityBookingRequest, BookedSlot, BookedBed, FreeReservedCapacity } from './capacity.service.js';
export {
  isReservedNow, mayBook, mayUseHold, choosePolicy, planSlots, generateSlotTimes, reservedPositions, releaseAtOf, bedDayReleaseAt, shanghaiDayStart, addDays,
} from './capacity.rules.js';
export type { Hold, Requester, SlotPattern, PlannedSlot, SlotRefusal, HoldRefusal } from './capacity.rules.js';
export { renderReferralSlip, renderAdmissionNotice, PdfFontMissingError } from './referral-slip.pdf.js';
export type { PrintOptions } from './referral-slip.pdf.js';
export { RoutingService, ROUTING_CAPACITY_DAYS, ROUTING_MAX_CANDIDATES } from './routing.service.js';
export { rankDestinations, coverageFor, haversineKm, StraightLineTravelEstimator, DEFAULT_ROAD_FACTOR } from './routing.rules.js';
export type { TravelEstimator, LatLon, RankInput, RoutingOrigin, CandidateFacts, CoverageVerdict, AllianceFacts, PairingRelation } from './routing.rules.js';
export { COMMON_DIAGNOSES, searchCommonDiagnoses, commonDiagnosisName } from './common-diagnoses.js';
export type { CommonDiagnosis } from './common-diagnoses.js';
