import type { IndicatorDefinitionDto } from '../../contracts/indicator.js';
import { grassrootsTiers } from '../../contracts/codes.js';

/** The shipped definitions (version 1 of each); seeded idempotently by `ensureIndicatorDefinitions`. */
export type ShippedDefinition = Omit<IndicatorDefinitionDto, 'id' | 'validTo'>;

const SET_2024 = '《紧密型县域医疗卫生共同体监测指标体系（2024版）》';
const WORKING = '工作定义见 docs/indicators.md（shared/docs/domain.md §8）';
const areaLevels = ['alliance', 'county', 'city', 'province'] as const;
const allLevels = ['facility', 'alliance', 'county', 'city', 'province'] as const;
const allPeriods = ['month', 'quarter', 'year'] as const;
const grassroots = [...grassrootsTiers];
const FROM = '2024-01-01';

/** Activity of county residents, wherever treated (the denominator of the "does the county keep its patients" family). */
const residentVisits = { source: 'activity', measure: 'records', population: 'residents', excludePharmacy: true } as const;

export const shippedDefinitions: readonly ShippedDefinition[] = [
  {
    code: 'county-visit-rate', version: 1, nameZh: '县域就诊率', nameEn: 'County visit rate', dimension: 'division-of-labour', formula: 'ratio',
    numerator: { text: '县域居民在本县域内医疗卫生机构的门诊人次与住院人次之和（不含药店购药）', key: { ...residentVisits, facilities: 'home' } },
    denominator: { text: '县域居民在各地医疗卫生机构的门诊人次与住院人次之和（含县外，来自医保结算；不含药店购药）', key: { ...residentVisits, facilities: 'any' } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: '《国务院办公厅关于推进分级诊疗制度建设的指导意见》（国办发〔2015〕70号）：县域内就诊率提高到90%左右', note: WORKING, validFrom: FROM,
  },
  {
    code: 'in-county-admission-share', version: 1, nameZh: '参保人县域内住院人次占比', nameEn: 'In-county share of admissions of insured residents',
    dimension: 'efficiency', formula: 'ratio',
    numerator: { text: '县域参保居民在本县域内机构的住院人次', key: { source: 'activity', measure: 'records', population: 'residents', facilities: 'home', classes: ['inpatient'], insuredOnly: true } },
    denominator: { text: '县域参保居民的全部住院人次（含县外）', key: { source: 'activity', measure: 'records', population: 'residents', facilities: 'any', classes: ['inpatient'], insuredOnly: true } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标11`, note: WORKING, validFrom: FROM,
  },
  {
    code: 'grassroots-visit-share', version: 1, nameZh: '县域内基层医疗卫生机构诊疗人次数占比', nameEn: 'Grassroots share of in-county visits',
    dimension: 'division-of-labour', formula: 'ratio',
    numerator: { text: '范围内基层医疗卫生机构（村卫生室、乡镇卫生院、社区卫生服务中心/站）的门诊诊疗人次', key: { source: 'activity', measure: 'records', population: 'all', facilities: 'scope', classes: ['outpatient'], excludePharmacy: true, tiers: grassroots } },
    denominator: { text: '范围内全部医疗卫生机构的门诊诊疗人次', key: { source: 'activity', measure: 'records', population: 'all', facilities: 'scope', classes: ['outpatient'], excludePharmacy: true } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标7`, note: WORKING, validFrom: FROM,
  },
  {
    code: 'lead-down-referral-share', version: 1, nameZh: '牵头医院下转患者占比', nameEn: 'Down-referral share of the lead hospital', dimension: 'referral', formula: 'ratio',
    numerator: { text: '牵头医院（当日为县域医共体或城市医疗集团牵头单位）发出的下转人次（已提交，不含草稿、撤销与被拒）', key: { source: 'referrals', direction: 'down', leadOnly: true } },
    denominator: { text: '牵头医院同期出院人次', key: { source: 'activity', measure: 'discharges', population: 'all', facilities: 'scope', classes: ['inpatient'], leadOnly: true } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...allLevels], periods: [...allPeriods],
    source: '县域医共体建设评判常用指标：牵头医院下转患者数量占比（逐年提高，年增长≥10%）', note: `按机构统计时不要求该机构为牵头单位。${WORKING}`, validFrom: FROM,
  },
  {
    code: 'up-referrals', version: 1, nameZh: '上转患者人次', nameEn: 'Up-referrals', dimension: 'referral', formula: 'count',
    numerator: { text: '范围内机构发出的上转人次（已提交，不含草稿、撤销与被拒）', key: { source: 'referrals', direction: 'up' } },
    denominator: null, baseCode: null, scale: 1, unit: 'count', direction: 'neutral', levels: [...allLevels], periods: [...allPeriods],
    source: '双向转诊统计（本平台转诊记录）', note: WORKING, validFrom: FROM,
  },
  {
    code: 'up-referrals-growth', version: 1, nameZh: '上转患者人次同比增长率', nameEn: 'Up-referrals, year-on-year growth', dimension: 'referral', formula: 'growth',
    numerator: { text: '本期上转人次', key: { source: 'referrals', direction: 'up' } },
    denominator: { text: '上年同期上转人次', key: { source: 'referrals', direction: 'up' } },
    baseCode: 'up-referrals', scale: 100, unit: 'percent', direction: 'neutral', levels: [...allLevels], periods: [...allPeriods],
    source: '双向转诊统计（本平台转诊记录）', note: '（本期 ÷ 上年同期 − 1）× 100%', validFrom: FROM,
  },
  {
    code: 'down-referrals', version: 1, nameZh: '下转患者人次', nameEn: 'Down-referrals', dimension: 'referral', formula: 'count',
    numerator: { text: '范围内机构发出的下转人次（已提交，不含草稿、撤销与被拒）', key: { source: 'referrals', direction: 'down' } },
    denominator: null, baseCode: null, scale: 1, unit: 'count', direction: 'higher-better', levels: [...allLevels], periods: [...allPeriods],
    source: '双向转诊统计（本平台转诊记录）', note: WORKING, validFrom: FROM,
  },
  {
    code: 'down-referrals-growth', version: 1, nameZh: '下转患者人次同比增长率', nameEn: 'Down-referrals, year-on-year growth', dimension: 'referral', formula: 'growth',
    numerator: { text: '本期下转人次', key: { source: 'referrals', direction: 'down' } },
    denominator: { text: '上年同期下转人次', key: { source: 'referrals', direction: 'down' } },
    baseCode: 'down-referrals', scale: 100, unit: 'percent', direction: 'higher-better', levels: [...allLevels], periods: [...allPeriods],
    source: '双向转诊统计（本平台转诊记录）', note: '（本期 ÷ 上年同期 − 1）× 100%', validFrom: FROM,
  },
  {
    code: 'in-county-fund-share', version: 1, nameZh: '医保基金县域内支出占比（不含药店）', nameEn: 'In-county share of insurance fund spending (pharmacies excluded)',
    dimension: 'division-of-labour', formula: 'ratio',
    numerator: { text: '县域参保居民在本县域内机构发生的医保基金支付（不含药店）', key: { source: 'activity', measure: 'fundPaid', population: 'residents', facilities: 'home', insuredOnly: true, excludePharmacy: true } },
    denominator: { text: '县域参保居民的全部医保基金支付（含县外，不含药店）', key: { source: 'activity', measure: 'fundPaid', population: 'residents', facilities: 'any', insuredOnly: true, excludePharmacy: true } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标8`, note: `分子分母的金额以分为单位。${WORKING}`, validFrom: FROM,
  },
  {
    code: 'grassroots-fund-share', version: 1, nameZh: '县域内基层医疗卫生机构医保基金占比', nameEn: 'Grassroots share of in-county insurance spending',
    dimension: 'division-of-labour', formula: 'ratio',
    numerator: { text: '县域参保居民在本县域内基层机构发生的医保基金支付（不含药店）', key: { source: 'activity', measure: 'fundPaid', population: 'residents', facilities: 'home', insuredOnly: true, excludePharmacy: true, tiers: grassroots } },
    denominator: { text: '县域参保居民在本县域内机构发生的医保基金支付（不含药店）', key: { source: 'activity', measure: 'fundPaid', population: 'residents', facilities: 'home', insuredOnly: true, excludePharmacy: true } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标9`, note: `分子分母的金额以分为单位。${WORKING}`, validFrom: FROM,
  },
  {
    code: 'in-county-cost-per-admission', version: 1, nameZh: '县域内参保人次均住院费用', nameEn: 'In-county cost per admission of insured residents',
    dimension: 'efficiency', formula: 'ratio',
    numerator: { text: '县域参保居民在本县域内机构住院的总费用（按入院日期，单位：分）', key: { source: 'activity', measure: 'totalCost', population: 'residents', facilities: 'home', classes: ['inpatient'], insuredOnly: true } },
    denominator: { text: '同一范围的住院人次', key: { source: 'activity', measure: 'records', population: 'residents', facilities: 'home', classes: ['inpatient'], insuredOnly: true } },
    baseCode: null, scale: 1, unit: 'yuan', direction: 'lower-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标10`, note: `数值以元计，分子以分计。${WORKING}`, validFrom: FROM,
  },
  {
    code: 'in-county-cost-per-admission-growth', version: 1, nameZh: '县域内参保人次均住院费用增长率', nameEn: 'In-county cost per admission, year-on-year growth',
    dimension: 'efficiency', formula: 'growth',
    numerator: { text: '本期县域内参保人次均住院费用（元）', key: { source: 'activity', measure: 'totalCost', population: 'residents', facilities: 'home', classes: ['inpatient'], insuredOnly: true } },
    denominator: { text: '上年同期县域内参保人次均住院费用（元）', key: { source: 'activity', measure: 'totalCost', population: 'residents', facilities: 'home', classes: ['inpatient'], insuredOnly: true } },
    baseCode: 'in-county-cost-per-admission', scale: 100, unit: 'percent', direction: 'lower-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标10`, note: '（本期 ÷ 上年同期 − 1）× 100%', validFrom: FROM,
  },
  {
    code: 'tcm-visit-share', version: 1, nameZh: '县域内中医类诊疗量占比', nameEn: 'TCM share of in-county visits', dimension: 'efficiency', formula: 'ratio',
    numerator: { text: '范围内中医类机构（县中医医院）与各机构中医科的门诊诊疗人次', key: { source: 'activity', measure: 'records', population: 'all', facilities: 'scope', classes: ['outpatient'], excludePharmacy: true, tcmOnly: true } },
    denominator: { text: '范围内全部门诊诊疗人次', key: { source: 'activity', measure: 'records', population: 'all', facilities: 'scope', classes: ['outpatient'], excludePharmacy: true } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...allLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标12`, note: WORKING, validFrom: FROM,
  },
  {
    code: 'village-ecg-coverage', version: 1, nameZh: '村卫生室心电图设备覆盖率', nameEn: 'Village clinics with an ECG device', dimension: 'homogeneity', formula: 'unavailable',
    numerator: { text: '配备心电图设备的村卫生室数', key: { source: 'unavailable', reason: '平台尚无设备登记，无法统计配备心电图设备的村卫生室' } },
    denominator: { text: '村卫生室数', key: { source: 'facilities', tiers: ['village-clinic'] } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: `${SET_2024} 指标5`, note: '设备登记上线后以新版本定义替换', validFrom: FROM,
  },
  {
    code: 'township-stationed-share', version: 1, nameZh: '有派驻医师的乡镇卫生院占比', nameEn: 'Share of township centers with a stationed physician', dimension: 'homogeneity',
    formula: 'ratio',
    numerator: { text: '期内有医师派驻（派驻期与统计期重叠）的乡镇卫生院数', key: { source: 'facilities', tiers: ['township-health-center'], withStationed: true } },
    denominator: { text: '期末范围内的乡镇卫生院数（医联体：期末当日的成员）', key: { source: 'facilities', tiers: ['township-health-center'] } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...areaLevels], periods: [...allPeriods],
    source: '《关于全面推进紧密型县域医疗卫生共同体建设的指导意见》（2023）：县级医院向乡镇卫生院派驻医师；本平台工作定义', note: WORKING, validFrom: FROM,
  },
  {
    code: 'stationed-physicians-per-10k', version: 1, nameZh: '每万名居民派驻基层的中级及以上职称医师数',
    nameEn: 'Intermediate-title physicians stationed at the grassroots per 10,000 residents', dimension: 'homogeneity', formula: 'ratio',
    numerator: { text: '来自县级及以上医院、中级及以上职称、年内派驻基层累计满6个月（≥183天）的医师数', key: { source: 'stationed-physicians', minTitle: 'intermediate', minDays: 183, minHomeTierRank: 2 } },
    denominator: { text: '常住居民数：主索引中居住地在该区域的居民数（医联体取其所在县）', key: { source: 'residents' } },
    baseCode: null, scale: 10000, unit: 'per-10000', direction: 'higher-better', levels: [...areaLevels], periods: ['year'],
    source: `${SET_2024} 指标4`, note: `居民数取主索引登记数，并非统计公报人口。${WORKING}`, validFrom: FROM,
  },
  // Remote diagnosis (资源共享中心, domain.md §3), read live from the diagnosis requests through the diagnosis module's
  // per-request definition — the figures equal GET /api/v1/diagnosis/statistics (docs/diagnosis.md, turnaround statistics).
  {
    code: 'remote-diagnosis-volume', version: 1, nameZh: '远程诊断量', nameEn: 'Remote diagnosis requests', dimension: 'tightness', formula: 'count',
    numerator: { text: '范围内机构（申请方）向资源共享中心发出的远程诊断申请数（按申请日期，不含已撤销）', key: { source: 'diagnosis', measure: 'requests' } },
    denominator: null, baseCode: null, scale: 1, unit: 'count', direction: 'higher-better', levels: [...allLevels], periods: [...allPeriods],
    source: '基层检查、上级诊断：资源共享中心远程诊断统计（本平台远程诊断记录）', note: WORKING, validFrom: FROM,
  },
  {
    code: 'remote-diagnosis-on-time-rate', version: 1, nameZh: '远程诊断及时率', nameEn: 'Remote diagnosis reports on time', dimension: 'homogeneity', formula: 'ratio',
    numerator: { text: '其中在时限内发出正式报告的申请数（报告时间不晚于到期时间；因影像质控退回而暂停的时间不计）', key: { source: 'diagnosis', measure: 'reportedOnTime' } },
    denominator: { text: '范围内机构发出、已发出正式报告的远程诊断申请数（按申请日期，不含已撤销）', key: { source: 'diagnosis', measure: 'reported' } },
    baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: [...allLevels], periods: [...allPeriods],
    source: '基层检查、上级诊断：资源共享中心报告时限（docs/deadlines.md：急诊 30 分钟，常规当日 8 小时，病理 24 小时）', note: WORKING, validFrom: FROM,
  },
];
