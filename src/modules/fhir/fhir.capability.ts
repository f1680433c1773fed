import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { extensions, systems } from './fhir.codes.js';
import { searchParamSpecs, supportedResourceTypes, type FhirResourceType } from './fhir.search.js';

/**
 * Interactions per resource type: the network is read-only over FHIR; patients can be registered and updated; a
 * referral is created as a ServiceRequest and moved by updating its Task; an Appointment books a Slot.
 */
const interactions: Record<FhirResourceType, readonly ('read' | 'search-type' | 'create' | 'update' | 'delete')[]> = {
  Organization: ['read', 'search-type'],
  Location: ['read', 'search-type'],
  Practitioner: ['read', 'search-type'],
  PractitionerRole: ['read', 'search-type'],
  OrganizationAffiliation: ['read', 'search-type'],
  Patient: ['read', 'search-type', 'create', 'update'],
  ServiceRequest: ['read', 'search-type', 'create'],
  Task: ['read', 'search-type', 'update'],
  Slot: ['read', 'search-type'],
  Schedule: ['read', 'search-type'],
  Appointment: ['read', 'search-type', 'create'],
  Subscription: ['read', 'search-type', 'create', 'delete'],
  // Shared diagnosis centers (docs/fhir.md, "Diagnosis centers")
  DiagnosticReport: ['read', 'search-type', 'create'],
  ImagingStudy: ['read', 'search-type'],
  Flag: ['read', 'search-type'],
  Communication: ['read', 'search-type', 'create'],
};

const resourceDocs: Record<FhirResourceType, string> = {
  Organization: '医疗机构（机构层级见 type）与医联体（id 为 alliance-<医联体id>，type 为医联体类型）',
  Location: '机构所在地点，每个机构一个（id 为 loc-<机构id>）',
  Practitioner: '医务人员',
  PractitionerRole: '医务人员在机构的执业、派驻、巡回医疗与坐诊安排',
  OrganizationAffiliation: '医联体成员关系（含历史），period.end 为最后在册日',
  Patient: '主索引患者。检索与读取按访问依据限定范围并记入审计日志',
  ServiceRequest: '转诊申请（category = SNOMED CT 3457005 Patient referral）与远程诊断申请（category 为诊断中心类型 http://yilian.org/fhir/CodeSystem/diagnosis-center-type）。id 与其 Task 相同；POST 即发起上转或诊断申请，平台同时创建 Task',
  Task: '转诊流程：status 即转诊状态，businessStatus 为进行中的子状态，restriction.period.end 为当前步骤时限。PUT 修改 status 推进流程（须 If-Match）',
  Slot: '号源（含为转诊预留的号源，comment 说明预留对象与开放时间）',
  Schedule: '排班（门诊或检查），actor 为机构所在地点 Location/loc-<机构id>',
  Appointment: '转诊预约：POST 引用空闲 Slot 与 ServiceRequest 即预约，同一号源重复预约返回 409',
  Subscription: 'R4 rest-hook 订阅 Task 变化（criteria 为 Task?owner=…&requester=…&status=…）；只能看到自己创建的订阅',
  DiagnosticReport: '诊断中心的已发布报告（初步、正式、更正），id 与诊断申请相同，basedOn 为 ServiceRequest。诊断医师 POST（status preliminary 或 final）即出具报告，正式报告完成 Task',
  ImagingStudy: '诊断申请上传的 DICOM 检查，按 Study Instance UID 分组（id 为 <申请id>-<序号>）',
  Flag: '危急值（id 为危急值 id）：status active 为待复述确认，inactive 为已确认（确认内容在扩展 critical-value-acknowledgement）',
  Communication: '危急值的复述确认（id 与 Flag 相同）。申请机构医生 POST（about 为 Flag/<id>，扩展中填写接收人、复述与处置）即确认',
};

export interface CapabilityOrigin {
  /** Absolute FHIR base, e.g. https://yilian.example.cn/fhir. */
  base: string;
  /** Absolute OAuth2 token endpoint, e.g. https://yilian.example.cn/auth/token. */
  tokenUrl: string;
  /** When the statement is produced (ISO instant). */
  date: string;
  softwareVersion: string;
}

/**
 * The server's CapabilityStatement (http://hl7.org/fhir/R4/capabilitystatement.html): R4 4.0.1, JSON, OAuth2 bearer
 * tokens from /auth/token announced with the SMART `oauth-uris` extension, and per resource its interactions and the
 * search parameters that fhir.search.ts implements (one list feeds both, so they cannot drift apart).
 */
export function capabilityStatement(o: CapabilityOrigin): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = supportedResourceTypes.map((type) => {
    const writable = interactions[type].includes('update');
    return {
      type,
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      documentation: resourceDocs[type],
      interaction: interactions[type].map((code) => ({ code })),
      versioning: writable ? 'versioned-update' : 'no-version',
      readHistory: false,
      updateCreate: false,
      conditionalCreate: false,
      conditionalUpdate: false,
      conditionalDelete: 'not-supported',
      // `_sort` is a result parameter, not a SearchParameter: the ServiceRequest documentation says what it accepts.
      searchParam: searchParamSpecs[type].filter((p) => p.name !== '_sort').map((p) => ({ name: p.name, definition: p.definition, type: p.type, documentation: p.documentation })),
    };
  });
  // Monitoring indicators as Measures (docs/fhir.md, "Measures"): not a searchable type of fhir.search.ts.
  resource.push({
    type: 'Measure',
    profile: 'http://hl7.org/fhir/StructureDefinition/Measure',
    documentation: '监测指标（id 为指标代码，url 为 http://yilian.org/fhir/Measure/<代码>，version 为定义版本）。$evaluate-measure 按机构或医联体（Organization/alliance-<id>）计算一个自然年、季度或月，返回汇总 MeasureReport',
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: [
      { name: '_id', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', type: 'token', documentation: '指标代码；逗号 = 或' },
      { name: 'url', definition: 'http://hl7.org/fhir/SearchParameter/Measure-url', type: 'uri', documentation: '规范 URL，可带 |版本' },
    ],
    operation: [{ name: 'evaluate-measure', definition: 'http://hl7.org/fhir/OperationDefinition/Measure-evaluate-measure', documentation: 'GET，参数 periodStart、periodEnd（恰好一个自然年、季度或月）、subject=Organization/<id>，reportType 仅 summary' }],
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: o.date,
    publisher: 'Yilian 医联',
    kind: 'instance',
    software: { name: 'Yilian 医联', version: o.softwareVersion },
    implementation: { description: '医联 · 分级诊疗协同平台 FHIR R4 接口', url: o.base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation: '除 /metadata 外均需 OAuth2 Bearer 令牌（POST /auth/token，grant_type=password 或 client_credentials）。分页：_count（默认 20，最大 200）与 _offset。',
        security: {
          extension: [{ url: extensions.oauthUris, extension: [{ url: 'token', valueUri: o.tokenUrl }] }],
          service: [{ coding: [{ system: systems.restfulSecurityService, code: 'OAuth', display: 'OAuth' }], text: 'OAuth2 Bearer token' }],
          description: 'Authorization: Bearer <access_token>',
        },
        resource,
        // POST /fhir: batch/transaction Bundles of Encounter + Claim/ExplanationOfBenefit (activity data, docs/fhir.md).
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}
