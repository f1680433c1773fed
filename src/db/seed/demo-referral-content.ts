import type { CarePlanTaskKind, DownReferralKind } from '../../contracts/codes.js';
import type { AttachedResult, MedicationLine } from '../schema/referral.js';
import type { Random } from './random.js';

/**
 * Clinical content of the demo referrals (demo-referrals.ts): the conditions that are up-referred from the grassroots
 * of 长汀县 and to where, the conditions sent back down with their continuing-care plans, and the Chinese text templates
 * their slips, summaries and plans are written from. Synthetic, but written the way county referral slips read.
 */

export type Dest = 'county' | 'tcm' | 'mch' | 'city' | 'regional';

export interface UpCondition {
  code: string;
  name: string;
  to: Dest;
  /** Department code at the destination (demo-county.ts department specs). */
  dept: string;
  /** Relative frequency among the conditions a patient is eligible for. */
  w: number;
  age: readonly [number, number];
  sex?: 'male' | 'female';
  /** Only for patients with this chronic condition on record. */
  needs?: 'I10' | 'E11';
  /** Three times likelier for patients with this chronic condition. */
  boost?: 'I10' | 'E11';
  /** Weights of routine, urgent, emergency. */
  urgency: readonly [number, number, number];
  /** Probability of admission (else an outpatient or emergency visit). */
  admit: number;
  /** Length of stay in days when admitted. */
  los: readonly [number, number];
  reason: string;
  signs: readonly string[];
  treat: string;
  meds?: readonly MedicationLine[];
  tests: readonly (readonly [AttachedResult['kind'], string, string])[];
  /** Inpatient course (admitted) — what the discharge summary says was done. */
  course: string;
  advice: string;
  /** Out-of-county referrals: the county hospital department that refers. */
  fromDept?: string;
}

const R = [1, 0, 0] as const;
const RU = [0.5, 0.5, 0] as const;

/** Up-referrals from village clinics and township centers to the county hospitals. */
export const UP_CONDITIONS: readonly UpCondition[] = [
  // 长汀县总医院 — neurology, cardiology
  {
    code: 'I63.9', name: '脑梗死', to: 'county', dept: 'SJNK', w: 8, age: [45, 98], boost: 'I10', urgency: [0.1, 0.5, 0.4], admit: 0.97, los: [8, 14],
    reason: '突发肢体无力、言语不清，考虑急性脑梗死，需头颅影像检查及神经内科诊治',
    signs: ['发现右侧肢体无力伴言语含糊 {h} 小时，查体右侧肢体肌力 3 级，血压 {bp}', '突发左侧肢体麻木无力、口角歪斜 {h} 小时，血压 {bp}，随机血糖 {glu}'],
    treat: '吸氧，监测生命体征，暂不降压，建立静脉通道，通知家属陪同转诊',
    tests: [['ecg', '心电图', '窦性心律，ST-T 未见明显动态改变'], ['lab', '快速血糖', '血糖正常范围']],
    course: '入院后头颅 MRI 示急性脑梗死灶，予抗血小板聚集、强化他汀调脂稳定斑块、改善循环及早期康复治疗，肢体肌力较入院时明显好转',
    advice: '长期服用阿司匹林、阿托伐他汀，控制血压，继续肢体康复训练，1 个月后神经内科门诊复查',
  },
  {
    code: 'I61.9', name: '脑出血', to: 'county', dept: 'SJWK', w: 1.5, age: [45, 95], boost: 'I10', urgency: [0, 0.2, 0.8], admit: 1, los: [12, 21],
    reason: '突发头痛、呕吐伴肢体偏瘫，疑脑出血，需急诊头颅 CT 及神经外科评估',
    signs: ['劳作时突发剧烈头痛、喷射性呕吐，随后左侧肢体无力，嗜睡，血压 {bp}'],
    treat: '保持呼吸道通畅，头偏一侧，控制血压，吸氧，急诊转运',
    tests: [['other', '生命体征记录', 'GCS 评分 12 分']],
    course: '入院头颅 CT 示基底节区脑出血，出血量约 15 ml，予脱水降颅压、控制血压、防治并发症等保守治疗，复查血肿吸收',
    advice: '严格控制血压，避免用力及情绪激动，继续康复训练，1 个月后复查头颅 CT',
  },
  {
    code: 'G45.9', name: '短暂性脑缺血发作', to: 'county', dept: 'SJNK', w: 1.5, age: [45, 92], boost: 'I10', urgency: [0.3, 0.6, 0.1], admit: 0.7, los: [4, 7],
    reason: '反复发作性肢体麻木无力，ABCD2 评分高危，需完善颈部血管及头颅检查',
    signs: ['近 {d} 天反复发作右手麻木无力，每次持续约 10 分钟后自行缓解，血压 {bp}'],
    treat: '监测血压，嘱卧床休息',
    tests: [['ecg', '心电图', '窦性心律']],
    course: '完善头颅 MRI 及颈部血管超声，示颈动脉斑块形成，予双联抗血小板、他汀治疗，住院期间未再发作',
    advice: '规律服用抗血小板药及他汀，控制血压血脂，如再发肢体无力立即就诊',
  },
  {
    code: 'I20.0', name: '不稳定型心绞痛', to: 'county', dept: 'XNK', w: 3.5, age: [45, 92], boost: 'I10', urgency: [0.1, 0.6, 0.3], admit: 0.95, los: [5, 9],
    reason: '反复胸痛加重，心电图 ST-T 改变，考虑不稳定型心绞痛，需心内科诊治及冠脉评估',
    signs: ['近 {d} 天活动后胸骨后压榨样疼痛，持续 5–10 分钟，休息后缓解，发作较前频繁，血压 {bp}'],
    treat: '舌下含服硝酸甘油，嚼服阿司匹林 300 mg，吸氧',
    meds: [{ name: '硝酸甘油片', dose: '0.5 mg', frequency: '必要时舌下含服' }],
    tests: [['ecg', '心电图', 'V4–V6 导联 ST 段压低 0.1 mV'], ['lab', '肌钙蛋白（快速检测）', '阴性']],
    course: '入院后完善冠脉 CTA 提示前降支中度狭窄，予抗血小板、调脂、扩冠、控制心室率等治疗，胸痛未再发作',
    advice: '长期服用阿司匹林、阿托伐他汀、美托洛尔，低盐低脂饮食，戒烟，2 周后心内科门诊复诊',
  },
  {
    code: 'I21.4', name: '急性非ST段抬高型心肌梗死', to: 'county', dept: 'XNK', w: 1, age: [50, 92], boost: 'I10', urgency: [0, 0.2, 0.8], admit: 1, los: [7, 12],
    reason: '持续胸痛伴大汗，疑急性心肌梗死，需胸痛中心急诊处置',
    signs: ['胸痛 {h} 小时不缓解，伴大汗、恶心，血压 {bp}，心率 {hr}'],
    treat: '嚼服阿司匹林 300 mg、氯吡格雷 300 mg，吸氧，心电监护，建立静脉通道',
    tests: [['ecg', '心电图', 'II、III、aVF 导联 ST 段压低'], ['lab', '肌钙蛋白（快速检测）', '阳性']],
    course: '经胸痛中心绿色通道行冠脉造影及支架植入术，术后予双联抗血小板、调脂、改善心肌重构治疗，恢复顺利',
    advice: '双联抗血小板治疗至少 12 个月，不得自行停药，心脏康复，1 个月后复查',
  },
  {
    code: 'I50.9', name: '心力衰竭', to: 'county', dept: 'XNK', w: 3, age: [60, 98], boost: 'I10', urgency: [0.2, 0.6, 0.2], admit: 0.95, los: [7, 12],
    reason: '活动耐量下降、夜间不能平卧、双下肢水肿加重，心衰失代偿，基层处理效果差',
    signs: ['气促 {d} 天，夜间阵发性呼吸困难，双下肢凹陷性水肿，血压 {bp}，心率 {hr}，血氧饱和度 {spo2}'],
    treat: '半卧位，吸氧，呋塞米 20 mg 静推',
    meds: [{ name: '呋塞米片', dose: '20 mg', frequency: 'qd' }],
    tests: [['ecg', '心电图', '窦性心动过速，左心室肥厚'], ['imaging', '胸部 X 线', '心影增大，双肺淤血']],
    course: '予利尿、扩血管、改善心室重构及控制心室率等治疗，水肿消退，可平卧，NT-proBNP 明显下降',
    advice: '限盐限水，每日称体重，规律服用利尿剂、β 受体阻滞剂及 ARNI，2 周后复查电解质',
  },
  {
    code: 'I48', name: '心房颤动', to: 'county', dept: 'XNK', w: 1.5, age: [50, 95], urgency: [0.4, 0.5, 0.1], admit: 0.6, los: [4, 7],
    reason: '新发心房颤动伴心室率快，需心内科评估抗凝及节律控制',
    signs: ['心悸、胸闷 {d} 天，心律绝对不齐，心率 {hr}，血压 {bp}'],
    treat: '心电监护，嘱休息',
    tests: [['ecg', '心电图', '心房颤动，心室率 120 次/分']],
    course: '完善心脏彩超及甲状腺功能，予控制心室率及抗凝治疗（CHA2DS2-VASc 评分 3 分），心室率控制良好',
    advice: '长期口服抗凝药，定期复查凝血功能或肾功能，注意出血倾向',
  },
  {
    code: 'I10', name: '原发性高血压（血压控制不佳）', to: 'county', dept: 'NK', w: 4, age: [35, 92], needs: 'I10', urgency: [0.85, 0.15, 0], admit: 0.3, los: [4, 7],
    reason: '联合两种降压药规律服用 4 周血压仍不达标，需排查继发性高血压及靶器官损害',
    signs: ['高血压病史多年，近 1 个月家庭自测血压波动于 {bp}，伴头晕', '规律服药下多次随访血压 {bp}，伴头痛、睡眠差'],
    treat: '调整降压方案，嘱低盐饮食',
    tests: [['ecg', '心电图', '左心室高电压'], ['lab', '肾功能', '肌酐正常上限']],
    course: '完善肾动脉超声、肾上腺 CT、醛固酮/肾素比值等检查，排除继发性高血压，调整为三联降压方案，血压控制达标',
    advice: '按新方案规律服药，家庭自测血压，1 个月内在村卫生室/乡镇卫生院随访血压',
  },
  {
    code: 'E11.9', name: '2型糖尿病（血糖控制不佳）', to: 'county', dept: 'NFMK', w: 2.5, age: [35, 92], needs: 'E11', urgency: [0.85, 0.15, 0], admit: 0.5, los: [5, 9],
    reason: '口服降糖药治疗下血糖持续不达标，需内分泌科调整治疗方案（评估胰岛素治疗）',
    signs: ['糖尿病病史多年，近 3 个月空腹血糖 10–14 mmol/L，随机血糖 {glu}，伴口干多饮'],
    treat: '糖尿病饮食指导，监测血糖',
    meds: [{ name: '格列美脲片', dose: '2 mg', frequency: 'qd' }],
    tests: [['lab', '糖化血红蛋白', '9.6%'], ['lab', '尿常规', '尿糖 ++，酮体阴性']],
    course: '完善糖尿病并发症筛查，启用基础胰岛素联合口服药方案，血糖逐步达标，完成胰岛素注射及血糖监测教育',
    advice: '每日监测空腹及餐后血糖，按方案注射胰岛素，3 个月后复查糖化血红蛋白',
  },
  {
    code: 'E11.5', name: '2型糖尿病伴周围血管病变（糖尿病足）', to: 'county', dept: 'NFMK', w: 0.8, age: [50, 92], needs: 'E11', urgency: [0.4, 0.6, 0], admit: 0.9, los: [10, 20],
    reason: '糖尿病足溃疡伴感染，基层换药效果差，需清创及血管评估',
    signs: ['右足第一趾溃疡 {d} 周，创面红肿渗液，足背动脉搏动减弱，随机血糖 {glu}'],
    treat: '创面清洁换药，控制血糖',
    tests: [['lab', '血常规', '白细胞 {wbc}']],
    course: '予清创、抗感染、强化降糖及改善循环治疗，下肢血管超声示动脉硬化闭塞，创面肉芽生长良好',
    advice: '每 2–3 天换药一次，严格控制血糖，穿合适鞋袜，如创面发黑或发热及时复诊',
  },
  {
    code: 'E11.2', name: '2型糖尿病肾病', to: 'county', dept: 'SNK', w: 0.6, age: [45, 92], needs: 'E11', urgency: [0.9, 0.1, 0], admit: 0.6, los: [6, 10],
    reason: '糖尿病患者尿蛋白阳性、肌酐升高，需肾内科评估',
    signs: ['糖尿病史 10 余年，近期双下肢水肿，尿中泡沫增多，血压 {bp}'],
    treat: '控制血压血糖，低蛋白饮食指导',
    tests: [['lab', '肾功能', '肌酐 {cr}'], ['lab', '尿常规', '尿蛋白 ++']],
    course: '完善 24 小时尿蛋白定量及肾脏超声，调整降糖降压方案（SGLT2 抑制剂、ARB），肾功能稳定',
    advice: '低盐优质低蛋白饮食，每月复查肾功能及电解质，避免肾毒性药物',
  },
  // respiratory
  {
    code: 'J44.1', name: '慢性阻塞性肺疾病急性加重', to: 'county', dept: 'HXK', w: 5, age: [55, 98], urgency: [0.2, 0.6, 0.2], admit: 0.95, los: [7, 12],
    reason: '慢阻肺急性加重，低氧血症，基层抗感染及雾化治疗后无好转',
    signs: ['咳嗽咳痰加重伴气促 {d} 天，痰黄黏，口唇轻度发绀，血氧饱和度 {spo2}，双肺散在哮鸣音'],
    treat: '低流量吸氧，沙丁胺醇雾化吸入，头孢呋辛抗感染',
    meds: [{ name: '噻托溴铵粉吸入剂', dose: '18 μg', frequency: 'qd' }],
    tests: [['imaging', '胸部 X 线', '双肺纹理增粗紊乱，肺气肿征'], ['lab', '血常规', '白细胞 {wbc}']],
    course: '予抗感染、雾化平喘、祛痰、控制性氧疗及无创通气辅助治疗，气促缓解，血氧饱和度恢复至 93% 以上',
    advice: '长期规律吸入支气管扩张剂，戒烟，坚持呼吸康复训练，接种流感及肺炎疫苗',
  },
  {
    code: 'J18.9', name: '肺炎', to: 'county', dept: 'HXK', w: 4, age: [18, 98], urgency: [0.3, 0.6, 0.1], admit: 0.85, los: [6, 10],
    reason: '社区获得性肺炎，高热不退伴气促，CURB-65 评分 2 分，需住院治疗',
    signs: ['发热咳嗽 {d} 天，最高体温 {t}，咳黄痰，右下肺闻及湿啰音，血氧饱和度 {spo2}'],
    treat: '头孢曲松抗感染，物理降温，补液',
    tests: [['imaging', '胸部 X 线', '右下肺片状阴影'], ['lab', '血常规', '白细胞 {wbc}，中性粒细胞比例升高']],
    course: '予抗感染、化痰、补液支持治疗，体温恢复正常，复查胸片炎症吸收好转',
    advice: '注意休息，2 周后复查胸片，如再发热咳嗽加重及时就诊',
  },
  {
    code: 'J18.0', name: '支气管肺炎', to: 'county', dept: 'EK', w: 2, age: [0, 14], urgency: [0.3, 0.6, 0.1], admit: 0.85, los: [5, 8],
    reason: '患儿发热咳嗽伴气促，肺部湿啰音，需儿科住院治疗',
    signs: ['患儿发热咳嗽 {d} 天，体温 {t}，呼吸稍促，双肺闻及细湿啰音'],
    treat: '退热，口服阿莫西林',
    tests: [['imaging', '胸部 X 线', '双肺纹理增粗，散在斑片影'], ['lab', '血常规', '白细胞 {wbc}']],
    course: '予抗感染、雾化、退热等治疗，体温正常，咳嗽明显减轻，肺部啰音消失',
    advice: '注意保暖，避免去人群密集场所，1 周后儿科门诊复诊',
  },
  {
    code: 'J45.9', name: '支气管哮喘', to: 'county', dept: 'HXK', w: 0.8, age: [10, 80], urgency: [0.3, 0.6, 0.1], admit: 0.6, los: [4, 7],
    reason: '哮喘发作，雾化治疗后缓解不明显，需上级医院评估及规范长期治疗',
    signs: ['反复喘息 {d} 天，夜间加重，双肺广泛哮鸣音，血氧饱和度 {spo2}'],
    treat: '沙丁胺醇雾化吸入，甲泼尼龙静滴',
    tests: [['other', '峰流速', '预计值的 55%']],
    course: '予支气管扩张剂、糖皮质激素治疗后喘息缓解，完善肺功能检查，制定吸入激素长期控制方案',
    advice: '规律使用吸入激素，随身携带缓解药物，避免接触过敏原',
  },
  // surgery
  {
    code: 'K35.8', name: '急性阑尾炎', to: 'county', dept: 'WK', w: 3, age: [8, 75], urgency: [0, 0.5, 0.5], admit: 1, los: [4, 7],
    reason: '转移性右下腹痛，麦氏点压痛反跳痛，考虑急性阑尾炎，需外科手术',
    signs: ['腹痛 {h} 小时，由脐周转移至右下腹，体温 {t}，麦氏点压痛及反跳痛'],
    treat: '禁食，补液',
    tests: [['lab', '血常规', '白细胞 {wbc}'], ['imaging', '腹部超声', '右下腹阑尾增粗']],
    course: '急诊行腹腔镜阑尾切除术，术后病理：急性化脓性阑尾炎，术后恢复顺利，切口愈合良好',
    advice: '术后 1 个月内避免剧烈运动，切口如红肿渗液及时就诊，术后 7–9 天拆线',
  },
  {
    code: 'K80.0', name: '胆囊结石伴急性胆囊炎', to: 'county', dept: 'WK', w: 2.5, age: [30, 88], urgency: [0.3, 0.6, 0.1], admit: 0.95, los: [5, 9],
    reason: '右上腹痛伴发热，超声提示胆囊结石伴胆囊炎，需外科手术治疗',
    signs: ['进食油腻后右上腹痛 {d} 天，向右肩背部放射，体温 {t}，Murphy 征阳性'],
    treat: '禁食，解痉止痛，抗感染',
    tests: [['imaging', '腹部超声', '胆囊增大，壁增厚，腔内多发强回声伴声影']],
    course: '抗感染治疗后行腹腔镜胆囊切除术，术后恢复顺利',
    advice: '术后低脂饮食 1 个月，逐步恢复正常饮食，如出现腹痛、黄疸及时就诊',
  },
  {
    code: 'K56.6', name: '肠梗阻', to: 'county', dept: 'WK', w: 1, age: [40, 92], urgency: [0, 0.5, 0.5], admit: 1, los: [6, 12],
    reason: '腹痛、腹胀、停止排气排便，考虑肠梗阻，需外科诊治',
    signs: ['腹胀腹痛 {d} 天，呕吐，停止排气排便，腹部膨隆，肠鸣音亢进'],
    treat: '禁食，胃肠减压，补液',
    tests: [['imaging', '腹部立位 X 线', '多个气液平面']],
    course: '予禁食、胃肠减压、补液、抑酸等保守治疗，排气排便恢复，腹部 CT 未见肿瘤性病变',
    advice: '少量多餐，避免暴饮暴食，保持大便通畅，必要时完善肠镜检查',
  },
  {
    code: 'K40.9', name: '腹股沟疝', to: 'county', dept: 'WK', w: 1.2, age: [40, 88], sex: 'male', urgency: R, admit: 0.9, los: [3, 5],
    reason: '腹股沟可复性包块逐渐增大，需择期手术',
    signs: ['右侧腹股沟区可复性包块 1 年余，站立时出现，平卧可回纳'],
    treat: '嘱避免重体力劳动',
    tests: [['imaging', '腹股沟区超声', '右侧腹股沟斜疝']],
    course: '行腹腔镜腹股沟疝无张力修补术，术后恢复顺利',
    advice: '术后 3 个月内避免重体力劳动及用力咳嗽、便秘',
  },
  {
    code: 'K92.2', name: '上消化道出血', to: 'county', dept: 'XHNK', w: 1.2, age: [35, 92], urgency: [0, 0.4, 0.6], admit: 1, los: [6, 10],
    reason: '呕血、黑便伴头晕，疑上消化道出血，需急诊胃镜及输血条件',
    signs: ['黑便 {d} 次，呕咖啡样物 1 次，头晕乏力，心率 {hr}，血压 {bpn}'],
    treat: '禁食，建立静脉通道补液，奥美拉唑静注',
    tests: [['lab', '血常规', '血红蛋白 {hb}']],
    course: '急诊胃镜示十二指肠球部溃疡伴出血，镜下止血，予抑酸、补液及输血治疗，未再出血',
    advice: '规律服用质子泵抑制剂 8 周，根除幽门螺杆菌，避免饮酒及服用止痛药',
  },
  {
    code: 'K85.9', name: '急性胰腺炎', to: 'county', dept: 'XHNK', w: 0.8, age: [25, 85], urgency: [0, 0.5, 0.5], admit: 1, los: [8, 14],
    reason: '饮酒后持续上腹痛，血淀粉酶升高，考虑急性胰腺炎',
    signs: ['饮酒后上腹持续性疼痛 {h} 小时，向腰背部放射，伴呕吐'],
    treat: '禁食，补液，解痉止痛',
    tests: [['lab', '血淀粉酶', '明显升高（正常上限 3 倍以上）']],
    course: '予禁食、液体复苏、抑酶抑酸及营养支持治疗，腹痛缓解，复查 CT 胰周渗出吸收',
    advice: '戒酒，低脂饮食，1 个月后复查腹部 CT 及血脂',
  },
  {
    code: 'K74.6', name: '肝硬化', to: 'county', dept: 'XHNK', w: 0.6, age: [40, 85], urgency: [0.6, 0.4, 0], admit: 0.8, los: [7, 12],
    reason: '乙肝肝硬化患者腹胀、腹水加重，需消化内科评估',
    signs: ['慢性乙肝病史 10 余年，腹胀 {d} 周，腹围增大，移动性浊音阳性'],
    treat: '限盐，口服螺内酯',
    tests: [['imaging', '腹部超声', '肝硬化，中量腹水，脾大']],
    course: '予利尿、补充白蛋白、抗病毒治疗，腹水减少，胃镜示食管静脉曲张（轻度）',
    advice: '坚持抗乙肝病毒治疗，限盐，戒酒，每 3 个月复查肝功能及腹部超声',
  },
  {
    code: 'N20.1', name: '输尿管结石', to: 'county', dept: 'MNWK', w: 2, age: [20, 75], urgency: [0.3, 0.6, 0.1], admit: 0.5, los: [3, 5],
    reason: '肾绞痛反复发作，超声示输尿管结石伴肾积水，需泌尿外科处理',
    signs: ['左侧腰腹部绞痛 {h} 小时，向会阴部放射，伴恶心呕吐，左肾区叩击痛'],
    treat: '解痉止痛',
    tests: [['imaging', '泌尿系超声', '左输尿管上段结石约 8 mm，左肾轻度积水'], ['lab', '尿常规', '隐血 +++']],
    course: '行输尿管镜下钬激光碎石术并留置双 J 管，术后恢复顺利',
    advice: '多饮水，4 周后拔除双 J 管，定期复查泌尿系超声',
  },
  {
    code: 'N40', name: '前列腺增生', to: 'county', dept: 'MNWK', w: 1, age: [55, 95], sex: 'male', urgency: [0.8, 0.2, 0], admit: 0.6, los: [5, 8],
    reason: '排尿困难进行性加重，药物治疗效果不佳，需泌尿外科评估手术',
    signs: ['夜尿增多、排尿费力 2 年，近 {d} 天加重，曾发生急性尿潴留'],
    treat: '口服坦索罗辛，必要时导尿',
    tests: [['imaging', '泌尿系超声', '前列腺增大，残余尿 120 ml']],
    course: '完善 PSA 及尿动力学检查，行经尿道前列腺电切术，术后排尿通畅',
    advice: '术后 1 个月内避免骑车及久坐，多饮水，如血尿加重及时就诊',
  },
  {
    code: 'N18', name: '慢性肾脏病', to: 'county', dept: 'SNK', w: 1, age: [40, 92], boost: 'I10', urgency: [0.7, 0.3, 0], admit: 0.6, los: [6, 10],
    reason: '肌酐进行性升高，需肾内科评估肾功能分期及治疗',
    signs: ['乏力、纳差 {d} 周，双下肢轻度水肿，血压 {bp}'],
    treat: '控制血压，低盐饮食',
    tests: [['lab', '肾功能', '肌酐 {cr}']],
    course: '完善肾脏超声及贫血、钙磷评估，诊断慢性肾脏病 4 期，纠正贫血及钙磷代谢紊乱，制定随访方案',
    advice: '优质低蛋白饮食，每月复查肾功能及血常规，准备动静脉内瘘评估',
  },
  // orthopaedics, trauma, poisoning
  {
    code: 'S72.0', name: '股骨颈骨折', to: 'county', dept: 'GK', w: 1.8, age: [60, 98], urgency: [0, 0.7, 0.3], admit: 1, los: [10, 16],
    reason: '跌倒后髋部疼痛、不能站立，疑股骨颈骨折，需骨科手术',
    signs: ['在家中跌倒后右髋部疼痛、活动受限 {h} 小时，右下肢短缩外旋畸形'],
    treat: '患肢制动，止痛',
    tests: [['imaging', '骨盆正位 X 线', '右股骨颈骨折，断端移位']],
    course: '完善术前评估后行右侧人工股骨头置换术，术后早期下床功能锻炼，切口愈合良好',
    advice: '继续髋关节功能锻炼，3 个月内避免患髋屈曲超过 90°，预防跌倒，抗骨质疏松治疗',
  },
  {
    code: 'S52.5', name: '桡骨远端骨折', to: 'county', dept: 'GK', w: 1.2, age: [30, 90], urgency: [0.3, 0.7, 0], admit: 0.6, los: [4, 7],
    reason: '跌倒后腕部畸形，X 线示桡骨远端骨折移位，需骨科复位',
    signs: ['跌倒时手掌撑地，右腕肿痛畸形 {h} 小时'],
    treat: '夹板临时固定，止痛',
    tests: [['imaging', '腕关节 X 线', '右桡骨远端骨折，向背侧移位']],
    course: '行切开复位钢板内固定术，术后复查 X 线对位对线良好',
    advice: '术后 2 周拆线，逐步进行腕关节功能锻炼，1 个月后复查 X 线',
  },
  {
    code: 'S82.8', name: '踝部骨折', to: 'county', dept: 'GK', w: 0.8, age: [15, 78], urgency: [0.3, 0.7, 0], admit: 0.8, los: [5, 9],
    reason: '扭伤后踝部肿痛畸形，X 线示踝部骨折，需骨科治疗',
    signs: ['下山劳作时扭伤左踝，肿痛明显、不能负重 {h} 小时'],
    treat: '抬高患肢，夹板固定',
    tests: [['imaging', '踝关节 X 线', '左外踝骨折']],
    course: '消肿后行切开复位内固定术，术后恢复顺利',
    advice: '患肢 6 周内避免负重，抬高患肢，按时复查 X 线',
  },
  {
    code: 'S06.0', name: '脑震荡', to: 'county', dept: 'SJWK', w: 0.8, age: [5, 88], urgency: [0, 0.7, 0.3], admit: 0.6, los: [3, 6],
    reason: '头部外伤后一过性意识障碍，需头颅 CT 排除颅内出血',
    signs: ['骑摩托车摔伤头部，伤后短暂意识丧失约数分钟，头痛、恶心，GCS 15 分'],
    treat: '伤口包扎，观察意识瞳孔',
    tests: [['other', '神经系统查体', '双侧瞳孔等大等圆，对光反射灵敏']],
    course: '头颅 CT 未见颅内出血及颅骨骨折，予观察及对症治疗，头痛缓解',
    advice: '1 周内避免剧烈活动，如头痛加重、呕吐或意识改变立即就诊',
  },
  {
    code: 'A15.0', name: '肺结核', to: 'county', dept: 'GRK', w: 0.5, age: [18, 88], urgency: [0.8, 0.2, 0], admit: 0.5, los: [7, 14],
    reason: '咳嗽 2 周以上伴低热盗汗，胸片疑肺结核，按规定转诊至定点医院',
    signs: ['咳嗽咳痰 3 周，午后低热、盗汗，体重下降'],
    treat: '佩戴口罩，健康教育',
    tests: [['imaging', '胸部 X 线', '右上肺斑片状影，可见空洞']],
    course: '痰涂片抗酸杆菌阳性，确诊继发性肺结核，启动标准化抗结核治疗，纳入结核病管理',
    advice: '按时服用抗结核药，不得自行停药，每月复查肝功能，由乡镇卫生院落实督导服药',
  },
  {
    code: 'T63.0', name: '毒蛇咬伤', to: 'county', dept: 'JZK', w: 0.4, age: [15, 82], urgency: [0, 0.2, 0.8], admit: 0.9, los: [3, 7],
    reason: '山间劳作被蛇咬伤，局部肿胀进行性加重，需抗蛇毒血清治疗',
    signs: ['{h} 小时前在山林劳作时左足被蛇咬伤，局部肿胀、疼痛向上蔓延，可见两个牙痕'],
    treat: '伤口近心端绑扎（定时放松），冲洗伤口，制动',
    tests: [['other', '伤口情况', '牙痕 2 个，周围肿胀瘀斑']],
    course: '予抗蛇毒血清、伤口处理、抗感染及破伤风预防治疗，肿胀消退，凝血功能恢复正常',
    advice: '注意伤口清洁，劳作时穿长筒胶鞋，如局部再次肿痛或出血及时就诊',
  },
  {
    code: 'T60.0', name: '有机磷农药中毒', to: 'county', dept: 'ZZYXK', w: 0.2, age: [15, 85], urgency: [0, 0, 1], admit: 1, los: [5, 10],
    reason: '误服有机磷农药，出现瞳孔缩小、大汗、流涎，需急诊洗胃及解毒治疗',
    signs: ['误服有机磷农药约 {h} 小时，大汗、流涎、呕吐，瞳孔针尖样，双肺湿啰音'],
    treat: '清除衣物污染，阿托品静注，吸氧',
    tests: [['other', '胆碱酯酶快速检测', '明显降低']],
    course: '予洗胃、阿托品化、解磷定复能及器官功能支持治疗，胆碱酯酶活性逐步恢复',
    advice: '农药妥善存放，出院后 1 周复查胆碱酯酶，关注心理状态',
  },
  {
    code: 'H25.9', name: '老年性白内障', to: 'county', dept: 'YK', w: 1.5, age: [60, 95], urgency: R, admit: 0.9, los: [2, 3],
    reason: '双眼视力进行性下降影响生活，需眼科手术评估',
    signs: ['双眼视物模糊 2 年，右眼视力 0.1，左眼 0.3，晶状体混浊'],
    treat: '无',
    tests: [['other', '视力检查', '右眼 0.1，左眼 0.3']],
    course: '行右眼白内障超声乳化吸除联合人工晶体植入术，术后视力 0.8',
    advice: '术后按时滴眼药，1 个月内避免揉眼及脏水入眼，1 周后复查',
  },
  {
    code: 'R07.4', name: '胸痛待查', to: 'county', dept: 'XNK', w: 0.8, age: [30, 88], urgency: [0.2, 0.6, 0.2], admit: 0.5, los: [3, 6],
    reason: '胸痛原因不明，基层无法排除急性冠脉综合征',
    signs: ['间断胸闷胸痛 {d} 天，与活动关系不明确，血压 {bp}'],
    treat: '心电监护，观察',
    tests: [['ecg', '心电图', '未见明显 ST-T 改变']],
    course: '动态复查心电图及心肌酶未见异常，冠脉 CTA 未见明显狭窄，考虑胸壁肌肉源性疼痛',
    advice: '对症治疗，如出现持续性胸痛立即就诊',
  },
  {
    code: 'R50.9', name: '发热待查', to: 'county', dept: 'GRK', w: 0.6, age: [5, 88], urgency: [0.4, 0.6, 0], admit: 0.7, los: [5, 9],
    reason: '发热 1 周以上原因未明，需完善病原学及影像学检查',
    signs: ['反复发热 {d} 天，最高体温 {t}，伴乏力，无明显咳嗽腹泻'],
    treat: '物理降温，补液',
    tests: [['lab', '血常规', '白细胞 {wbc}']],
    course: '完善血培养、胸腹部 CT 等检查，诊断为泌尿系感染，予敏感抗生素治疗后体温正常',
    advice: '多饮水，1 周后复查尿常规',
  },
  {
    code: 'J35.0', name: '慢性扁桃体炎', to: 'county', dept: 'EBHK', w: 0.5, age: [5, 40], urgency: R, admit: 0.8, los: [3, 5],
    reason: '扁桃体炎反复发作，每年 5 次以上，需评估扁桃体切除',
    signs: ['咽痛反复发作 2 年，扁桃体 II 度肿大，表面可见脓点'],
    treat: '抗感染治疗',
    tests: [['lab', '血常规', '白细胞正常']],
    course: '择期行双侧扁桃体切除术，术后恢复顺利',
    advice: '术后 2 周内温凉流质/半流质饮食，如出血及时就诊',
  },
  // 长汀县中医院
  {
    code: 'M51.2', name: '腰椎间盘突出症', to: 'tcm', dept: 'ZYGSK', w: 1.6, age: [30, 82], urgency: R, admit: 0.7, los: [7, 14],
    reason: '腰痛伴下肢放射痛，基层理疗效果不佳，需中医骨伤科综合治疗',
    signs: ['腰痛伴右下肢放射痛 {d} 周，直腿抬高试验阳性（40°）'],
    treat: '卧床休息，外用膏药',
    tests: [['imaging', '腰椎 CT', 'L4/5 椎间盘向右后突出']],
    course: '予中药内服、针灸、推拿、牵引及中药熏蒸综合治疗，腰腿痛明显缓解',
    advice: '加强腰背肌功能锻炼，避免久坐及弯腰负重，可在乡镇卫生院继续针灸理疗',
  },
  {
    code: 'M47.8', name: '颈椎病', to: 'tcm', dept: 'ZJTNK', w: 1.2, age: [35, 82], urgency: R, admit: 0.5, los: [7, 12],
    reason: '颈肩痛伴上肢麻木反复发作，需中医针灸推拿治疗',
    signs: ['颈肩部酸痛伴左上肢麻木 {d} 周，颈部活动受限'],
    treat: '颈部热敷',
    tests: [['imaging', '颈椎 X 线', '颈椎生理曲度变直，C5/6 椎间隙变窄']],
    course: '予针刺、推拿、中药内服及颈椎牵引治疗，症状明显缓解',
    advice: '避免长时间低头，坚持颈部功能锻炼',
  },
  {
    code: 'M17.9', name: '膝关节骨关节炎', to: 'tcm', dept: 'ZYGSK', w: 1.2, age: [50, 90], urgency: R, admit: 0.5, los: [7, 12],
    reason: '双膝疼痛影响行走，需中医骨伤科治疗',
    signs: ['双膝关节疼痛 2 年，上下楼梯加重，膝关节骨擦感'],
    treat: '口服止痛药，外敷膏药',
    tests: [['imaging', '膝关节 X 线', '双膝关节间隙变窄，骨赘形成']],
    course: '予中药熏洗、针刀松解、关节腔注射及功能锻炼指导，疼痛缓解',
    advice: '控制体重，减少爬山及上下楼梯，坚持股四头肌锻炼',
  },
  {
    code: 'K64.9', name: '混合痔', to: 'tcm', dept: 'ZYGCK', w: 0.8, age: [25, 78], urgency: R, admit: 0.9, los: [4, 7],
    reason: '便血反复发作伴痔核脱出，需肛肠科手术',
    signs: ['便时出血、肛门肿物脱出 {d} 个月，需手法回纳'],
    treat: '中药坐浴，痔疮栓',
    tests: [['lab', '血常规', '血红蛋白 {hb}']],
    course: '行混合痔外剥内扎术，术后中药坐浴换药，创面愈合良好',
    advice: '保持大便通畅，多食蔬菜水果，避免辛辣饮食',
  },
  {
    code: 'I69.3', name: '脑梗死后遗症', to: 'tcm', dept: 'ZYKFK', w: 1, age: [50, 92], urgency: R, admit: 0.9, los: [14, 21],
    reason: '脑梗死后遗留肢体活动障碍，需中医康复科系统康复',
    signs: ['脑梗死后 3 个月，右侧肢体活动不利，需扶行'],
    treat: '家庭康复训练',
    tests: [['other', '功能评估', 'Barthel 指数 55 分']],
    course: '予针灸、推拿、运动疗法、作业疗法及中药治疗，步行能力及日常生活能力改善',
    advice: '坚持家庭康复训练，可在乡镇卫生院继续针灸康复',
  },
  {
    code: 'G51.0', name: '面神经麻痹', to: 'tcm', dept: 'ZJTNK', w: 0.6, age: [15, 78], urgency: RU, admit: 0.3, los: [7, 12],
    reason: '周围性面瘫，需针灸及规范治疗',
    signs: ['晨起发现左侧口角歪斜、闭眼不全 {d} 天'],
    treat: '口服甲钴胺',
    tests: [['other', '神经系统查体', '左侧周围性面瘫，House-Brackmann III 级']],
    course: '予糖皮质激素、抗病毒、营养神经及针灸治疗，面瘫明显恢复',
    advice: '注意眼部保护，避免面部受凉，继续针灸治疗 2 周',
  },
  // 长汀县妇幼保健院
  {
    code: 'O14.1', name: '重度子痫前期', to: 'mch', dept: 'CK', w: 2, age: [20, 44], sex: 'female', urgency: [0, 0.3, 0.7], admit: 1, los: [5, 9],
    reason: '孕晚期血压升高伴蛋白尿、头痛，考虑重度子痫前期，需转产科高危救治',
    signs: ['孕 34 周，头痛、视物模糊 1 天，血压 {bp}，双下肢水肿'],
    treat: '左侧卧位，硫酸镁静滴预防子痫，拉贝洛尔降压',
    tests: [['lab', '尿常规', '尿蛋白 +++']],
    course: '予解痉、降压、促胎肺成熟治疗，病情稳定后行剖宫产术，母婴平安',
    advice: '产后继续监测血压，42 天产后复查，由乡镇卫生院做好产后访视',
  },
  {
    code: 'O24.4', name: '妊娠期糖尿病', to: 'mch', dept: 'CK', w: 1.5, age: [22, 42], sex: 'female', urgency: [0.8, 0.2, 0], admit: 0.4, los: [3, 6],
    reason: '孕中期 OGTT 异常，饮食控制后血糖仍高，需产科及营养科管理',
    signs: ['孕 26 周，OGTT 空腹 5.8、1 小时 11.2、2 小时 9.6 mmol/L'],
    treat: '饮食运动指导',
    tests: [['lab', 'OGTT', '空腹 5.8 / 1h 11.2 / 2h 9.6 mmol/L']],
    course: '予医学营养治疗及血糖监测，必要时胰岛素治疗，血糖控制达标',
    advice: '每日监测血糖，定期产检，孕 36 周后评估分娩时机',
  },
  {
    code: 'O42.9', name: '胎膜早破', to: 'mch', dept: 'CK', w: 1.5, age: [20, 42], sex: 'female', urgency: [0, 0.4, 0.6], admit: 1, los: [3, 6],
    reason: '孕晚期阴道流液，考虑胎膜早破，需产科住院',
    signs: ['孕 37 周，阴道流液 {h} 小时，无腹痛，胎心 140 次/分'],
    treat: '平卧，抬高臀部，监测胎心',
    tests: [['other', 'pH 试纸', '阳性']],
    course: '入院后予预防感染及引产，顺利经阴道分娩，母婴平安',
    advice: '产后 42 天复查，注意恶露及体温，母乳喂养',
  },
  {
    code: 'O60.1', name: '先兆早产', to: 'mch', dept: 'CK', w: 1.2, age: [18, 42], sex: 'female', urgency: [0, 0.3, 0.7], admit: 1, los: [4, 8],
    reason: '孕 32 周规律宫缩，需产科及新生儿科救治条件',
    signs: ['孕 32 周，下腹规律性紧缩感 {h} 小时，宫缩 10 分钟 2 次'],
    treat: '左侧卧位，吸氧，监测胎心',
    tests: [['other', '胎心监护', '胎心 150 次/分，可见规律宫缩']],
    course: '予抑制宫缩、促胎肺成熟及硫酸镁胎儿脑保护治疗，宫缩缓解，继续妊娠',
    advice: '注意休息，避免劳累，每周产检，如再发腹痛或阴道流血流液立即就诊',
  },
  {
    code: 'D25.9', name: '子宫平滑肌瘤', to: 'mch', dept: 'FK', w: 0.8, age: [30, 55], sex: 'female', urgency: R, admit: 0.85, los: [5, 8],
    reason: '子宫肌瘤增大伴月经量多、贫血，需妇科手术评估',
    signs: ['月经量增多 1 年，经期延长，乏力，子宫增大如孕 10 周'],
    treat: '口服铁剂',
    tests: [['imaging', '妇科超声', '子宫多发肌瘤，最大约 6 cm'], ['lab', '血常规', '血红蛋白 {hb}']],
    course: '纠正贫血后行腹腔镜子宫肌瘤剔除术，术后恢复顺利',
    advice: '术后 1 个月禁盆浴及性生活，继续补铁，3 个月后复查超声',
  },
  {
    code: 'P59.9', name: '新生儿黄疸', to: 'mch', dept: 'XSEK', w: 0.6, age: [0, 0], urgency: [0.2, 0.7, 0.1], admit: 0.8, los: [3, 6],
    reason: '新生儿皮肤黄染进行性加重，经皮胆红素超过光疗线',
    signs: ['出生后第 {d} 天，皮肤巩膜黄染加重，吃奶可'],
    treat: '勤喂养，观察大便颜色',
    tests: [['lab', '经皮胆红素', '超过同日龄光疗标准']],
    course: '予蓝光照射治疗，胆红素降至正常范围',
    advice: '按需喂养，观察皮肤黄染及大便颜色，1 周后复查胆红素',
  },
  {
    code: 'B08.4', name: '手足口病', to: 'mch', dept: 'EK', w: 0.8, age: [1, 5], urgency: [0.3, 0.6, 0.1], admit: 0.5, los: [3, 6],
    reason: '手足口病患儿持续高热伴精神差，有重症倾向，需上级医院诊治',
    signs: ['患儿发热 {d} 天，体温 {t}，手足及口腔疱疹，精神稍差，易惊'],
    treat: '退热，隔离',
    tests: [['lab', '血常规', '白细胞 {wbc}']],
    course: '予对症支持治疗并密切观察神经系统表现，体温正常，皮疹消退',
    advice: '居家隔离至症状消失后 1 周，注意手卫生',
  },
  {
    code: 'J18.0', name: '支气管肺炎', to: 'mch', dept: 'EK', w: 1.5, age: [0, 6], urgency: [0.3, 0.6, 0.1], admit: 0.85, los: [5, 8],
    reason: '患儿发热咳嗽伴气促，肺部湿啰音，需儿科住院治疗',
    signs: ['患儿发热咳嗽 {d} 天，体温 {t}，呼吸稍促，双肺闻及细湿啰音'],
    treat: '退热，雾化',
    tests: [['imaging', '胸部 X 线', '双肺纹理增粗，散在斑片影']],
    course: '予抗感染、雾化、退热等治疗，体温正常，肺部啰音消失',
    advice: '注意保暖，避免去人群密集场所，1 周后儿科门诊复诊',
  },
];

/** Out-of-county referrals (转外): conditions outside the county tier catalogue, to the city or the regional center. */
export const OUT_OF_COUNTY_CONDITIONS: readonly UpCondition[] = [
  {
    code: 'C34.9', name: '肺恶性肿瘤', to: 'city', dept: 'ZLK', fromDept: 'HXK', w: 3, age: [45, 88], urgency: R, admit: 0.9, los: [7, 14],
    reason: '胸部 CT 示肺部占位，穿刺病理提示肺腺癌，需上级医院多学科评估手术或综合治疗',
    signs: ['刺激性咳嗽 2 个月，痰中带血，胸部 CT 示右肺上叶 3.2 cm 占位'],
    treat: '止咳对症治疗',
    tests: [['imaging', '胸部 CT', '右肺上叶占位，纵隔淋巴结肿大'], ['pathology', 'CT 引导下肺穿刺病理', '腺癌']],
    course: '经多学科会诊制定治疗方案，完成第一周期化疗联合免疫治疗，耐受可',
    advice: '按周期返院治疗，间歇期在当地复查血常规及肝肾功能',
  },
  {
    code: 'C22.0', name: '肝细胞癌', to: 'city', dept: 'ZLK', fromDept: 'XHNK', w: 2, age: [35, 85], urgency: R, admit: 0.9, los: [7, 14],
    reason: '慢性乙肝患者肝内占位，AFP 明显升高，需上级医院介入或手术治疗',
    signs: ['慢性乙肝病史 20 年，右上腹隐痛 1 个月，腹部超声示肝右叶占位'],
    treat: '保肝、抗病毒治疗',
    tests: [['imaging', '上腹部增强 CT', '肝右叶 4.5 cm 占位，"快进快出"'], ['lab', 'AFP', '明显升高']],
    course: '行肝动脉化疗栓塞术（TACE），术后恢复可',
    advice: '坚持抗病毒治疗，1 个月后复查增强 CT 评估疗效',
  },
  {
    code: 'C11.9', name: '鼻咽恶性肿瘤', to: 'city', dept: 'ZLK', fromDept: 'EBHK', w: 1.5, age: [30, 75], urgency: R, admit: 0.9, los: [10, 20],
    reason: '鼻咽镜活检病理示鼻咽癌，需上级医院放化疗',
    signs: ['回吸涕中带血 2 个月，右颈部无痛性肿块'],
    treat: '无',
    tests: [['pathology', '鼻咽活检病理', '非角化性未分化型癌']],
    course: '完成分期检查，行同步放化疗（首阶段），耐受可',
    advice: '按计划完成放疗，注意口腔护理及营养，间歇期当地复查血常规',
  },
  {
    code: 'C92.0', name: '急性髓系白血病', to: 'regional', dept: 'XYK', fromDept: 'NK', w: 0.8, age: [10, 75], urgency: [0, 0.8, 0.2], admit: 1, los: [21, 30],
    reason: '血常规三系异常，骨髓涂片疑急性白血病，需省级医院血液科诊治',
    signs: ['乏力、发热 {d} 天，皮肤瘀斑，牙龈出血'],
    treat: '输注血小板，抗感染',
    tests: [['lab', '血常规', '白细胞 {wbc}，可见原始细胞，血红蛋白 {hb}，血小板 18×10⁹/L']],
    course: '完善骨髓形态、免疫分型及分子遗传学检查，确诊急性髓系白血病，完成诱导化疗',
    advice: '化疗间歇期注意防感染出血，定期复查血常规，按时返院巩固治疗',
  },
  {
    code: 'I71.0', name: '主动脉夹层', to: 'regional', dept: 'XXWK', fromDept: 'XNK', w: 0.8, age: [40, 85], boost: 'I10', urgency: [0, 0.1, 0.9], admit: 1, los: [10, 18],
    reason: '突发撕裂样胸背痛，CTA 示 Stanford A 型主动脉夹层，需心脏大血管外科急诊手术',
    signs: ['突发胸背部撕裂样疼痛 {h} 小时，双上肢血压不对称，血压 {bp}'],
    treat: '控制血压心率，镇痛，绝对卧床',
    tests: [['imaging', '主动脉 CTA', 'Stanford A 型主动脉夹层']],
    course: '急诊行主动脉弓置换及支架象鼻术，术后转入监护室，恢复顺利',
    advice: '严格控制血压、心率，3 个月后复查主动脉 CTA',
  },
  {
    code: 'Q21.1', name: '房间隔缺损', to: 'regional', dept: 'XXWK', fromDept: 'EK', w: 0.5, age: [1, 30], urgency: R, admit: 0.9, los: [5, 9],
    reason: '心脏超声示继发孔型房间隔缺损伴右心增大，需上级医院介入封堵或手术',
    signs: ['体检发现心脏杂音，胸骨左缘 2–3 肋间收缩期杂音'],
    treat: '无',
    tests: [['imaging', '心脏超声', '继发孔型房间隔缺损约 18 mm，左向右分流']],
    course: '行经皮房间隔缺损封堵术，术后复查超声封堵器位置良好，无残余分流',
    advice: '术后 6 个月内口服阿司匹林，1、3、6 个月复查心脏超声',
  },
];

/** County hospital department → department of the city or regional hospital, for re-sent referrals. */
export const UPPER_DEPT_OF: Readonly<Record<string, string>> = {
  XNK: 'XNK', SJNK: 'SJNK', SJWK: 'SJNK', HXK: 'HXK', XHNK: 'WK', WK: 'WK', GK: 'WK', EK: 'EK', ZZYXK: 'HXK', NK: 'XNK',
};

export interface DownCondition {
  code: string;
  name: string;
  kind: DownReferralKind;
  /** County hospital department that sends the patient down. */
  fromDept: string;
  w: number;
  age: readonly [number, number];
  /** Up-referral diagnoses this follows (an admitted patient sent back down). */
  after: readonly string[];
  /** Probability the patient goes to the township center (rehabilitation beds) rather than the village clinic. */
  toCenter: number;
  reason: string;
  summary: string;
  treat: string;
  meds: readonly MedicationLine[];
  rehab: string;
  warning: readonly string[];
  /** Care-plan tasks: kind, title, due this many days after the down-referral. */
  tasks: readonly (readonly [CarePlanTaskKind, string, number])[];
  outcomes: readonly string[];
}

/** Down-referrals (下转) from 长汀县总医院: recovery, post-operative and stable critical patients (2020 alliance measures). */
export const DOWN_CONDITIONS: readonly DownCondition[] = [
  {
    code: 'I63.9', name: '脑梗死（恢复期）', kind: 'acute-recovery', fromDept: 'SJNK', w: 25, age: [45, 98], after: ['I63.9', 'G45.9'], toCenter: 0.6,
    reason: '脑梗死急性期治疗结束，病情稳定，转基层继续康复及二级预防',
    summary: '急性脑梗死住院治疗后神志清，言语较前清晰，肢体肌力 4 级，生命体征平稳',
    treat: '抗血小板、强化他汀、改善循环及早期康复治疗',
    meds: [{ name: '阿司匹林肠溶片', dose: '100 mg', frequency: 'qd' }, { name: '阿托伐他汀钙片', dose: '20 mg', frequency: 'qn' }],
    rehab: '每日肢体被动及主动运动训练、平衡及步行训练，言语训练；每周评估一次功能恢复',
    warning: ['肢体无力或言语不清加重', '剧烈头痛、呕吐', '意识改变或抽搐', '血压 ≥ 180/110 mmHg'],
    tasks: [['rehabilitation', '康复训练指导及功能评估', 7], ['follow-up-visit', '随访血压、服药依从性', 14], ['lab-test', '复查血脂、肝功能', 28]],
    outcomes: ['血压 132/80 mmHg，按时服药，肢体功能较前改善', '可扶拐行走，继续家庭康复训练', '血脂达标，肝功能正常，继续当前方案'],
  },
  {
    code: 'I61.9', name: '脑出血（恢复期）', kind: 'stable-critical', fromDept: 'SJWK', w: 5, age: [45, 95], after: ['I61.9'], toCenter: 0.7,
    reason: '脑出血保守治疗后病情稳定，转乡镇卫生院继续康复治疗',
    summary: '脑出血后意识清楚，血肿吸收期，左侧肢体肌力 3+ 级',
    treat: '脱水降颅压、控制血压及康复治疗',
    meds: [{ name: '苯磺酸氨氯地平片', dose: '5 mg', frequency: 'qd' }, { name: '厄贝沙坦片', dose: '150 mg', frequency: 'qd' }],
    rehab: '良肢位摆放，每日康复训练，预防压疮及肺部感染',
    warning: ['头痛加重、呕吐', '意识障碍', '血压 ≥ 160/100 mmHg 持续不降'],
    tasks: [['rehabilitation', '康复训练及护理指导', 7], ['follow-up-visit', '随访血压、神经功能', 14], ['follow-up-visit', '1 个月随访并评估复查头颅 CT', 30]],
    outcomes: ['血压控制在 140/85 mmHg 左右，无头痛', '肢体肌力较前恢复，可在搀扶下站立', '一般情况好，已预约复查头颅 CT'],
  },
  {
    code: 'J44.9', name: '慢性阻塞性肺疾病（稳定期）', kind: 'acute-recovery', fromDept: 'HXK', w: 15, age: [55, 98], after: ['J44.1'], toCenter: 0.3,
    reason: '慢阻肺急性加重治疗后症状缓解，转基层长期管理',
    summary: '慢阻肺急性加重经抗感染、平喘治疗后咳喘缓解，静息状态下血氧饱和度 94%',
    treat: '抗感染、雾化平喘、氧疗',
    meds: [{ name: '噻托溴铵粉吸入剂', dose: '18 μg', frequency: 'qd' }, { name: '氨溴索片', dose: '30 mg', frequency: 'tid' }],
    rehab: '缩唇呼吸及腹式呼吸训练，每日步行锻炼 20–30 分钟，戒烟',
    warning: ['气促加重、不能平卧', '发热、咳黄脓痰', '口唇发绀或血氧饱和度 < 90%'],
    tasks: [['follow-up-visit', '随访症状及吸入装置使用', 7], ['medication-review', '评估吸入药物依从性', 21]],
    outcomes: ['咳嗽减少，能正确使用吸入装置', '活动后轻度气促，继续规律吸入治疗'],
  },
  {
    code: 'I50.9', name: '心力衰竭（稳定期）', kind: 'stable-critical', fromDept: 'XNK', w: 10, age: [60, 98], after: ['I50.9'], toCenter: 0.3,
    reason: '心衰失代偿纠正后病情稳定，转基层随访及药物滴定',
    summary: '心衰住院治疗后水肿消退，可平卧，NYHA 心功能 II 级',
    treat: '利尿、扩血管、改善心室重构治疗',
    meds: [{ name: '呋塞米片', dose: '20 mg', frequency: 'qd' }, { name: '螺内酯片', dose: '20 mg', frequency: 'qd' }, { name: '琥珀酸美托洛尔缓释片', dose: '23.75 mg', frequency: 'qd' }],
    rehab: '限盐（< 5 g/日），每日晨起称体重，适度活动',
    warning: ['夜间不能平卧、气促加重', '3 天内体重增加 > 2 kg', '下肢水肿加重', '心率 < 55 次/分'],
    tasks: [['follow-up-visit', '随访体重、血压、心率', 7], ['lab-test', '复查电解质、肾功能', 14], ['medication-review', '评估药物剂量滴定', 28]],
    outcomes: ['体重稳定，无水肿，心率 68 次/分', '血钾 4.2 mmol/L，肌酐稳定', '美托洛尔剂量上调，耐受可'],
  },
  {
    code: 'I25.2', name: '急性心肌梗死支架术后', kind: 'stable-critical', fromDept: 'XNK', w: 5, age: [50, 92], after: ['I21.4', 'I20.0'], toCenter: 0.2,
    reason: '冠脉支架植入术后病情稳定，转基层落实二级预防',
    summary: '冠脉支架植入术后无胸痛，心电图稳定，心功能良好',
    treat: '冠脉支架植入术，双联抗血小板及调脂治疗',
    meds: [{ name: '阿司匹林肠溶片', dose: '100 mg', frequency: 'qd' }, { name: '替格瑞洛片', dose: '90 mg', frequency: 'bid' }, { name: '阿托伐他汀钙片', dose: '20 mg', frequency: 'qn' }],
    rehab: '心脏康复：循序渐进的有氧运动，戒烟限酒，低盐低脂饮食',
    warning: ['胸痛持续 > 15 分钟', '黑便或出血倾向', '心悸、晕厥'],
    tasks: [['medication-review', '双联抗血小板依从性及出血评估', 7], ['follow-up-visit', '随访血压、心率及症状', 14], ['lab-test', '复查血脂、肝功能', 30]],
    outcomes: ['按时服药，无出血表现', '无胸痛，血压 126/78 mmHg', 'LDL-C 1.6 mmol/L，达标'],
  },
  {
    code: 'Z54.0', name: '腹腔镜手术后恢复期', kind: 'post-operative', fromDept: 'WK', w: 12, age: [8, 88], after: ['K35.8', 'K80.0', 'K40.9'], toCenter: 0.5,
    reason: '术后恢复顺利，转基层换药拆线及随访',
    summary: '腹腔镜手术后第 3 天，切口干燥无渗出，已恢复饮食，排气排便正常',
    treat: '腹腔镜手术及术后抗感染、补液',
    meds: [],
    rehab: '逐步恢复活动，1 个月内避免重体力劳动',
    warning: ['切口红肿、渗液', '发热 > 38.5℃', '腹痛加重或呕吐'],
    tasks: [['other', '切口换药', 2], ['other', '切口拆线', 7], ['follow-up-visit', '术后随访', 14]],
    outcomes: ['切口干燥，无红肿', '切口愈合良好，已拆线', '饮食睡眠正常，无不适'],
  },
  {
    code: 'S72.0', name: '股骨颈骨折（人工股骨头置换术后）', kind: 'post-operative', fromDept: 'GK', w: 8, age: [60, 98], after: ['S72.0'], toCenter: 0.7,
    reason: '髋关节置换术后病情稳定，转乡镇卫生院继续康复',
    summary: '人工股骨头置换术后第 7 天，切口愈合良好，可助行器辅助下行走',
    treat: '人工股骨头置换术，抗凝预防血栓',
    meds: [{ name: '利伐沙班片', dose: '10 mg', frequency: 'qd' }, { name: '碳酸钙 D3 片', dose: '600 mg', frequency: 'qd' }],
    rehab: '髋关节功能锻炼，助行器辅助行走，避免患髋过度屈曲内收',
    warning: ['患肢疼痛、肿胀加重', '切口渗液或发热', '胸闷气促（警惕肺栓塞）'],
    tasks: [['other', '切口拆线', 5], ['rehabilitation', '康复训练指导', 14], ['follow-up-visit', '复查 X 线及随访', 35]],
    outcomes: ['切口愈合良好，已拆线', '可助行器行走 50 米', 'X 线示假体位置良好'],
  },
  {
    code: 'J18.9', name: '肺炎（恢复期）', kind: 'acute-recovery', fromDept: 'HXK', w: 10, age: [18, 98], after: ['J18.9'], toCenter: 0.3,
    reason: '肺炎经抗感染治疗后好转，转基层完成疗程及随访',
    summary: '肺炎住院治疗后体温正常 3 天，咳嗽明显减少',
    treat: '抗感染、化痰治疗',
    meds: [{ name: '头孢克洛缓释片', dose: '0.375 g', frequency: 'bid', note: '再服 3 天' }],
    rehab: '注意休息，加强营养',
    warning: ['再次发热', '咳嗽气促加重', '胸痛'],
    tasks: [['follow-up-visit', '随访体温及症状', 5], ['lab-test', '复查血常规、胸片', 14]],
    outcomes: ['体温正常，偶有咳嗽', '血常规正常，胸片炎症吸收'],
  },
  {
    code: 'E11.9', name: '2型糖尿病（胰岛素治疗方案已调整）', kind: 'acute-recovery', fromDept: 'NFMK', w: 7, age: [35, 92], after: ['E11.9', 'E11.5'], toCenter: 0.2,
    reason: '血糖控制方案已调整并达标，转基层继续管理',
    summary: '住院调整为基础胰岛素联合口服药，空腹血糖 6–7 mmol/L',
    treat: '胰岛素方案调整，糖尿病教育',
    meds: [{ name: '甘精胰岛素注射液', dose: '14 U', frequency: '睡前皮下注射' }, { name: '盐酸二甲双胍片', dose: '0.5 g', frequency: 'tid' }],
    rehab: '糖尿病饮食，餐后适度运动',
    warning: ['反复低血糖（< 3.9 mmol/L）', '血糖持续 > 16.7 mmol/L', '恶心呕吐、意识改变'],
    tasks: [['follow-up-visit', '随访血糖记录及注射技术', 7], ['medication-review', '评估胰岛素剂量', 21], ['lab-test', '复查糖化血红蛋白', 35]],
    outcomes: ['空腹血糖 6.5 mmol/L，注射技术正确', '胰岛素剂量维持不变', '糖化血红蛋白 7.1%'],
  },
];

const vitals: Record<string, (rng: Random) => string> = {
  bp: (r) => `${r.int(150, 196)}/${r.int(88, 114)} mmHg`,
  bpn: (r) => `${r.int(92, 118)}/${r.int(56, 74)} mmHg`,
  hr: (r) => `${r.int(92, 128)} 次/分`,
  t: (r) => `${(38.2 + r.float() * 1.5).toFixed(1)}℃`,
  spo2: (r) => `${r.int(84, 92)}%`,
  glu: (r) => `${(12 + r.float() * 12).toFixed(1)} mmol/L`,
  h: (r) => String(r.int(2, 10)),
  d: (r) => String(r.int(2, 7)),
  wbc: (r) => `${(11 + r.float() * 8).toFixed(1)}×10⁹/L`,
  hb: (r) => `${r.int(62, 92)} g/L`,
  cr: (r) => `${r.int(190, 520)} μmol/L`,
};

/** Fills the {placeholders} of a template with plausible values. */
export function fillTemplate(text: string, rng: Random): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => vitals[k]?.(rng) ?? m);
}

/** The medication a patient brings for the chronic conditions on record. */
export function chronicMedications(chronic: readonly string[]): MedicationLine[] {
  const out: MedicationLine[] = [];
  if (chronic.includes('I10')) out.push({ name: '苯磺酸氨氯地平片', dose: '5 mg', frequency: 'qd' });
  if (chronic.includes('E11')) out.push({ name: '盐酸二甲双胍片', dose: '0.5 g', frequency: 'tid' });
  return out;
}

export function chronicHistory(chronic: readonly string[], age: number): string {
  const parts: string[] = [];
  if (chronic.includes('I10')) parts.push('高血压病史，规律服用降压药');
  if (chronic.includes('E11')) parts.push('2型糖尿病史，口服降糖药治疗');
  if (parts.length) return `既往${parts.join('；')}。`;
  return age >= 40 ? '否认高血压、糖尿病等慢性病史。' : '既往体健。';
}

/** 男，68 岁 / 女，1 岁以内. */
export function personLabel(sex: 'male' | 'female', age: number): string {
  return `${sex === 'male' ? '男' : '女'}，${age === 0 ? '1 岁以内' : `${age} 岁`}`;
}
