import type {
  AllianceKind, ConsentMethod, FacilityTier, HoldReason, HospitalGrade, HospitalLevel, MembershipRole, PractitionerRoleKind,
  PractitionerTitle, Profession, ReferralDirection, ReferralSubState,
} from '../../contracts/codes.js';
import type { CenterType } from '../../contracts/diagnosis.js';

/**
 * The URIs the FHIR façade publishes (docs/fhir.md, "Code systems and identifier systems"). They live under one
 * namespace we control, `http://yilian.org/fhir`, so they stay stable whatever national registry URIs become; the
 * only external ones are the resident ID OID (GB 11643, assigned by the national health information standards body)
 * and HL7's own code systems.
 */
export const NS = 'http://yilian.org/fhir';

export const systems = {
  /** 统一社会信用代码 (GB 32100-2015), 18 characters. */
  uscc: `${NS}/sid/uscc`,
  /** Local facility code, used when a facility has no unified social credit code (village clinics). */
  facilityCode: `${NS}/sid/facility-code`,
  /** Alliance identifier (医联体编码), e.g. `CT-YGT-2019`. */
  allianceCode: `${NS}/sid/alliance-code`,
  /** Practice certificate number or local staff number of a practitioner. */
  practitioner: `${NS}/sid/practitioner`,
  /** 居民身份证号码, GB 11643-1999 (OID 2.16.156.10011.1.3). */
  residentId: 'urn:oid:2.16.156.10011.1.3',

  facilityTier: `${NS}/CodeSystem/facility-tier`,
  allianceKind: `${NS}/CodeSystem/alliance-kind`,
  hospitalLevel: `${NS}/CodeSystem/hospital-level`,
  hospitalGrade: `${NS}/CodeSystem/hospital-grade`,
  practitionerTitle: `${NS}/CodeSystem/practitioner-title`,
  profession: `${NS}/CodeSystem/profession`,
  practitionerRoleKind: `${NS}/CodeSystem/practitioner-role-kind`,
  membershipRole: `${NS}/CodeSystem/membership-role`,
  /** 转诊单号 (e.g. 20261122-000042) on ServiceRequest.identifier and Task.identifier. */
  referralNumber: `${NS}/sid/referral-number`,
  /** Monitoring indicator code (Measure.identifier), e.g. `county-visit-rate`. */
  indicatorCode: `${NS}/sid/indicator-code`,
  /** Task.businessStatus while in progress: scheduled, arrived, admitted, discharged. */
  referralSubState: `${NS}/CodeSystem/referral-sub-state`,
  /** Task.statusReason while on hold. */
  holdReason: `${NS}/CodeSystem/hold-reason`,
  /** ServiceRequest.category[1]: up (上转) or down (下转). */
  referralDirection: `${NS}/CodeSystem/referral-direction`,
  /** How the patient consented to the referral (referral-consent extension). */
  consentMethod: `${NS}/CodeSystem/consent-method`,
  /** Schedule.serviceType / Slot.serviceType: outpatient clinic or exam. */
  scheduleKind: `${NS}/CodeSystem/schedule-kind`,
  /** Task.output[].type of the returned visit or discharge summary. */
  referralOutput: `${NS}/CodeSystem/referral-output`,
  // Shared diagnosis centers (docs/fhir.md, "Diagnosis centers")
  /** ServiceRequest.category / DiagnosticReport.category: the center type (imaging, ecg, pathology, lab, consultation). */
  diagnosisCenterType: `${NS}/CodeSystem/diagnosis-center-type`,
  /** ServiceRequest.code.coding: the platform's modality codes (DR, US, CT, MR, ECG-12, HISTO, FROZEN, CYTO, LAB-PANEL). */
  diagnosisModality: `${NS}/CodeSystem/diagnosis-modality`,
  /** Task.businessStatus of a diagnosis request: its worklist status (requested … completed, cancelled). */
  diagnosisStatus: `${NS}/CodeSystem/diagnosis-status`,
  /** Flag.code / Communication.category of critical values (危急值) and their read-back acknowledgement. */
  diagnosisCritical: `${NS}/CodeSystem/diagnosis-critical`,
  /** 申请单号 (DX-YYYYMMDD-NNNNNN) on ServiceRequest, Task and DiagnosticReport identifiers. */
  diagnosisRequestNumber: `${NS}/sid/diagnosis-request-number`,
  /** HL7 v2 table 0074 diagnostic service section (RAD, EC, PAT, LAB) beside the center type on DiagnosticReport.category. */
  diagnosticServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  /** DICOM modality codes (CID 29) on ImagingStudy. */
  dicomModality: 'http://dicom.nema.org/resources/ontology/DCM',
  flagCategory: 'http://terminology.hl7.org/CodeSystem/flag-category',
  /** Diagnoses (national clinical version codes are accepted; written with the dot, e.g. I63.9). */
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  snomed: 'http://snomed.info/sct',
  taskCode: 'http://hl7.org/fhir/CodeSystem/task-code',

  /** HL7 code systems used beside ours so generic clients understand the resources. */
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  administrativeGender: 'http://hl7.org/fhir/administrative-gender',
  restfulSecurityService: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
} as const;

export const extensions = {
  /** GB/T 2260 division code of an address (`valueCode`): 6 digits county, 9 township, 12 village. */
  divisionCode: `${NS}/StructureDefinition/division-code`,
  /** Hospital level and grade (医院等级, e.g. 三级甲等) as a CodeableConcept with one coding of each system. */
  hospitalLevel: `${NS}/StructureDefinition/hospital-level`,
  /** ServiceRequest: the patient's informed consent — sub-extensions `by` (valueString), `method` (valueCode), `at` (valueDateTime). */
  referralConsent: `${NS}/StructureDefinition/referral-consent`,
  /** ServiceRequest: why another destination than the first recommendation was chosen (valueString). */
  referralOverrideReason: `${NS}/StructureDefinition/referral-override-reason`,
  /** ServiceRequest: why a diagnosis of the sender's own tier catalogue is referred anyway (valueString). */
  referralInOwnCatalogueNote: `${NS}/StructureDefinition/referral-in-own-catalogue-note`,
  /** MeasureReport.group: why there is no measureScore ("no data", or a zero denominator) — valueString. */
  measureScoreAbsentReason: `${NS}/StructureDefinition/measure-score-absent-reason`,
  /** MeasureReport.group: the target configured for the subject's area and year (valueDecimal, in the score's unit). */
  measureTarget: `${NS}/StructureDefinition/measure-target`,
  /** MeasureReport.group.population: a money figure in yuan (valueMoney, CNY) — its `count` is in fen. */
  populationAmount: `${NS}/StructureDefinition/population-amount`,
  /** MeasureReport.group.population: a figure that is not a whole number (valueDecimal; growth indicators). */
  populationValue: `${NS}/StructureDefinition/population-value`,
  /** Measure: the definition's unit (valueCode: percent, count, yuan, per-10000). */
  measureUnit: `${NS}/StructureDefinition/measure-unit`,
  /**
   * Flag and Communication of a critical value: the read-back acknowledgement (复述确认) — sub-extensions `receivedBy`,
   * `readBack`, `actionTaken` (valueString), and on output `acknowledgedBy` (valueString) and `at` (valueDateTime).
   */
  criticalValueAcknowledgement: `${NS}/StructureDefinition/critical-value-acknowledgement`,
  /** Flag: the diagnosis request (ServiceRequest) the critical value was found on (valueReference). */
  diagnosisRequest: `${NS}/StructureDefinition/diagnosis-request`,
  /** HL7 core translation extension (on `_title`: sub-extensions `lang`, `content`). */
  translation: 'http://hl7.org/fhir/StructureDefinition/translation',
  /** SMART on FHIR OAuth endpoints on CapabilityStatement.rest.security. */
  oauthUris: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
} as const;

/**
 * Chinese display names of our code systems (glossary.md). `Record<…>` over the `as const` tuples of
 * contracts/codes.ts makes the compiler refuse a code added there without a display here.
 */
export const facilityTierDisplay: Record<FacilityTier, string> = {
  'village-clinic': '村卫生室',
  'township-health-center': '乡镇卫生院',
  'community-health-center': '社区卫生服务中心',
  'county-hospital': '县级综合医院',
  'county-tcm-hospital': '县中医医院',
  'county-mch-hospital': '县妇幼保健院',
  'city-hospital': '市级医院',
  'regional-medical-center': '区域医疗中心',
  'national-medical-center': '国家医学中心',
};

export const allianceKindDisplay: Record<AllianceKind, string> = {
  'county-community': '紧密型县域医共体',
  'city-group': '紧密型城市医疗集团',
  'specialty-alliance': '专科联盟',
  'telemedicine-network': '远程医疗协作网',
};

export const hospitalLevelDisplay: Record<HospitalLevel, string> = { '1': '一级', '2': '二级', '3': '三级' };
export const hospitalGradeDisplay: Record<HospitalGrade, string> = { A: '甲等', B: '乙等', C: '丙等', ungraded: '未定等' };

export const practitionerTitleDisplay: Record<PractitionerTitle, string> = {
  junior: '初级',
  intermediate: '中级',
  'associate-senior': '副高级',
  senior: '正高级',
};

export const professionDisplay: Record<Profession, string> = {
  physician: '医师',
  nurse: '护士',
  pharmacist: '药师',
  technician: '技师',
  manager: '管理人员',
};

export const practitionerRoleKindDisplay: Record<PractitionerRoleKind, string> = {
  home: '本机构执业',
  stationed: '派驻',
  circuit: '巡回医疗',
  visiting: '坐诊',
};

export const membershipRoleDisplay: Record<MembershipRole, string> = { lead: '牵头单位', member: '成员单位' };

/** SNOMED CT 3457005 "Patient referral": ServiceRequest.category of every referral. */
export const PATIENT_REFERRAL = { system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' } as const;

export const referralSubStateDisplay: Record<ReferralSubState, string> = {
  scheduled: '已预约',
  arrived: '已到诊',
  admitted: '已入院',
  discharged: '已出院',
};

export const holdReasonDisplay: Record<HoldReason, string> = {
  'patient-unavailable': '患者暂时无法就诊',
  'patient-deciding': '患者考虑中',
  'awaiting-documents': '等待补充资料',
  other: '其他',
};

export const referralDirectionDisplay: Record<ReferralDirection, string> = { up: '上转', down: '下转' };

export const consentMethodDisplay: Record<ConsentMethod, string> = {
  'signed-form': '签署知情同意书',
  'verbal-witnessed': '口头同意（有见证）',
  electronic: '电子签名',
};

export const scheduleKindDisplay: Record<'outpatient' | 'exam', string> = { outpatient: '门诊', exam: '检查' };

/** Canonical base of the monitoring indicators as FHIR Measures: `${MEASURE_URL_BASE}/<indicator code>` (docs/fhir.md, "Measures"). */
export const MEASURE_URL_BASE = `${NS}/Measure`;

/** Prefix of the FHIR ids of alliance Organizations: `alliance-<allianceId>`. */
export const ALLIANCE_ID_PREFIX = 'alliance-';
/** Prefix of the FHIR ids of Locations, one per facility: `loc-<organizationId>`. */
export const LOCATION_ID_PREFIX = 'loc-';

/** Display names of the diagnosis center types (contracts/diagnosis.ts centerTypes). */
export const centerTypeDisplay: Record<CenterType, string> = {
  imaging: '影像诊断', ecg: '心电诊断', pathology: '病理诊断', lab: '检验', consultation: '远程会诊',
};

/**
 * SNOMED CT procedure concepts set beside the center type on ServiceRequest.category, so a generic client understands
 * the kind of service: 363679005 Imaging (procedure), 29303009 Electrocardiographic procedure, 108257001 Anatomic
 * pathology procedure, 15220000 Laboratory test, 11429006 Consultation.
 */
export const centerTypeSnomed: Record<CenterType, { code: string; display: string }> = {
  imaging: { code: '363679005', display: 'Imaging' },
  ecg: { code: '29303009', display: 'Electrocardiographic procedure' },
  pathology: { code: '108257001', display: 'Anatomic pathology procedure' },
  lab: { code: '15220000', display: 'Laboratory test' },
  consultation: { code: '11429006', display: 'Consultation' },
};
