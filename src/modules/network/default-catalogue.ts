import type { FacilityTier } from '../../contracts/codes.js';
import { nameBasedId } from '../../shared/ids.js';

/**
 * The default tier service catalogue (诊疗目录): which ICD-10 ranges each tier treats when an alliance has not
 * configured its own. Basis and decisions: docs/tier-catalogue.md. This is configuration with a documented default
 * (architecture.md habit 6): it is seeded into `tier_catalogue_entries` with `allianceId = null`, and an alliance
 * overrides it with its own rows for a tier, which `tierCovers` consults first.
 *
 * Ranges are ICD-10 (WHO four-character level; national-extension codes normalise onto them). Within a tier an
 * `exclude` beats an `include`, so a broad include can carve out what needs a higher tier. A condition matched by
 * no row is not covered by that tier.
 */
export interface DefaultCatalogueEntry {
  tier: FacilityTier;
  range: string;
  effect: 'include' | 'exclude';
  label: string;
  note?: string;
}

export const DEFAULT_CATALOGUE_SOURCE = 'yilian-default-2026';

type Row = readonly [range: string, effect: 'include' | 'exclude', label: string, note?: string];

/**
 * Village clinic (村卫生室): first contact for minor illness, follow-up of managed chronic disease, basic public
 * health. Deliberately short: anything else is seen at the township center.
 */
const villageClinic: readonly Row[] = [
  ['J00-J06', 'include', '急性上呼吸道感染（普通感冒、咽炎、扁桃体炎）'],
  ['J20', 'include', '急性支气管炎（轻症）'],
  ['A09', 'include', '急性腹泻、胃肠炎（轻症，无脱水）'],
  ['K29-K30', 'include', '胃炎、消化不良'],
  ['I10', 'include', '原发性高血压（随访管理）', '基本公共卫生服务高血压患者健康管理'],
  ['E11', 'include', '2型糖尿病（随访管理）', '基本公共卫生服务2型糖尿病患者健康管理'],
  ['E14', 'include', '糖尿病，未特指（随访管理）'],
  ['F20', 'include', '精神分裂症（稳定期随访）', '严重精神障碍患者管理，随访与服药督导'],
  ['M54', 'include', '腰背痛'],
  ['T14.0', 'include', '浅表损伤（清创、包扎）'],
  ['Z00', 'include', '健康检查（含老年人健康体检协助）'],
  ['Z48', 'include', '换药、拆线等术后护理'],
];

/**
 * Township health center (乡镇卫生院) and community health center (社区卫生服务中心): common and frequent diseases,
 * stable chronic disease, rehabilitation after discharge, antenatal care without delivery.
 */
const grassrootsCenter: readonly Row[] = [
  // Infectious
  ['A02-A09', 'include', '细菌性及病毒性肠道感染、感染性腹泻', '霍乱 A00、伤寒 A01 不在此列：报告并转诊'],
  ['B00-B02', 'include', '单纯疱疹、水痘、带状疱疹'],
  ['B08', 'include', '手足口病（普通型）及其他病毒性皮疹', '重症手足口病转县级'],
  ['B26', 'include', '流行性腮腺炎'],
  ['B35-B36', 'include', '皮肤真菌病（癣）'],
  ['B86', 'include', '疥疮'],
  ['Z20.3', 'include', '狂犬病暴露处置（犬伤门诊）'],
  // Blood, endocrine, metabolic
  ['D50', 'include', '缺铁性贫血'],
  ['E11', 'include', '2型糖尿病（稳定期）', '血糖 ≥16.7 或 ≤3.9 mmol/L 为紧急转诊'],
  ['E14', 'include', '糖尿病，未特指（稳定期）'],
  ['E66', 'include', '肥胖'],
  ['E78', 'include', '血脂异常'],
  ['E86', 'include', '脱水（轻中度，补液）'],
  // Mental
  ['F20', 'include', '精神分裂症（稳定期随访）', '严重精神障碍患者管理'],
  ['F25', 'include', '分裂情感性障碍（稳定期随访）'],
  ['F31', 'include', '双相情感障碍（稳定期随访）'],
  ['F51', 'include', '非器质性睡眠障碍（失眠）'],
  // Nervous system, eye, ear
  ['G43-G44', 'include', '偏头痛及其他头痛'],
  ['G51', 'include', '面神经麻痹（周围性）'],
  ['H00-H01', 'include', '睑腺炎及眼睑炎症'],
  ['H10', 'include', '结膜炎'],
  ['H60-H61', 'include', '外耳道炎、耵聍栓塞'],
  ['H65-H66', 'include', '中耳炎（非化脓性及急性化脓性，无并发症）'],
  // Circulatory
  ['I10', 'include', '原发性高血压', 'SBP ≥180 或 DBP ≥110 mmHg、两次随访控制不满意或出现并发症时转诊'],
  ['I11', 'include', '高血压性心脏病（稳定期）'],
  ['I25', 'include', '慢性缺血性心脏病（稳定性冠心病随访）'],
  ['I69', 'include', '脑血管病后遗症（康复与二级预防）'],
  ['I21-I22', 'exclude', '急性心肌梗死', '上转县医院胸痛中心；可按联盟方案先行溶栓后转运'],
  ['I60-I64', 'exclude', '急性脑卒中', '上转县医院卒中中心'],
  // Respiratory
  ['J00-J06', 'include', '急性上呼吸道感染'],
  ['J18', 'include', '社区获得性肺炎（轻症）', '按 CURB-65 ≤1 分；重症肺炎转县级'],
  ['J20', 'include', '急性支气管炎'],
  ['J30-J31', 'include', '鼻炎、慢性鼻咽炎'],
  ['J40-J42', 'include', '慢性支气管炎'],
  ['J44', 'include', '慢性阻塞性肺疾病（稳定期）'],
  ['J44.0-J44.1', 'exclude', '慢阻肺急性加重', '上转县级；联盟可为具备能力的中心卫生院改为覆盖'],
  ['J45', 'include', '支气管哮喘（非重度）'],
  // Digestive
  ['K02', 'include', '龋病'],
  ['K05', 'include', '牙龈炎和牙周病'],
  ['K21', 'include', '胃食管反流病'],
  ['K25-K27', 'include', '消化性溃疡（无出血、穿孔、梗阻）'],
  ['K29-K30', 'include', '胃炎、功能性消化不良'],
  ['K52', 'include', '非感染性胃肠炎'],
  ['K58-K59', 'include', '肠易激综合征、便秘'],
  ['K64', 'include', '痔'],
  ['K76.0', 'include', '脂肪肝'],
  // Skin
  ['L00-L08', 'include', '皮肤及皮下组织感染（脓疱疮、疖、痈、蜂窝织炎轻症）'],
  ['L20-L30', 'include', '皮炎和湿疹'],
  ['L50', 'include', '荨麻疹'],
  // Musculoskeletal
  ['M10', 'include', '痛风（非急性发作期及轻症急性发作）'],
  ['M15-M19', 'include', '骨关节炎'],
  ['M47', 'include', '颈椎病及脊椎关节强硬'],
  ['M51', 'include', '腰椎间盘突出症（保守治疗）'],
  ['M54', 'include', '背痛、腰痛'],
  ['M75', 'include', '肩周炎等肩部损害'],
  ['M79', 'include', '肌痛、软组织风湿'],
  ['M81', 'include', '骨质疏松（无病理性骨折）'],
  // Genitourinary
  ['N30', 'include', '膀胱炎'],
  ['N39.0', 'include', '泌尿道感染（无并发症）'],
  ['N40', 'include', '前列腺增生（药物治疗）'],
  ['N72', 'include', '子宫颈炎'],
  ['N76', 'include', '阴道炎、外阴炎'],
  ['N95', 'include', '绝经期及围绝经期疾患'],
  // Pregnancy: antenatal and postnatal care only; deliveries are at the county tier
  ['O60-O84', 'exclude', '分娩（含正常分娩）', '住院分娩在县妇幼保健院或县医院'],
  // Injury
  ['S00-S01', 'include', '头部浅表损伤、开放性伤口（无颅脑损伤）'],
  ['S61', 'include', '腕和手开放性伤口'],
  ['S81', 'include', '小腿开放性伤口'],
  ['S93', 'include', '踝关节扭伤'],
  ['T14', 'include', '身体未特指部位的损伤（浅表伤、伤口、扭伤）', '骨折经初步固定后转县级'],
  ['T15-T16', 'include', '眼、耳异物'],
  ['T20-T25', 'include', '烧伤和烫伤（Ⅰ度、小面积浅Ⅱ度）', '面积较大或深度烧伤转县级'],
  // Factors influencing health status: prevention, follow-up, rehabilitation
  ['Z00', 'include', '健康检查'],
  ['Z09', 'include', '治疗后随诊检查'],
  ['Z23-Z27', 'include', '预防接种'],
  ['Z30', 'include', '避孕管理'],
  ['Z34', 'include', '正常妊娠监督（产前检查）'],
  ['Z39', 'include', '产后检查与访视'],
  ['Z47-Z48', 'include', '骨科及外科术后随访护理（换药、拆线、拆除固定）', '县级医院下转的术后康复患者'],
  ['Z50', 'include', '康复治疗', '急性病恢复期、术后恢复期下转续治'],
  ['Z54', 'include', '恢复期'],
  ['Z71', 'include', '健康咨询'],
];

/** Exclusions shared by the county hospitals: conditions that need tertiary care (see docs/tier-catalogue.md). */
const tertiaryOnly: readonly Row[] = [
  ['Q20-Q28', 'exclude', '循环系统先天畸形（复杂先心病）', '上转省级区域医疗中心'],
  ['P07.0', 'exclude', '极低出生体重（<1000 g）', '三级 NICU'],
  ['P07.2', 'exclude', '极度未成熟（<28 周）', '三级 NICU'],
];

/**
 * County general hospital (县人民医院, usually the lead hospital): the common serious conditions — AMI, stroke,
 * pneumonia, appendicitis, fractures, cholecystitis, delivery … — by chapter, minus what needs tertiary care.
 */
const countyHospital: readonly Row[] = [
  ['A00-B99', 'include', '感染性和寄生虫病', '结核病、艾滋病按定点医院管理'],
  ['C16', 'include', '胃恶性肿瘤', '常见肿瘤：规范化手术与化疗'],
  ['C18-C21', 'include', '结直肠和肛门恶性肿瘤', '常见肿瘤：规范化手术与化疗'],
  ['C50', 'include', '乳腺恶性肿瘤', '常见肿瘤：规范化手术与化疗'],
  ['C53', 'include', '子宫颈恶性肿瘤（早期）', '常见肿瘤：规范化手术'],
  ['C73', 'include', '甲状腺恶性肿瘤', '常见肿瘤：规范化手术'],
  ['C34', 'exclude', '肺恶性肿瘤', '胸外科手术、分子病理与综合治疗需市级/区域中心；县级负责筛查与随访'],
  ['C40-C41', 'exclude', '骨和关节软骨恶性肿瘤'],
  ['C70-C72', 'exclude', '脑及中枢神经系统恶性肿瘤'],
  ['C81-C96', 'exclude', '淋巴、造血和有关组织恶性肿瘤（含白血病 C91-C95）'],
  ['D00-D48', 'include', '原位癌、良性肿瘤及动态未定肿瘤'],
  ['D50-D77', 'include', '血液及造血器官疾病'],
  ['D61', 'exclude', '再生障碍性贫血'],
  ['D66-D67', 'exclude', '血友病'],
  ['E00-E16', 'include', '甲状腺疾病、糖尿病及低血糖'],
  ['E40-E68', 'include', '营养不良、营养缺乏及肥胖'],
  ['E78-E79', 'include', '脂代谢紊乱、高尿酸血症'],
  ['E86-E87', 'include', '脱水、水电解质与酸碱平衡紊乱'],
  ['F00-F51', 'include', '精神和行为障碍（门诊诊治与稳定期管理）', '急性发作需住院者转精神专科医院'],
  ['G00-G09', 'include', '中枢神经系统炎症性疾病'],
  ['G20-G26', 'include', '帕金森病及其他锥体外系疾病'],
  ['G30-G32', 'include', '阿尔茨海默病及其他变性疾病'],
  ['G40-G47', 'include', '癫痫、头痛、短暂性脑缺血发作、睡眠障碍'],
  ['G50-G64', 'include', '神经、神经根、神经丛疾患及多发性神经病'],
  ['G80-G83', 'include', '脑性瘫痪及其他瘫痪综合征（康复）'],
  ['H00-H28', 'include', '眼睑、结膜、角膜、晶状体疾病（含白内障手术）'],
  ['H40-H42', 'include', '青光眼'],
  ['H52-H53', 'include', '屈光不正、视觉障碍'],
  ['H60-H95', 'include', '耳和乳突疾病'],
  ['I00-I99', 'include', '循环系统疾病（含急性心肌梗死、脑卒中、心力衰竭）', '胸痛中心、卒中中心'],
  ['I60', 'exclude', '蛛网膜下腔出血', '动脉瘤介入或夹闭需市级/区域中心'],
  ['I71', 'exclude', '主动脉夹层和主动脉瘤'],
  ['J00-J99', 'include', '呼吸系统疾病（含重症肺炎、慢阻肺急性加重）'],
  ['J84', 'exclude', '间质性肺疾病', '需多学科诊断'],
  ['K00-K93', 'include', '消化系统疾病（含阑尾炎、胆囊炎、消化道出血）'],
  ['K72', 'exclude', '肝衰竭'],
  ['L00-L99', 'include', '皮肤和皮下组织疾病'],
  ['L10-L14', 'exclude', '大疱性皮肤病'],
  ['M00-M99', 'include', '肌肉骨骼系统和结缔组织疾病'],
  ['M30-M36', 'exclude', '系统性结缔组织病（系统性红斑狼疮等）', '风湿免疫专科'],
  ['N00-N99', 'include', '泌尿生殖系统疾病（含血液透析）'],
  ['O00-O99', 'include', '妊娠、分娩和产褥期（含正常分娩、剖宫产）'],
  ['P00-P96', 'include', '起源于围生期的情况'],
  ['Q38', 'include', '舌、口和咽的其他先天性畸形（舌系带过短）'],
  ['Q53', 'include', '睾丸未降'],
  ['Q65-Q66', 'include', '髋关节发育不良、先天性足畸形'],
  ['R00-R99', 'include', '症状、体征和异常所见（待查）'],
  ['S00-T98', 'include', '损伤、中毒（含骨折、颅脑外伤、农药中毒）'],
  ['S14.0-S14.1', 'exclude', '颈髓损伤'],
  ['S24.0-S24.1', 'exclude', '胸髓损伤'],
  ['S34.0-S34.1', 'exclude', '腰髓损伤'],
  ['T31.3-T31.9', 'exclude', '大面积烧伤（≥30% 体表面积）', '烧伤中心'],
  ['Z00-Z99', 'include', '健康检查、随诊、康复及其他保健服务'],
  ...tertiaryOnly,
];

/** County TCM hospital (县中医医院): internal medicine, orthopaedics and trauma (骨伤科), anorectal, rehabilitation. */
const countyTcmHospital: readonly Row[] = [
  ['E10-E14', 'include', '糖尿病'],
  ['E78-E79', 'include', '脂代谢紊乱、高尿酸血症'],
  ['F32-F51', 'include', '抑郁、焦虑、失眠等（情志病）'],
  ['G43-G47', 'include', '头痛、睡眠障碍'],
  ['G50-G59', 'include', '面神经麻痹、神经痛等（针灸）'],
  ['I10-I15', 'include', '高血压病'],
  ['I20-I25', 'include', '冠心病'],
  ['I21-I22', 'exclude', '急性心肌梗死', '上转县医院胸痛中心'],
  ['I50', 'include', '慢性心力衰竭'],
  ['I67-I69', 'include', '慢性脑血管病及脑卒中后遗症（康复）'],
  ['I83-I84', 'include', '下肢静脉曲张、痔'],
  ['J00-J47', 'include', '呼吸道感染、肺炎、慢性支气管炎、慢阻肺、哮喘'],
  ['K20-K31', 'include', '食管、胃及十二指肠疾病'],
  ['K35-K38', 'include', '阑尾炎'],
  ['K52-K59', 'include', '非感染性肠炎、功能性肠病'],
  ['K60-K64', 'include', '肛肠疾病（肛裂、肛瘘、痔）', '中医肛肠特色专科'],
  ['K70-K77', 'include', '肝脏疾病（慢性肝病调治）'],
  ['K72', 'exclude', '肝衰竭'],
  ['K80-K83', 'include', '胆石症、胆囊炎'],
  ['L00-L75', 'include', '皮肤病'],
  ['L10-L14', 'exclude', '大疱性皮肤病'],
  ['M00-M99', 'include', '骨伤科及风湿痹病'],
  ['M30-M36', 'exclude', '系统性结缔组织病'],
  ['N00-N39', 'include', '肾脏与泌尿系统疾病'],
  ['N40-N51', 'include', '男性生殖器官疾病'],
  ['N70-N98', 'include', '妇科疾病'],
  ['R00-R99', 'include', '症状、体征和异常所见'],
  ['S00-S99', 'include', '损伤（含骨折手法复位、小夹板固定）'],
  ['S06', 'exclude', '颅内损伤', '县医院神经外科'],
  ['S14.0-S14.1', 'exclude', '颈髓损伤'],
  ['S24.0-S24.1', 'exclude', '胸髓损伤'],
  ['S34.0-S34.1', 'exclude', '腰髓损伤'],
  ['Z00-Z99', 'include', '健康检查、治未病、康复'],
  ...tertiaryOnly,
];

/** County maternal and child health hospital (县妇幼保健院): obstetrics, gynaecology, paediatrics, child health. */
const countyMchHospital: readonly Row[] = [
  ['O00-O99', 'include', '妊娠、分娩和产褥期', '县级危重孕产妇救治中心'],
  ['P00-P96', 'include', '新生儿疾病（起源于围生期的情况）', '县级危重新生儿救治中心'],
  ['N60-N64', 'include', '乳腺疾病（良性）'],
  ['N70-N98', 'include', '妇科炎症、月经病、不孕症等'],
  ['D06', 'include', '子宫颈原位癌（宫颈上皮内瘤变Ⅲ级）'],
  ['D25-D28', 'include', '女性生殖器官良性肿瘤（子宫肌瘤、卵巢良性肿瘤）'],
  ['A08-A09', 'include', '儿童病毒性肠炎、感染性腹泻'],
  ['B00-B09', 'include', '儿童病毒性皮疹性疾病（含手足口病）'],
  ['D50', 'include', '缺铁性贫血'],
  ['E40-E46', 'include', '儿童营养不良'],
  ['E55', 'include', '维生素 D 缺乏（佝偻病）'],
  ['F80-F89', 'include', '儿童发育障碍（筛查与早期干预）'],
  ['H65-H66', 'include', '中耳炎'],
  ['J00-J22', 'include', '急性呼吸道感染（含儿童肺炎、毛细支气管炎）'],
  ['J45', 'include', '儿童哮喘'],
  ['K59', 'include', '便秘'],
  ['L20-L30', 'include', '皮炎和湿疹'],
  ['Q38', 'include', '舌系带过短'],
  ['Q53', 'include', '睾丸未降'],
  ['Q65-Q66', 'include', '髋关节发育不良、先天性足畸形'],
  ['R10-R19', 'include', '消化系统症状'],
  ['R50-R69', 'include', '发热及全身症状'],
  ['Z00-Z39', 'include', '儿童保健、预防接种、计划生育与孕产期保健'],
  ...tertiaryOnly,
];

/** Tertiary hospitals: by default they treat everything; the catalogue decides what stays below them. */
const tertiary: readonly Row[] = [['A00-Z99', 'include', '全部病种', '三级医院默认覆盖全部病种；联盟可按专科能力收窄']];

const byTier: ReadonlyArray<readonly [FacilityTier, readonly Row[]]> = [
  ['village-clinic', villageClinic],
  ['township-health-center', grassrootsCenter],
  ['community-health-center', grassrootsCenter],
  ['county-hospital', countyHospital],
  ['county-tcm-hospital', countyTcmHospital],
  ['county-mch-hospital', countyMchHospital],
  ['city-hospital', tertiary],
  ['regional-medical-center', tertiary],
  ['national-medical-center', tertiary],
];

/** The default catalogue, one entry per tier and range. */
export const defaultCatalogue: ReadonlyArray<DefaultCatalogueEntry> = byTier.flatMap(([tier, rows]) =>
  rows.map(([range, effect, label, note]) => (note === undefined ? { tier, range, effect, label } : { tier, range, effect, label, note })),
);

/** Stable id of a default entry, so re-seeding finds the rows it made before. */
export const defaultCatalogueEntryId = (tier: FacilityTier, range: string): string => nameBasedId('catalogue', `${tier}:${range}`);
