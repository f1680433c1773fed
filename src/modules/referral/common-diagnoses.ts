import { normaliseIcd10 } from '../network/index.js';

/** One entry of the referral form's diagnosis picker. */
export interface CommonDiagnosis {
  /** ICD-10 code as written (WHO three- or four-character level, with the dot: `I63.9`). */
  code: string;
  zh: string;
  en: string;
}

/**
 * A short curated list of ICD-10 diagnoses that are common in county two-way referrals — chronic disease and its
 * complications, the acute events the county's chest-pain, stroke, trauma and maternal centers exist for, common
 * surgery, the common cancers, paediatrics and the recovery-phase codes used for down-referral — with Chinese and
 * English names, for picking a diagnosis quickly on the referral form.
 *
 * **This is a convenience list, not the ICD-10.** The platform does not ship the full classification (nor the national
 * clinical version 国家临床版); any valid ICD-10 code is accepted by the referral and routing APIs, whether or not it
 * is listed here. Names follow the WHO ICD-10 titles and their usual Chinese renderings, shortened for the picker.
 */
export const COMMON_DIAGNOSES: readonly CommonDiagnosis[] = [
  // Circulatory
  { code: 'I10', zh: '原发性高血压', en: 'Essential (primary) hypertension' },
  { code: 'I11.9', zh: '高血压性心脏病', en: 'Hypertensive heart disease without heart failure' },
  { code: 'I11.0', zh: '高血压性心脏病伴心力衰竭', en: 'Hypertensive heart disease with heart failure' },
  { code: 'I12.9', zh: '高血压性肾病', en: 'Hypertensive renal disease' },
  { code: 'I20.0', zh: '不稳定型心绞痛', en: 'Unstable angina' },
  { code: 'I20.9', zh: '心绞痛', en: 'Angina pectoris, unspecified' },
  { code: 'I21', zh: '急性心肌梗死', en: 'Acute myocardial infarction' },
  { code: 'I21.0', zh: '急性前壁心肌梗死', en: 'Acute transmural myocardial infarction of anterior wall' },
  { code: 'I21.4', zh: '急性心内膜下心肌梗死（非ST段抬高型）', en: 'Acute subendocardial myocardial infarction' },
  { code: 'I25.1', zh: '冠状动脉粥样硬化性心脏病', en: 'Atherosclerotic heart disease' },
  { code: 'I25.2', zh: '陈旧性心肌梗死', en: 'Old myocardial infarction' },
  { code: 'I26.9', zh: '肺栓塞', en: 'Pulmonary embolism without acute cor pulmonale' },
  { code: 'I27.9', zh: '肺源性心脏病', en: 'Pulmonary heart disease, unspecified' },
  { code: 'I42.0', zh: '扩张型心肌病', en: 'Dilated cardiomyopathy' },
  { code: 'I44.2', zh: '三度房室传导阻滞', en: 'Atrioventricular block, complete' },
  { code: 'I47.1', zh: '室上性心动过速', en: 'Supraventricular tachycardia' },
  { code: 'I48', zh: '心房颤动和心房扑动', en: 'Atrial fibrillation and flutter' },
  { code: 'I50.0', zh: '充血性心力衰竭', en: 'Congestive heart failure' },
  { code: 'I50.9', zh: '心力衰竭', en: 'Heart failure, unspecified' },
  { code: 'I60.9', zh: '蛛网膜下腔出血', en: 'Subarachnoid haemorrhage, unspecified' },
  { code: 'I61.9', zh: '脑出血', en: 'Intracerebral haemorrhage, unspecified' },
  { code: 'I63', zh: '脑梗死', en: 'Cerebral infarction' },
  { code: 'I63.9', zh: '脑梗死', en: 'Cerebral infarction, unspecified' },
  { code: 'I64', zh: '脑卒中（未特指出血或梗死）', en: 'Stroke, not specified as haemorrhage or infarction' },
  { code: 'I67.2', zh: '脑动脉粥样硬化', en: 'Cerebral atherosclerosis' },
  { code: 'I69.3', zh: '脑梗死后遗症', en: 'Sequelae of cerebral infarction' },
  { code: 'I70.2', zh: '下肢动脉粥样硬化', en: 'Atherosclerosis of arteries of extremities' },
  { code: 'I71.0', zh: '主动脉夹层', en: 'Dissection of aorta' },
  { code: 'I80.2', zh: '下肢深静脉血栓形成', en: 'Deep vein thrombosis of lower extremities' },
  { code: 'I83.9', zh: '下肢静脉曲张', en: 'Varicose veins of lower extremities' },
  // Endocrine and metabolic
  { code: 'E03.9', zh: '甲状腺功能减退症', en: 'Hypothyroidism, unspecified' },
  { code: 'E05.0', zh: '甲状腺功能亢进症（毒性弥漫性甲状腺肿）', en: 'Thyrotoxicosis with diffuse goitre' },
  { code: 'E10.1', zh: '1型糖尿病伴酮症酸中毒', en: 'Type 1 diabetes mellitus with ketoacidosis' },
  { code: 'E11', zh: '2型糖尿病', en: 'Type 2 diabetes mellitus' },
  { code: 'E11.9', zh: '2型糖尿病（无并发症）', en: 'Type 2 diabetes mellitus without complications' },
  { code: 'E11.0', zh: '2型糖尿病伴高渗性昏迷', en: 'Type 2 diabetes mellitus with coma' },
  { code: 'E11.2', zh: '2型糖尿病肾病', en: 'Type 2 diabetes mellitus with renal complications' },
  { code: 'E11.5', zh: '2型糖尿病伴周围血管病变（糖尿病足）', en: 'Type 2 diabetes mellitus with peripheral circulatory complications' },
  { code: 'E16.2', zh: '低血糖症', en: 'Hypoglycaemia, unspecified' },
  { code: 'E78.5', zh: '高脂血症', en: 'Hyperlipidaemia, unspecified' },
  { code: 'E79.0', zh: '高尿酸血症', en: 'Hyperuricaemia without signs of inflammatory arthritis' },
  { code: 'E87.6', zh: '低钾血症', en: 'Hypokalaemia' },
  // Respiratory
  { code: 'J06.9', zh: '急性上呼吸道感染', en: 'Acute upper respiratory infection, unspecified' },
  { code: 'J18.9', zh: '肺炎', en: 'Pneumonia, unspecified' },
  { code: 'J18.0', zh: '支气管肺炎', en: 'Bronchopneumonia, unspecified' },
  { code: 'J20.9', zh: '急性支气管炎', en: 'Acute bronchitis, unspecified' },
  { code: 'J42', zh: '慢性支气管炎', en: 'Unspecified chronic bronchitis' },
  { code: 'J44.9', zh: '慢性阻塞性肺疾病', en: 'Chronic obstructive pulmonary disease, unspecified' },
  { code: 'J44.1', zh: '慢性阻塞性肺疾病急性加重', en: 'COPD with acute exacerbation' },
  { code: 'J44.0', zh: '慢性阻塞性肺疾病伴急性下呼吸道感染', en: 'COPD with acute lower respiratory infection' },
  { code: 'J45.9', zh: '支气管哮喘', en: 'Asthma, unspecified' },
  { code: 'J47', zh: '支气管扩张症', en: 'Bronchiectasis' },
  { code: 'J84.1', zh: '间质性肺疾病（肺纤维化）', en: 'Other interstitial pulmonary diseases with fibrosis' },
  { code: 'J93.9', zh: '气胸', en: 'Pneumothorax, unspecified' },
  { code: 'J96.0', zh: '急性呼吸衰竭', en: 'Acute respiratory failure' },
  { code: 'A15.0', zh: '肺结核', en: 'Tuberculosis of lung' },
  // Digestive
  { code: 'K25.9', zh: '胃溃疡', en: 'Gastric ulcer' },
  { code: 'K26.9', zh: '十二指肠溃疡', en: 'Duodenal ulcer' },
  { code: 'K29.5', zh: '慢性胃炎', en: 'Chronic gastritis, unspecified' },
  { code: 'K35', zh: '急性阑尾炎', en: 'Acute appendicitis' },
  { code: 'K35.8', zh: '急性阑尾炎', en: 'Acute appendicitis, other and unspecified' },
  { code: 'K40.9', zh: '腹股沟疝', en: 'Inguinal hernia' },
  { code: 'K56.6', zh: '肠梗阻', en: 'Intestinal obstruction' },
  { code: 'K57.3', zh: '结肠憩室病', en: 'Diverticular disease of large intestine' },
  { code: 'K63.5', zh: '结肠息肉', en: 'Polyp of colon' },
  { code: 'K70.3', zh: '酒精性肝硬化', en: 'Alcoholic cirrhosis of liver' },
  { code: 'K72.9', zh: '肝衰竭', en: 'Hepatic failure, unspecified' },
  { code: 'K74.6', zh: '肝硬化', en: 'Cirrhosis of liver, other and unspecified' },
  { code: 'K76.0', zh: '脂肪肝', en: 'Fatty liver' },
  { code: 'K80.2', zh: '胆囊结石', en: 'Calculus of gallbladder without cholecystitis' },
  { code: 'K80.0', zh: '胆囊结石伴急性胆囊炎', en: 'Calculus of gallbladder with acute cholecystitis' },
  { code: 'K81.0', zh: '急性胆囊炎', en: 'Acute cholecystitis' },
  { code: 'K81.1', zh: '慢性胆囊炎', en: 'Chronic cholecystitis' },
  { code: 'K85.9', zh: '急性胰腺炎', en: 'Acute pancreatitis' },
  { code: 'K92.2', zh: '消化道出血', en: 'Gastrointestinal haemorrhage, unspecified' },
  { code: 'K64.9', zh: '痔', en: 'Haemorrhoids, unspecified' },
  { code: 'B18.1', zh: '慢性乙型病毒性肝炎', en: 'Chronic viral hepatitis B' },
  { code: 'A09', zh: '感染性腹泻、胃肠炎', en: 'Infectious gastroenteritis and colitis' },
  // Kidney and urinary
  { code: 'N18', zh: '慢性肾脏病', en: 'Chronic kidney disease' },
  { code: 'N18.5', zh: '慢性肾脏病5期（尿毒症）', en: 'Chronic kidney disease, stage 5' },
  { code: 'N17.9', zh: '急性肾损伤', en: 'Acute kidney failure, unspecified' },
  { code: 'N20.0', zh: '肾结石', en: 'Calculus of kidney' },
  { code: 'N20.1', zh: '输尿管结石', en: 'Calculus of ureter' },
  { code: 'N39.0', zh: '泌尿道感染', en: 'Urinary tract infection, site not specified' },
  { code: 'N40', zh: '前列腺增生', en: 'Hyperplasia of prostate' },
  { code: 'N04.9', zh: '肾病综合征', en: 'Nephrotic syndrome' },
  // Neoplasms
  { code: 'C15.9', zh: '食管恶性肿瘤', en: 'Malignant neoplasm of oesophagus' },
  { code: 'C16', zh: '胃恶性肿瘤', en: 'Malignant neoplasm of stomach' },
  { code: 'C16.9', zh: '胃恶性肿瘤', en: 'Malignant neoplasm of stomach, unspecified' },
  { code: 'C18.9', zh: '结肠恶性肿瘤', en: 'Malignant neoplasm of colon, unspecified' },
  { code: 'C20', zh: '直肠恶性肿瘤', en: 'Malignant neoplasm of rectum' },
  { code: 'C22.0', zh: '肝细胞癌', en: 'Liver cell carcinoma' },
  { code: 'C22', zh: '肝恶性肿瘤', en: 'Malignant neoplasm of liver and intrahepatic bile ducts' },
  { code: 'C25.9', zh: '胰腺恶性肿瘤', en: 'Malignant neoplasm of pancreas' },
  { code: 'C34', zh: '肺恶性肿瘤', en: 'Malignant neoplasm of bronchus and lung' },
  { code: 'C34.9', zh: '肺恶性肿瘤', en: 'Malignant neoplasm of bronchus or lung, unspecified' },
  { code: 'C50', zh: '乳腺恶性肿瘤', en: 'Malignant neoplasm of breast' },
  { code: 'C50.9', zh: '乳腺恶性肿瘤', en: 'Malignant neoplasm of breast, unspecified' },
  { code: 'C53.9', zh: '子宫颈恶性肿瘤', en: 'Malignant neoplasm of cervix uteri' },
  { code: 'C61', zh: '前列腺恶性肿瘤', en: 'Malignant neoplasm of prostate' },
  { code: 'C67.9', zh: '膀胱恶性肿瘤', en: 'Malignant neoplasm of bladder' },
  { code: 'C71.9', zh: '脑恶性肿瘤', en: 'Malignant neoplasm of brain' },
  { code: 'C73', zh: '甲状腺恶性肿瘤', en: 'Malignant neoplasm of thyroid gland' },
  { code: 'C85.9', zh: '非霍奇金淋巴瘤', en: 'Non-Hodgkin lymphoma, unspecified' },
  { code: 'C92.0', zh: '急性髓系白血病', en: 'Acute myeloblastic leukaemia' },
  { code: 'C11.9', zh: '鼻咽恶性肿瘤', en: 'Malignant neoplasm of nasopharynx' },
  { code: 'D25.9', zh: '子宫平滑肌瘤', en: 'Leiomyoma of uterus' },
  // Nervous system and mental
  { code: 'G40.9', zh: '癫痫', en: 'Epilepsy, unspecified' },
  { code: 'G45.9', zh: '短暂性脑缺血发作', en: 'Transient cerebral ischaemic attack' },
  { code: 'G20', zh: '帕金森病', en: "Parkinson's disease" },
  { code: 'G30.9', zh: '阿尔茨海默病', en: "Alzheimer's disease" },
  { code: 'G51.0', zh: '面神经麻痹（贝尔麻痹）', en: "Bell's palsy" },
  { code: 'F20.9', zh: '精神分裂症', en: 'Schizophrenia, unspecified' },
  { code: 'F32.9', zh: '抑郁发作', en: 'Depressive episode, unspecified' },
  { code: 'F41.1', zh: '广泛性焦虑障碍', en: 'Generalized anxiety disorder' },
  // Musculoskeletal
  { code: 'M10.9', zh: '痛风', en: 'Gout, unspecified' },
  { code: 'M17.9', zh: '膝关节骨关节炎', en: 'Gonarthrosis, unspecified' },
  { code: 'M47.8', zh: '颈椎病', en: 'Other spondylosis' },
  { code: 'M51.2', zh: '腰椎间盘突出症', en: 'Other specified intervertebral disc displacement' },
  { code: 'M81.9', zh: '骨质疏松症', en: 'Osteoporosis, unspecified' },
  { code: 'M06.9', zh: '类风湿关节炎', en: 'Rheumatoid arthritis, unspecified' },
  { code: 'M32.9', zh: '系统性红斑狼疮', en: 'Systemic lupus erythematosus, unspecified' },
  // Injury and poisoning
  { code: 'S06.0', zh: '脑震荡', en: 'Concussion' },
  { code: 'S06.5', zh: '创伤性硬膜下出血', en: 'Traumatic subdural haemorrhage' },
  { code: 'S22.3', zh: '肋骨骨折', en: 'Fracture of rib' },
  { code: 'S32.0', zh: '腰椎骨折', en: 'Fracture of lumbar vertebra' },
  { code: 'S42.0', zh: '锁骨骨折', en: 'Fracture of clavicle' },
  { code: 'S52.5', zh: '桡骨远端骨折', en: 'Fracture of lower end of radius' },
  { code: 'S72.0', zh: '股骨颈骨折', en: 'Fracture of neck of femur' },
  { code: 'S72.1', zh: '股骨粗隆间骨折', en: 'Pertrochanteric fracture' },
  { code: 'S82.2', zh: '胫骨干骨折', en: 'Fracture of shaft of tibia' },
  { code: 'S82.8', zh: '踝部骨折', en: 'Fractures of other parts of lower leg (ankle)' },
  { code: 'S14.1', zh: '颈髓损伤', en: 'Other and unspecified injuries of cervical spinal cord' },
  { code: 'T14.0', zh: '浅表损伤', en: 'Superficial injury of unspecified body region' },
  { code: 'T31.3', zh: '烧伤（30%–39%体表面积）', en: 'Burns involving 30-39% of body surface' },
  { code: 'T60.0', zh: '有机磷农药中毒', en: 'Toxic effect of organophosphate insecticides' },
  { code: 'T63.0', zh: '蛇咬伤中毒', en: 'Toxic effect of snake venom' },
  // Pregnancy, childbirth, perinatal
  { code: 'O14.1', zh: '重度子痫前期', en: 'Severe pre-eclampsia' },
  { code: 'O24.4', zh: '妊娠期糖尿病', en: 'Diabetes mellitus arising in pregnancy' },
  { code: 'O00.9', zh: '异位妊娠', en: 'Ectopic pregnancy, unspecified' },
  { code: 'O20.0', zh: '先兆流产', en: 'Threatened abortion' },
  { code: 'O42.9', zh: '胎膜早破', en: 'Premature rupture of membranes, unspecified' },
  { code: 'O44.1', zh: '前置胎盘伴出血', en: 'Placenta praevia with haemorrhage' },
  { code: 'O60.1', zh: '早产', en: 'Preterm spontaneous labour with preterm delivery' },
  { code: 'O72.1', zh: '产后出血', en: 'Other immediate postpartum haemorrhage' },
  { code: 'O80.0', zh: '单胎顺产', en: 'Spontaneous vertex delivery' },
  { code: 'O82.0', zh: '择期剖宫产', en: 'Delivery by elective caesarean section' },
  { code: 'P07.3', zh: '早产儿', en: 'Other preterm infants' },
  { code: 'P59.9', zh: '新生儿黄疸', en: 'Neonatal jaundice, unspecified' },
  { code: 'Z34.9', zh: '正常妊娠监督（产前检查）', en: 'Supervision of normal pregnancy, unspecified' },
  // Paediatrics, infections, skin, eye, ENT
  { code: 'B08.4', zh: '手足口病', en: 'Enteroviral vesicular stomatitis with exanthem' },
  { code: 'A90', zh: '登革热', en: 'Dengue fever' },
  { code: 'B02.9', zh: '带状疱疹', en: 'Zoster without complication' },
  { code: 'L03.9', zh: '蜂窝织炎', en: 'Cellulitis, unspecified' },
  { code: 'H25.9', zh: '老年性白内障', en: 'Senile cataract, unspecified' },
  { code: 'H40.9', zh: '青光眼', en: 'Glaucoma, unspecified' },
  { code: 'H66.9', zh: '中耳炎', en: 'Otitis media, unspecified' },
  { code: 'J35.0', zh: '慢性扁桃体炎', en: 'Chronic tonsillitis' },
  { code: 'D50.9', zh: '缺铁性贫血', en: 'Iron deficiency anaemia, unspecified' },
  { code: 'D61.9', zh: '再生障碍性贫血', en: 'Aplastic anaemia, unspecified' },
  { code: 'Q21.1', zh: '房间隔缺损', en: 'Atrial septal defect' },
  // Symptoms and recovery phase (down-referral)
  { code: 'R50.9', zh: '发热待查', en: 'Fever, unspecified' },
  { code: 'R07.4', zh: '胸痛待查', en: 'Chest pain, unspecified' },
  { code: 'R10.4', zh: '腹痛待查', en: 'Other and unspecified abdominal pain' },
  { code: 'Z50.9', zh: '康复治疗', en: 'Care involving use of rehabilitation procedure, unspecified' },
  { code: 'Z54.0', zh: '术后恢复期', en: 'Convalescence following surgery' },
  { code: 'Z48.0', zh: '换药、拆线（外科敷料及缝线护理）', en: 'Attention to surgical dressings and sutures' },
  { code: 'Z49.1', zh: '血液透析', en: 'Extracorporeal dialysis' },
  { code: 'Z51.1', zh: '肿瘤化疗', en: 'Chemotherapy session for neoplasm' },
];

const byNormalised = new Map<string, CommonDiagnosis>();
for (const d of COMMON_DIAGNOSES) {
  const key = normaliseIcd10(d.code);
  if (key && !byNormalised.has(key)) byNormalised.set(key, d);
}

/**
 * The picker's search: by code prefix (`I6`, `i63.`, `E11.9`; dot and case ignored) or by a substring of the Chinese or
 * English name. Code matches come first, in code order; at most `limit` (≤ 20) results.
 */
export function searchCommonDiagnoses(q: string | undefined, limit = 20): CommonDiagnosis[] {
  const max = Math.max(1, Math.min(20, limit));
  const text = (q ?? '').trim();
  const sorted = [...COMMON_DIAGNOSES].sort((a, b) => a.code.localeCompare(b.code));
  if (!text) return sorted.slice(0, max);
  const codeKey = text.toUpperCase().replace(/\./g, '');
  const lower = text.toLowerCase();
  const byCode = sorted.filter((d) => d.code.replace('.', '').startsWith(codeKey));
  const byName = sorted.filter((d) => !byCode.includes(d) && (d.zh.includes(text) || d.en.toLowerCase().includes(lower)));
  return [...byCode, ...byName].slice(0, max);
}

/**
 * The listed name of a diagnosis code, for showing it in routing reasons ("I63（脑梗死）"): the exact code if listed,
 * else its three-character category (I63.8 → I63). Null when neither is in the list.
 */
export function commonDiagnosisName(code: string): string | null {
  const key = normaliseIcd10(code);
  if (!key) return null;
  return (byNormalised.get(key) ?? byNormalised.get(key.slice(0, 3)))?.zh ?? null;
}
