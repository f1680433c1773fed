import type { Urgency } from '../../contracts/codes.js';
import type { CenterType, Modality } from '../../contracts/diagnosis.js';

/**
 * Fixed Chinese content of the demo diagnosis centers (demo-diagnosis.ts): report templates, the examination items the
 * member facilities send with their clinical questions, and the findings, impressions and critical findings (危急值)
 * the readers write. Wording follows the usual structure of Chinese reports (检查所见 / 诊断意见) and the critical-value
 * lists hospitals publish (e.g. 急性脑出血, 张力性气胸, 急性ST段抬高型心肌梗死, 室性心动过速, 血钾 > 6.5 mmol/L).
 */

/** Where an examination is requested from (a township center without CT does not send CT). */
export type Origin = 'village' | 'township' | 'central-township' | 'county';

export interface ReportText {
  findings: string;
  impression: string;
}

export interface CriticalText extends ReportText {
  /** The critical value as flagged (the callback log's text). */
  finding: string;
  /** What the requesting doctor did after the read-back. */
  action: string;
}

export interface ExamItem {
  centerType: Exclude<CenterType, 'consultation'>;
  modality: Modality;
  examType: string;
  bodyPart: string | null;
  /** Relative frequency within its center. */
  weight: number;
  from: readonly Origin[];
  /** Urgency mix: routine, urgent, emergency. */
  urgency: readonly [number, number, number];
  age?: readonly [number, number];
  sex?: 'male' | 'female';
  questions: readonly string[];
  /** Unremarkable results; the first is also the item's template text when there is one. */
  normal: readonly ReportText[];
  abnormal: readonly ReportText[];
  /** Share of abnormal (non-critical) results. */
  abnormalShare: number;
  critical: readonly CriticalText[];
  /** Name of the template (TEMPLATES) the normal text comes from. */
  template?: string;
}

export interface TemplateSpec {
  centerType: Exclude<CenterType, 'consultation'>;
  modality: Modality;
  examType: string;
  name: string;
  findings: string;
  impression: string;
}

export const TEMPLATES: readonly TemplateSpec[] = [
  {
    centerType: 'imaging', modality: 'DR', examType: '胸部正位片', name: '胸部正位片（正常）',
    findings: '胸廓对称，气管居中。两肺纹理清晰，走行自然，两肺野未见明确实变及结节影。两肺门不大。心影大小、形态未见异常。两侧膈面光整，肋膈角锐利。所见骨质未见明显异常。',
    impression: '心、肺、膈未见明显异常。',
  },
  {
    centerType: 'imaging', modality: 'DR', examType: '腰椎正侧位片', name: '腰椎正侧位片（退行性变）',
    findings: '腰椎生理曲度变直，序列尚整齐。L3–L5 椎体边缘骨质增生，呈唇样改变，椎间隙未见明显狭窄。椎弓根及附件未见骨质破坏。椎旁软组织未见异常。',
    impression: '腰椎退行性变。',
  },
  {
    centerType: 'imaging', modality: 'CT', examType: '头颅CT平扫', name: '头颅CT平扫（正常）',
    findings: '脑实质密度均匀，灰白质分界清楚，未见异常密度影。脑室系统大小、形态正常，脑沟、脑裂、脑池未见增宽，中线结构居中。颅骨骨质未见异常。',
    impression: '颅脑CT平扫未见明显异常。',
  },
  {
    centerType: 'imaging', modality: 'CT', examType: '胸部CT平扫', name: '胸部CT平扫（正常）',
    findings: '两肺纹理清晰，肺野透亮度正常，未见明确实变、结节及肿块影。气管、支气管通畅。纵隔居中，未见肿大淋巴结。心影不大。两侧胸腔未见积液。',
    impression: '胸部CT平扫未见明显异常。',
  },
  {
    centerType: 'imaging', modality: 'US', examType: '腹部超声', name: '腹部超声（肝胆胰脾）',
    findings: '肝脏大小、形态正常，包膜光整，实质回声均匀，肝内管道结构清晰。胆囊大小正常，壁光滑，腔内未见异常回声。胰腺显示部分大小、回声未见异常。脾脏大小正常，回声均匀。',
    impression: '肝、胆、胰、脾未见明显异常。',
  },
  {
    centerType: 'ecg', modality: 'ECG-12', examType: '常规十二导联心电图', name: '常规十二导联心电图（正常）',
    findings: '窦性心律，心率 72 次/分。P 波形态正常，PR 间期 0.16 s，QRS 时限 0.09 s，QT/QTc 0.38/0.41 s。电轴不偏。各导联 ST 段未见偏移，T 波方向正常。',
    impression: '1. 窦性心律；2. 正常心电图。',
  },
  {
    centerType: 'ecg', modality: 'ECG-12', examType: '常规十二导联心电图', name: '急性ST段抬高型心肌梗死（下壁）',
    findings: '窦性心律，心率 88 次/分。Ⅱ、Ⅲ、aVF 导联 ST 段弓背向上抬高 0.2–0.35 mV，Ⅲ > Ⅱ，T 波高尖；Ⅰ、aVL 导联 ST 段压低 0.1–0.2 mV（对应性改变）。',
    impression: '1. 窦性心律；2. 急性下壁 ST 段抬高型心肌梗死（请结合临床，立即启动胸痛中心流程）。',
  },
  {
    centerType: 'lab', modality: 'LAB-PANEL', examType: '血常规', name: '血常规（参考范围内）',
    findings: 'WBC 6.2×10^9/L，NEUT% 58.3%，LYMPH% 32.1%，RBC 4.62×10^12/L，HGB 138 g/L，HCT 41.5%，PLT 236×10^9/L。',
    impression: '血常规各项指标均在参考范围内。',
  },
  {
    centerType: 'lab', modality: 'LAB-PANEL', examType: '生化全项', name: '生化全项（参考范围内）',
    findings: 'ALT 22 U/L，AST 25 U/L，TBIL 12.4 μmol/L，ALB 43.6 g/L，UREA 5.1 mmol/L，CREA 72 μmol/L，UA 318 μmol/L，GLU 5.3 mmol/L，TG 1.32 mmol/L，TC 4.56 mmol/L，LDL-C 2.61 mmol/L，K 4.1 mmol/L，Na 140 mmol/L，Cl 103 mmol/L。',
    impression: '肝功能、肾功能、血糖、血脂及电解质均在参考范围内。',
  },
  {
    centerType: 'pathology', modality: 'HISTO', examType: '组织病理', name: '组织病理（慢性炎）',
    findings: '送检组织：胃窦黏膜活检组织 3 粒，直径 0.1–0.2 cm，全埋制片。镜下见胃窦黏膜固有层淋巴细胞、浆细胞浸润，腺体未见萎缩及肠上皮化生，未见异型增生。',
    impression: '（胃窦）慢性非萎缩性胃炎（轻度），HP（-）。',
  },
  {
    centerType: 'pathology', modality: 'CYTO', examType: '宫颈液基细胞学', name: '宫颈液基细胞学（阴性）',
    findings: '标本满意度：满意。可见宫颈管柱状上皮细胞及化生细胞。',
    impression: '未见上皮内病变或恶性细胞（NILM）。',
  },
];

const t = (name: string): ReportText => {
  const x = TEMPLATES.find((y) => y.name === name)!;
  return { findings: x.findings, impression: x.impression };
};

export const EXAM_ITEMS: readonly ExamItem[] = [
  // ---- imaging (影像诊断中心)
  {
    centerType: 'imaging', modality: 'DR', examType: '胸部正位片', bodyPart: '胸部', weight: 34, from: ['township', 'central-township', 'county'], urgency: [88, 8, 4],
    questions: ['咳嗽、咳痰 1 周，排除肺炎', '体检，胸部常规检查', '发热 3 天伴咳嗽，肺部听诊湿啰音', '慢阻肺随访', '胸痛、气促半天，排除气胸'],
    normal: [t('胸部正位片（正常）')],
    abnormal: [
      { findings: '右下肺野见斑片状模糊影，边界不清，右心缘清晰。余肺野未见明确实变。心影不大，两侧肋膈角锐利。', impression: '右下肺炎，建议抗感染治疗后复查。' },
      { findings: '两肺纹理增多、紊乱，两肺透亮度增高，肋间隙增宽，膈肌低平。心影狭长。', impression: '慢性支气管炎、肺气肿征象。' },
      { findings: '主动脉结突出，心影向左下增大，心胸比约 0.56。两肺纹理稍增多。', impression: '主动脉硬化；心影增大，请结合临床。' },
    ],
    abnormalShare: 0.38,
    critical: [{
      finding: '左侧张力性气胸（肺组织压缩约 70%，纵隔右移）', findings: '左侧胸腔见无肺纹理透亮区，左肺向肺门压缩约 70%，纵隔及气管向右侧移位，左侧膈肌下移。', impression: '左侧张力性气胸（危急值，已电话通知）。',
      action: '立即予胸腔穿刺减压，联系 120 转县总医院胸外科',
    }],
    template: '胸部正位片（正常）',
  },
  {
    centerType: 'imaging', modality: 'DR', examType: '腰椎正侧位片', bodyPart: '腰椎', weight: 10, from: ['township', 'central-township', 'county'], urgency: [95, 5, 0], age: [30, 95],
    questions: ['腰痛 2 月，加重 1 周', '腰腿痛，排除腰椎骨折', '弯腰搬重物后腰痛'],
    normal: [{ findings: '腰椎生理曲度存在，序列整齐，各椎体形态、骨质密度未见异常，椎间隙未见狭窄。附件未见异常。', impression: '腰椎未见明显异常。' }],
    abnormal: [t('腰椎正侧位片（退行性变）'), { findings: 'L1 椎体呈楔形变，前缘高度约为后缘的 2/3，骨小梁稀疏。余椎体骨质疏松。', impression: 'L1 椎体压缩性骨折（陈旧性可能，请结合病史）；骨质疏松。' }],
    abnormalShare: 0.7,
    critical: [],
  },
  {
    centerType: 'imaging', modality: 'DR', examType: '四肢骨关节片', bodyPart: '四肢', weight: 8, from: ['township', 'central-township', 'county'], urgency: [70, 25, 5],
    questions: ['摔伤后右腕部肿痛', '跌倒后左髋部疼痛、活动受限', '右踝扭伤，排除骨折'],
    normal: [{ findings: '所示骨质结构完整，未见骨折线及骨质破坏，关节间隙正常，周围软组织稍肿胀。', impression: '所示骨质未见明确骨折。' }],
    abnormal: [
      { findings: '右桡骨远端见横行骨折线，远折端向背侧移位，呈"餐叉"样畸形，尺骨茎突未见骨折。', impression: '右桡骨远端骨折（Colles 骨折）。' },
      { findings: '左股骨颈见骨折线，断端轻度错位，股骨头未见坏死征象。', impression: '左股骨颈骨折，建议转上级医院骨科诊治。' },
    ],
    abnormalShare: 0.35,
    critical: [],
  },
  {
    centerType: 'imaging', modality: 'US', examType: '腹部超声', bodyPart: '上腹部', weight: 16, from: ['township', 'central-township', 'county'], urgency: [85, 12, 3],
    questions: ['上腹部不适、餐后饱胀', '体检', '右上腹痛，排除胆囊结石', '乙肝病毒携带者随访'],
    normal: [t('腹部超声（肝胆胰脾）')],
    abnormal: [
      { findings: '肝脏大小正常，实质回声细密、增强，远场回声衰减，肝内管道显示欠清。胆囊、胰腺、脾脏未见异常。', impression: '脂肪肝（中度）。' },
      { findings: '胆囊大小 7.8×3.2 cm，壁毛糙，腔内见数个强回声团，最大约 1.2 cm，后伴声影，随体位移动。', impression: '胆囊多发结石；胆囊炎。' },
      { findings: '肝右叶见一大小约 1.5×1.3 cm 的无回声区，边界清，壁薄，后方回声增强。', impression: '肝囊肿。' },
    ],
    abnormalShare: 0.45,
    critical: [],
    template: '腹部超声（肝胆胰脾）',
  },
  {
    centerType: 'imaging', modality: 'US', examType: '妇科超声', bodyPart: '盆腔', weight: 5, from: ['township', 'central-township', 'county'], urgency: [80, 10, 10], sex: 'female', age: [16, 60],
    questions: ['停经 45 天，下腹隐痛，少量阴道流血', '月经量增多 3 月', '体检'],
    normal: [{ findings: '子宫前位，大小 7.5×4.6×3.8 cm，形态规则，肌层回声均匀，内膜厚 0.7 cm。双侧附件区未见明显包块。盆腔未见积液。', impression: '子宫及双侧附件未见明显异常。' }],
    abnormal: [{ findings: '子宫增大，前壁肌层见一低回声结节，大小约 3.2×2.8 cm，边界清，周边见环状血流。', impression: '子宫肌瘤（肌壁间）。' }],
    abnormalShare: 0.3,
    critical: [{
      finding: '右附件区混合性包块伴盆腔大量积液，考虑异位妊娠破裂', findings: '宫腔内未见孕囊。右附件区见 4.1×3.5 cm 混合回声包块，盆腔见深约 5.2 cm 液性暗区，内见细密光点。', impression: '右侧异位妊娠破裂出血可能（危急值）。',
      action: '开通静脉通道，联系县妇幼保健院急诊手术，已由 120 转运',
    }],
  },
  {
    centerType: 'imaging', modality: 'CT', examType: '头颅CT平扫', bodyPart: '头颅', weight: 12, from: ['central-township', 'county'], urgency: [55, 25, 20],
    questions: ['突发头痛、呕吐 2 小时', '头晕 1 周，高血压病史', '车祸伤后头痛', '右侧肢体无力 3 小时，排除脑出血'],
    normal: [t('头颅CT平扫（正常）')],
    abnormal: [
      { findings: '双侧基底节区见多发斑点状低密度影，边界清，脑室系统稍扩大，脑沟增宽。中线结构居中。', impression: '双侧基底节区腔隙性脑梗死；脑萎缩。' },
      { findings: '左侧额颞部颅骨内板下见新月形稍高密度影，最厚约 0.6 cm，邻近脑沟变浅，中线结构无明显移位。', impression: '左额颞部硬膜下血肿（少量），建议复查。' },
    ],
    abnormalShare: 0.4,
    critical: [{
      finding: '左侧基底节区急性脑出血（约 25 ml），中线右移 0.5 cm', findings: '左侧基底节区见团片状高密度影，CT 值约 65 HU，大小约 4.2×3.1 cm，估算出血量约 25 ml，周围见低密度水肿带，左侧脑室受压，中线结构右移约 0.5 cm。', impression: '左侧基底节区急性脑出血（危急值，已电话通知）。',
      action: '控制血压、脱水降颅压，联系县总医院神经外科，急诊转院',
    }],
    template: '头颅CT平扫（正常）',
  },
  {
    centerType: 'imaging', modality: 'CT', examType: '胸部CT平扫', bodyPart: '胸部', weight: 9, from: ['central-township', 'county'], urgency: [85, 12, 3],
    questions: ['咳嗽 1 月，痰中带血', '肺结节随访', '长期吸烟者肺癌筛查'],
    normal: [t('胸部CT平扫（正常）')],
    abnormal: [
      { findings: '右肺上叶尖段见一磨玻璃结节，大小约 0.8×0.6 cm，边界清，内未见实性成分。余肺未见异常。', impression: '右肺上叶磨玻璃结节（Lung-RADS 2 类），建议 12 个月复查。' },
      { findings: '右肺上叶后段见一分叶状软组织结节，大小约 2.1×1.8 cm，边缘见毛刺及胸膜凹陷征，纵隔 4R 区淋巴结稍大。', impression: '右肺上叶占位，考虑周围型肺癌可能，建议增强 CT 及转上级医院进一步诊治。' },
    ],
    abnormalShare: 0.35,
    critical: [],
    template: '胸部CT平扫（正常）',
  },
  {
    centerType: 'imaging', modality: 'MR', examType: '腰椎MR平扫', bodyPart: '腰椎', weight: 2, from: ['county'], urgency: [95, 5, 0], age: [25, 85],
    questions: ['腰痛伴左下肢放射痛 1 月', '腰椎间盘突出症复查'],
    normal: [{ findings: '腰椎序列整齐，各椎体信号未见异常，椎间盘信号及形态正常，椎管未见狭窄。', impression: '腰椎 MR 平扫未见明显异常。' }],
    abnormal: [{ findings: 'L4/5 椎间盘 T2WI 信号减低，向左后方突出，左侧侧隐窝变窄，左侧 L5 神经根受压。', impression: 'L4/5 椎间盘突出（左后型）。' }],
    abnormalShare: 0.75,
    critical: [],
  },

  // ---- ECG (心电诊断中心)
  {
    centerType: 'ecg', modality: 'ECG-12', examType: '常规十二导联心电图', bodyPart: null, weight: 80, from: ['village', 'township', 'central-township', 'county'], urgency: [80, 8, 12],
    questions: ['胸闷、心悸 2 天', '高血压患者年度体检', '胸痛 1 小时，排除急性心梗', '术前常规检查', '头晕、乏力，心率慢'],
    normal: [t('常规十二导联心电图（正常）'), { findings: '窦性心律，心率 64 次/分。各间期正常，电轴不偏，ST-T 未见异常。', impression: '1. 窦性心律；2. 正常心电图。' }],
    abnormal: [
      { findings: '窦性心律，心率 78 次/分。V4–V6 导联 ST 段水平型压低 0.05–0.1 mV，T 波低平。', impression: '1. 窦性心律；2. ST-T 改变（请结合临床）。' },
      { findings: 'P 波消失，代之以大小不等的 f 波，RR 间期绝对不齐，平均心室率 96 次/分。', impression: '心房颤动。' },
      { findings: '窦性心律，心率 70 次/分。QRS 时限 0.13 s，V1 导联呈 rsR′ 型，Ⅰ、V5、V6 导联 S 波宽钝。', impression: '1. 窦性心律；2. 完全性右束支传导阻滞。' },
      { findings: '窦性心律，心率 76 次/分。SV1 + RV5 = 4.6 mV，V5、V6 导联 ST 段压低 0.05 mV。', impression: '1. 窦性心律；2. 左心室高电压伴 ST-T 改变。' },
    ],
    abnormalShare: 0.4,
    critical: [
      {
        finding: '急性下壁 ST 段抬高型心肌梗死（Ⅱ、Ⅲ、aVF ST 段抬高 0.2–0.35 mV）',
        ...t('急性ST段抬高型心肌梗死（下壁）'),
        action: '嚼服阿司匹林 300 mg、氯吡格雷 300 mg，启动胸痛中心绿色通道，120 转县总医院行急诊 PCI',
      },
      {
        finding: '室性心动过速（心室率 170 次/分）', findings: '宽 QRS 波心动过速，QRS 时限 0.16 s，心室率约 170 次/分，可见房室分离。', impression: '室性心动过速（危急值，已电话通知）。',
        action: '心电监护，准备电复律，胺碘酮静推，联系 120 转县总医院',
      },
      {
        finding: '三度房室传导阻滞，心室率 36 次/分', findings: 'P 波与 QRS 波无固定关系，心房率 82 次/分，心室率 36 次/分，QRS 时限 0.12 s。', impression: '三度房室传导阻滞（危急值）。',
        action: '阿托品静推，心电监护，联系县总医院心内科准备临时起搏',
      },
    ],
    template: '常规十二导联心电图（正常）',
  },

  // ---- lab (检验中心)
  {
    centerType: 'lab', modality: 'LAB-PANEL', examType: '血常规', bodyPart: null, weight: 30, from: ['village', 'township', 'central-township'], urgency: [78, 16, 6],
    questions: ['发热待查', '贫血复查', '体检'],
    normal: [t('血常规（参考范围内）')],
    abnormal: [
      { findings: 'WBC 13.8×10^9/L，NEUT% 84.2%，LYMPH% 10.5%，HGB 132 g/L，PLT 268×10^9/L。', impression: '白细胞及中性粒细胞比例升高，提示细菌感染可能。' },
      { findings: 'WBC 5.1×10^9/L，HGB 92 g/L，MCV 72 fL，MCH 22 pg，PLT 310×10^9/L。', impression: '小细胞低色素性贫血（轻度），建议查铁代谢。' },
    ],
    abnormalShare: 0.35,
    critical: [
      { finding: '血小板 18×10^9/L', findings: 'WBC 4.3×10^9/L，HGB 108 g/L，PLT 18×10^9/L（已复检，涂片未见血小板聚集）。', impression: '血小板重度减少（危急值）。', action: '嘱绝对卧床、防出血，转县总医院血液科' },
      { finding: '血红蛋白 52 g/L', findings: 'WBC 6.8×10^9/L，HGB 52 g/L，HCT 17.1%，PLT 205×10^9/L。', impression: '重度贫血（危急值）。', action: '吸氧、建立静脉通道，联系县总医院备血后转诊' },
    ],
    template: '血常规（参考范围内）',
  },
  {
    centerType: 'lab', modality: 'LAB-PANEL', examType: '生化全项', bodyPart: null, weight: 40, from: ['village', 'township', 'central-township'], urgency: [85, 12, 3], age: [14, 100],
    questions: ['高血压、糖尿病年度随访', '体检', '乏力、食欲差，查肝肾功能'],
    normal: [t('生化全项（参考范围内）')],
    abnormal: [
      { findings: 'GLU 9.8 mmol/L，TG 2.86 mmol/L，TC 6.12 mmol/L，LDL-C 4.02 mmol/L，余肝肾功能、电解质在参考范围内。', impression: '空腹血糖升高；血脂异常。' },
      { findings: 'ALT 96 U/L，AST 71 U/L，GGT 142 U/L，TBIL 24.6 μmol/L，余指标在参考范围内。', impression: '转氨酶及 GGT 升高，提示肝功能损害。' },
      { findings: 'UREA 12.6 mmol/L，CREA 186 μmol/L，UA 512 μmol/L，K 5.2 mmol/L。', impression: '肾功能不全；高尿酸血症。' },
    ],
    abnormalShare: 0.45,
    critical: [
      { finding: '血钾 6.8 mmol/L', findings: 'K 6.8 mmol/L（已复测，标本无溶血），CREA 412 μmol/L，UREA 24.3 mmol/L。', impression: '高钾血症（危急值）；肾功能衰竭。', action: '立即复查心电图，葡萄糖酸钙静推，胰岛素加葡萄糖静滴，转县总医院肾内科' },
      { finding: '血糖 1.9 mmol/L', findings: 'GLU 1.9 mmol/L（已复测），余指标未见明显异常。', impression: '低血糖（危急值）。', action: '立即静推 50% 葡萄糖 40 ml，15 分钟后复测血糖' },
      { finding: '血钠 118 mmol/L', findings: 'Na 118 mmol/L，Cl 86 mmol/L，K 3.6 mmol/L。', impression: '重度低钠血症（危急值）。', action: '限水，缓慢补充高渗盐水，监测神志，转县总医院' },
    ],
    template: '生化全项（参考范围内）',
  },
  {
    centerType: 'lab', modality: 'LAB-PANEL', examType: '糖化血红蛋白', bodyPart: null, weight: 15, from: ['village', 'township', 'central-township'], urgency: [100, 0, 0], age: [30, 100],
    questions: ['2 型糖尿病季度随访'],
    normal: [{ findings: 'HbA1c 6.4%。', impression: '糖化血红蛋白 6.4%，血糖控制达标。' }],
    abnormal: [{ findings: 'HbA1c 8.9%。', impression: '糖化血红蛋白 8.9%，近 3 个月血糖控制不佳。' }],
    abnormalShare: 0.5,
    critical: [],
  },
  {
    centerType: 'lab', modality: 'LAB-PANEL', examType: '凝血功能', bodyPart: null, weight: 8, from: ['township', 'central-township'], urgency: [70, 20, 10],
    questions: ['口服华法林，监测 INR', '术前检查'],
    normal: [{ findings: 'PT 12.1 s，INR 1.02，APTT 31.5 s，TT 16.2 s，FIB 2.8 g/L。', impression: '凝血功能未见异常。' }],
    abnormal: [{ findings: 'PT 24.8 s，INR 2.36，APTT 38.2 s，FIB 3.1 g/L。', impression: 'INR 2.36，在华法林治疗目标范围内。' }],
    abnormalShare: 0.4,
    critical: [{ finding: 'INR 6.2', findings: 'PT 68.4 s，INR 6.2，APTT 52.1 s。', impression: 'INR 显著延长（危急值），出血风险高。', action: '停用华法林，口服维生素 K1，观察出血征象，转县总医院' }],
  },

  // ---- pathology (病理诊断中心)
  {
    centerType: 'pathology', modality: 'HISTO', examType: '胃镜活检组织病理', bodyPart: '胃', weight: 30, from: ['central-township', 'county'], urgency: [100, 0, 0], age: [25, 90],
    questions: ['胃镜见胃窦黏膜粗糙、糜烂', '胃镜见胃角溃疡，排除恶性'],
    normal: [t('组织病理（慢性炎）')],
    abnormal: [
      { findings: '送检组织：胃角活检组织 4 粒。镜下见黏膜腺体萎缩，可见肠上皮化生（中度），局灶腺体低级别异型增生。', impression: '（胃角）慢性萎缩性胃炎伴中度肠上皮化生及局灶低级别上皮内瘤变，建议 6–12 个月胃镜复查。' },
      { findings: '送检组织：胃窦活检组织 5 粒。镜下见异型腺体呈不规则腺管状浸润性生长，细胞核大深染，核分裂象易见。', impression: '（胃窦）中分化腺癌，建议转上级医院进一步治疗。' },
    ],
    abnormalShare: 0.4,
    critical: [],
    template: '组织病理（慢性炎）',
  },
  {
    centerType: 'pathology', modality: 'HISTO', examType: '手术切除标本组织病理', bodyPart: null, weight: 30, from: ['county'], urgency: [100, 0, 0],
    questions: ['阑尾切除术后标本', '胆囊切除术后标本', '甲状腺结节切除标本'],
    normal: [{ findings: '送检：阑尾一条，长 6.5 cm，直径 0.8 cm，浆膜面充血。镜下见阑尾壁全层中性粒细胞浸润，黏膜部分坏死。', impression: '（阑尾）急性化脓性阑尾炎。' }],
    abnormal: [
      { findings: '送检：胆囊一枚，8×3.5×3 cm，壁厚 0.4 cm，腔内见结石数枚。镜下见胆囊壁纤维组织增生、慢性炎细胞浸润，Rokitansky-Aschoff 窦形成。', impression: '（胆囊）慢性胆囊炎伴胆囊结石。' },
      { findings: '送检：甲状腺右叶及峡部，切面见一灰白色结节，直径 0.9 cm，质硬。镜下见乳头状结构，细胞核毛玻璃样，可见核沟及核内包涵体。', impression: '（甲状腺右叶）甲状腺乳头状癌（微小癌，0.9 cm），未见被膜侵犯。' },
    ],
    abnormalShare: 0.5,
    critical: [{
      finding: '（阑尾）意外发现神经内分泌肿瘤，需补充治疗', findings: '送检：阑尾一条，长 7 cm。镜下见阑尾尖部黏膜下巢团状排列的小圆形细胞，核染色质呈"椒盐"样。', impression: '（阑尾）神经内分泌肿瘤（NET G1），直径约 1.2 cm，建议免疫组化确认并评估补充手术（危急值：意外恶性发现）。',
      action: '已告知主刀医生，与家属沟通，安排转龙岩市第一医院普外科会诊',
    }],
  },
  {
    centerType: 'pathology', modality: 'CYTO', examType: '宫颈液基细胞学', bodyPart: '宫颈', weight: 30, from: ['central-township', 'county'], urgency: [100, 0, 0], sex: 'female', age: [21, 65],
    questions: ['两癌筛查', '接触性出血'],
    normal: [t('宫颈液基细胞学（阴性）')],
    abnormal: [
      { findings: '标本满意度：满意。可见挖空细胞及少量核增大、深染的中层鳞状细胞。', impression: '低级别鳞状上皮内病变（LSIL），建议阴道镜检查。' },
      { findings: '标本满意度：满意。可见散在核增大的鳞状细胞，核质比稍高。', impression: '非典型鳞状细胞，意义不明确（ASC-US），建议 HPV 分流检测。' },
    ],
    abnormalShare: 0.12,
    critical: [],
    template: '宫颈液基细胞学（阴性）',
  },
  {
    centerType: 'pathology', modality: 'FROZEN', examType: '术中冰冻病理', bodyPart: null, weight: 6, from: ['county'], urgency: [0, 0, 100],
    questions: ['乳腺肿物切除术中，明确良恶性以决定手术范围', '甲状腺结节术中冰冻'],
    normal: [{ findings: '送检：（左乳）肿物一枚，2.1×1.8×1.5 cm，切面灰白、质韧、边界清。冰冻切片见纤维组织增生，腺管受压呈裂隙状。', impression: '（左乳）纤维腺瘤（冰冻），待石蜡切片进一步确诊。' }],
    abnormal: [{ findings: '送检：（甲状腺左叶）结节一枚，直径 1.3 cm，切面灰白、质硬。冰冻切片见乳头状结构，核重叠、毛玻璃样。', impression: '（甲状腺左叶）乳头状癌（冰冻），待石蜡切片及免疫组化确诊。' }],
    abnormalShare: 0.4,
    critical: [],
  },
];

/** Reasons a reader returns an acquisition for a retake (image quality control, 图像质控). */
export const QC_RETURN_REASONS: Readonly<Record<Exclude<CenterType, 'consultation'>, readonly string[]>> = {
  imaging: ['胸片吸气不足、肩胛骨未拉开，请重新摄片', '体位不正，左右不对称，请重新摄片', '图像上传不完整，缺少侧位片', '扫描范围未包全病灶，请补扫'],
  ecg: ['基线漂移明显、肌电干扰重，请让患者平静后重新描记', '肢体导联接反（Ⅰ导联倒置），请核对电极位置后重做'],
  lab: ['标本溶血，请重新采血', '标本量不足，请重新采集', '冷链运输温度超标，请重新采血送检'],
  pathology: ['切片染色过淡，请重新制片', '标本固定不充分，请补充说明离体时间并重新取材'],
};

export const CANCEL_REASONS: readonly string[] = ['患者拒绝检查，已离院', '已在本院完成诊断，无需远程诊断', '重复申请，已撤销', '患者转县总医院就诊'];

export const AMEND_REASONS: readonly string[] = ['补充描述：复核图像后补充次要所见', '更正左右侧别笔误', '结合临床资料更正诊断意见', '更正测量数值笔误'];

/** Who received the call and what they read back (复述) for a critical value. */
export const READ_BACK_RECEIVERS: readonly string[] = ['值班医生', '主管医生', '护士站值班护士'];

/** Urgency from the item's mix for a draw u ∈ [0, 1). */
export function urgencyOf(item: ExamItem, u: number): Urgency {
  const [r, g, e] = item.urgency;
  const x = u * (r + g + e);
  return x < r ? 'routine' : x < r + g ? 'urgent' : 'emergency';
}

// ---------------------------------------------------------------------------------------------------------------
// Teleconsultation (远程会诊中心): the cases of the demo's open and recent consultations

/** An expert's opinion (会诊意见) and recommendations, as written after the video session. */
export interface ConsultationOpinionText {
  opinion: string;
  recommendations: string;
}

/**
 * One consultation case: what the inviting doctor asks (会诊目的) with the case summary (病情摘要), and — for the
 * stories that get that far — the lead expert's and the internal-medicine expert's opinions and the inviting doctor's
 * final decision. `age`/`sex` pick a fitting patient (the texts name neither, so any fitting patient reads right).
 */
export interface ConsultationCase {
  specialty: string;
  age: readonly [number, number];
  sex?: 'male' | 'female';
  purpose: string;
  summary: string;
  opinions?: readonly [ConsultationOpinionText, ConsultationOpinionText];
  decision?: string;
}

export const CONSULTATION_CASES = {
  chestPain: {
    specialty: '心血管内科', age: [45, 85], sex: 'male',
    purpose: '持续性胸痛 1.5 小时，心电图提示下壁导联 ST 段抬高，请协助判断是否立即溶栓或直接转运行 PCI',
    summary: '患者晨起活动后突发胸骨后压榨样疼痛，伴大汗、恶心，含服硝酸甘油不缓解。既往高血压病史 8 年，吸烟 30 年。查体：BP 96/60 mmHg，HR 52 次/分，双肺呼吸音清。心电图：Ⅱ、Ⅲ、aVF 导联 ST 段抬高 0.2–0.3 mV。本院无急诊 PCI 条件。',
  },
  dizziness: {
    specialty: '神经内科', age: [50, 85],
    purpose: '反复头晕伴左侧肢体麻木 1 周，请协助明确是否短暂性脑缺血发作及后续用药',
    summary: '近 1 周内发作 3 次头晕伴左上肢麻木、乏力，每次持续 10–20 分钟自行缓解。既往 2 型糖尿病 6 年，口服二甲双胍。查体：神经系统未见明显阳性体征。本院头颅 CT 平扫未见出血及明确梗死灶；颈动脉超声示右侧颈内动脉起始处混合回声斑块，狭窄约 50%。',
  },
  copdExacerbation: {
    specialty: '呼吸内科', age: [55, 90],
    purpose: '慢阻肺急性加重住院 3 天，抗感染治疗后气促无明显好转，请协助调整治疗方案并评估是否需要无创通气或上转',
    summary: '慢阻肺病史 10 年，此次受凉后咳嗽、咳黄脓痰、气促加重入院。予头孢哌酮舒巴坦抗感染、雾化吸入支气管扩张剂及激素治疗 3 天。目前静息 SpO₂ 88%（鼻导管 2 L/min），血气：pH 7.33，PaCO₂ 58 mmHg。胸片示双肺纹理增粗，右下肺斑片影。',
    opinions: [
      { opinion: '考虑慢阻肺急性加重（AECOPD）合并右下肺社区获得性肺炎，Ⅱ型呼吸衰竭（失代偿早期）。目前抗感染疗程尚短，痰培养结果未回。', recommendations: '1. 控制性氧疗，目标 SpO₂ 88%–92%，避免高浓度吸氧；2. 具备条件即开始无创正压通气（BiPAP，IPAP 12–14 cmH₂O、EPAP 4–5 cmH₂O），2 小时后复查血气；3. 继续当前抗感染方案，送痰培养；4. 若 pH < 7.25 或意识改变，立即联系县总医院呼吸内科上转。' },
      { opinion: '同意呼吸内科意见。患者合并高血压，近 3 天静脉激素后血糖偏高（空腹 9.8 mmol/L），需兼顾。', recommendations: '监测指尖血糖每日 4 次，必要时短期皮下胰岛素；激素疗程 5 天后停用；注意电解质，补钾。' },
    ],
    decision: '采纳会诊意见：本院开始无创通气并控制性氧疗，继续抗感染及激素治疗（共 5 天），监测血糖、电解质；2 小时复查血气 pH 7.37、PaCO₂ 51 mmHg，继续本院治疗，病情变化随时上转县总医院呼吸内科。',
  },
  abdominalPain: {
    specialty: '普外科', age: [18, 70],
    purpose: '转移性右下腹痛 8 小时伴发热，请协助判断是否急性阑尾炎及能否在本院手术',
    summary: '腹痛始于上腹部，8 小时后转移并固定于右下腹，伴恶心、低热（37.9 ℃）。查体：麦氏点压痛、反跳痛阳性，腹肌稍紧张。血常规：WBC 14.2×10⁹/L，N 86%。超声：右下腹见管状低回声结构，直径约 9 mm，周围少量渗出。',
  },
  febrileChild: {
    specialty: '儿科', age: [1, 6],
    purpose: '患儿发热 4 天、咳嗽加重伴气促，请协助判断肺炎严重程度及是否需要上转',
    summary: '患儿发热 4 天，最高体温 39.6 ℃，咳嗽由干咳转为有痰，近 1 天呼吸增快。查体：呼吸 46 次/分，SpO₂ 94%（未吸氧），双肺可闻及细湿啰音，无三凹征。血常规：WBC 16.8×10⁹/L，CRP 48 mg/L。胸片：右下肺片状阴影。已口服阿莫西林克拉维酸钾 2 天。',
  },
  headache: {
    specialty: '神经内科', age: [30, 75],
    purpose: '突发剧烈头痛 3 小时伴呕吐，本院 CT 未见明显出血，请协助判断是否需排除蛛网膜下腔出血并上转',
    summary: '患者 3 小时前如厕时突发全头部剧烈胀痛，伴呕吐 2 次，无肢体无力。既往高血压未规律服药。查体：BP 178/102 mmHg，颈抵抗可疑阳性，克氏征阴性。头颅 CT 平扫（发病 2 小时）未见明确高密度影。',
    opinions: [
      { opinion: '“霹雳样头痛”伴呕吐、可疑颈抵抗，发病 6 小时内 CT 阴性不能完全排除蛛网膜下腔出血（SAH），需进一步行 CTA 及必要时腰椎穿刺。', recommendations: '1. 建议立即转县总医院急诊行头颅 CTA；2. 转运前控制血压，收缩压降至 160 mmHg 以下（乌拉地尔静脉泵入），避免用力、予止吐；3. 转运途中心电监护，备好急救药品。' },
      { opinion: '同意神经内科意见，血压控制目标合适。患者有长期未控制的高血压，注意靶器官损害。', recommendations: '查肾功能、尿常规、心电图随病历一同转出；降压不宜过快过低。' },
    ],
    decision: '采纳会诊意见：已静脉泵入乌拉地尔控制血压至 155/92 mmHg，经转诊平台转县总医院急诊，救护车转运，随车医生陪同；县总医院 CTA 结果回报后由神经内科继续诊治。',
  },
  heartFailure: {
    specialty: '心血管内科', age: [60, 90],
    purpose: '慢性心力衰竭急性加重住院，利尿后仍有夜间阵发性呼吸困难，请协助优化抗心衰药物',
    summary: '冠心病、陈旧性前壁心肌梗死 5 年，慢性心衰（NYHA Ⅲ 级）。本次因双下肢水肿、夜间不能平卧入院。予呋塞米静脉利尿 4 天，体重下降 2.5 kg，仍有夜间憋醒。BP 118/72 mmHg，HR 92 次/分，血钾 4.1 mmol/L，肌酐 108 μmol/L。超声心动图（上月）：LVEF 35%。目前口服美托洛尔缓释片 23.75 mg qd、螺内酯 20 mg qd。',
    opinions: [
      { opinion: '射血分数降低的心衰（HFrEF）急性失代偿，容量负荷仍偏重；“新四联”尚未优化，缺 ARNI 与 SGLT2 抑制剂。', recommendations: '1. 继续静脉利尿 2–3 天至无夜间呼吸困难，每日体重、出入量；2. 血压允许后加用沙库巴曲缬沙坦 25 mg bid，1–2 周后逐步加量；3. 加用达格列净 10 mg qd；4. 心率仍 > 70 次/分，美托洛尔缓释片可在出院前增至 47.5 mg qd；5. 1 周后复查肾功能及血钾。' },
      { opinion: '同意心内科意见。患者肌酐轻度升高，加用 ARNI 与 SGLT2 抑制剂后需关注肾功能与血容量。', recommendations: '起始 ARNI 前停用 ACEI（如有）满 36 小时；低盐饮食、限水 1.5 L/日；出院后由家庭医生团队随访，纳入慢病管理。' },
    ],
    decision: '采纳会诊意见：继续静脉利尿 2 天后改口服；加用沙库巴曲缬沙坦 25 mg bid、达格列净 10 mg qd，出院前美托洛尔缓释片增至 47.5 mg qd；1 周后复查肾功能、血钾，由家庭医生签约团队随访，1 个月后县总医院心内科专家门诊复诊。',
  },
  ulcerBleeding: {
    specialty: '普外科', age: [35, 80],
    purpose: '黑便 2 天伴头晕，血红蛋白下降，请协助判断出血风险及是否需要上转内镜治疗',
    summary: '患者 2 天前出现柏油样黑便 3 次，伴头晕、乏力，无呕血。既往“胃痛”多年，近期因关节痛自服布洛芬。查体：BP 104/66 mmHg，HR 104 次/分，上腹轻压痛。血常规：Hb 82 g/L（1 周前体检 128 g/L），BUN 12.6 mmol/L。已禁食、予奥美拉唑静脉滴注。',
    opinions: [
      { opinion: '考虑非甾体抗炎药相关消化性溃疡出血，Glasgow-Blatchford 评分约 10 分，属高危，需 24 小时内胃镜检查及内镜下止血。目前无活动性大出血征象。', recommendations: '1. 建议 24 小时内转县总医院消化内科行急诊胃镜；2. 转出前大剂量 PPI（艾司奥美拉唑 80 mg 静推后 8 mg/h 泵入），停用布洛芬；3. 建立两路静脉通道，配血备用；Hb < 70 g/L 时输血。' },
      { opinion: '同意普外科意见；目前血流动力学尚稳定，暂无急诊手术指征，以内镜止血为首选。', recommendations: '若转运前再次出现呕血、休克表现，立即联系县总医院急诊科按急诊转运；查凝血功能。' },
    ],
  },
  eyeTrauma: {
    specialty: '眼科', age: [18, 70],
    purpose: '右眼被铁屑溅入后视物模糊 1 天，请协助判断是否眼内异物',
    summary: '患者 1 天前打磨铁器时右眼被溅入异物，当时眼痛流泪，现视物模糊。查体：右眼视力 0.3，结膜充血，角膜颞侧见点状伤口。本院无裂隙灯及眼眶 CT。',
  },
  palpitation: {
    specialty: '心血管内科', age: [40, 80],
    purpose: '阵发性心悸 2 个月，动态心电图提示阵发性房颤，请协助评估抗凝及节律控制',
    summary: '近 2 个月反复心悸，每次持续数小时自行缓解。24 小时动态心电图：阵发性心房颤动，最长持续 3 小时 20 分，平均心室率 112 次/分。既往高血压 5 年。CHA₂DS₂-VASc 评分 2 分。',
  },
} as const satisfies Record<string, ConsultationCase>;

export type ConsultationCaseKey = keyof typeof CONSULTATION_CASES;

/** The center's reasons for declining, and the requesters' for cancelling. */
export const CONSULTATION_DECLINE_REASONS: readonly string[] = [
  '本会诊中心专家库暂无眼科专家，且疑似眼内异物需裂隙灯及眼眶 CT 检查，建议经转诊平台直接转诊至龙岩市第一医院眼科急诊',
];
export const CONSULTATION_CANCEL_REASONS: readonly string[] = ['患者及家属决定直接前往县总医院心内科专家门诊就诊，已为其预约号源'];

/** Where the demo's video sessions take place (the platform does not carry the video; the link is the meeting room). */
export const CONSULTATION_VIDEO_ROOMS: readonly string[] = ['https://meeting.ctzyy.example.cn/room/ycz-01', 'https://meeting.ctzyy.example.cn/room/ycz-02', 'https://meeting.ctzyy.example.cn/room/ycz-03'];

// Teleconsultation history (a year of concluded consultations, bulk-inserted)

/** A case of the consultation history: the kinds it comes as, its relative frequency, and both opinions and a decision. */
export interface ConsultationHistoryCase extends ConsultationCase {
  kinds: readonly ('emergency' | 'outpatient' | 'inpatient')[];
  weight: number;
  opinions: readonly [ConsultationOpinionText, ConsultationOpinionText];
  decision: string;
}

/**
 * What a county consultation center is mostly asked (the pool's six specialties): chest pain and stroke in the
 * emergency window, uncontrolled hypertension, pneumonia and COPD in the elderly, acute abdomen, hip fracture, sick
 * children. The three recent concluded cases of the live stories are in the mix too.
 */
export const CONSULTATION_HISTORY_CASES: readonly ConsultationHistoryCase[] = [
  {
    specialty: '心血管内科', age: [45, 85], kinds: ['emergency'], weight: 10,
    purpose: '胸闷胸痛 3 小时，心电图 V1–V4 导联 ST 段压低，请协助判断是否急性冠脉综合征及转运时机',
    summary: '活动后胸骨后闷痛 3 小时，休息后稍缓解。既往高血压、吸烟。BP 148/90 mmHg，HR 92 次/分。心电图 V1–V4 ST 段压低 0.1 mV；本院肌钙蛋白快速检测弱阳性。',
    opinions: [
      { opinion: '考虑非 ST 段抬高型急性冠脉综合征（NSTE-ACS），GRACE 评分中高危，需 24 小时内冠脉造影。', recommendations: '阿司匹林 300 mg + 替格瑞洛 180 mg 负荷，低分子肝素抗凝，他汀强化；经转诊平台转县总医院心内科，救护车转运。' },
      { opinion: '同意心内科意见；注意消化道出血风险与血压控制。', recommendations: '加用质子泵抑制剂；转运前复查心电图与肌钙蛋白，结果随病历转出。' },
    ],
    decision: '采纳会诊意见：已予双联抗血小板负荷、低分子肝素及阿托伐他汀 40 mg，经转诊平台转县总医院心内科，救护车转运。',
  },
  {
    specialty: '心血管内科', age: [40, 85], kinds: ['outpatient'], weight: 12,
    purpose: '高血压三种药物联合治疗后血压仍控制不佳，请协助调整方案并排查继发性高血压',
    summary: '高血压 6 年，氨氯地平、缬沙坦、氢氯噻嗪联合治疗 3 个月，家庭血压 150–165/95–100 mmHg。血钾 3.4 mmol/L，肌酐正常。',
    opinions: [
      { opinion: '难治性高血压，需先排除依从性不佳、高盐饮食及继发性原因（低血钾提示原发性醛固酮增多症可能）。', recommendations: '查醛固酮/肾素比值（检查前停用利尿剂 4 周）；加用螺内酯 20 mg qd；限盐 <5 g/天。' },
      { opinion: '同意心内科意见，加用螺内酯后注意血钾与肾功能。', recommendations: '2 周后复查血钾、肌酐；坚持家庭血压监测并记录。' },
    ],
    decision: '采纳会诊意见：加用螺内酯 20 mg qd，限盐宣教，预约县总医院查醛固酮/肾素比值，2 周后复查血钾与肾功能。',
  },
  {
    specialty: '神经内科', age: [50, 90], kinds: ['emergency'], weight: 9,
    purpose: '突发右侧肢体无力伴言语不清 1.5 小时，头颅 CT 未见出血，请协助判断是否溶栓',
    summary: '1.5 小时前突发右侧肢体无力、言语含糊。既往房颤未抗凝。NIHSS 8 分，BP 172/96 mmHg，血糖 7.2 mmol/L。头颅 CT 未见出血。本院具备静脉溶栓条件。',
    opinions: [
      { opinion: '急性缺血性脑卒中，发病 4.5 小时内、无禁忌证，符合静脉溶栓指征；房颤提示心源性栓塞，大血管闭塞可能。', recommendations: '立即阿替普酶 0.9 mg/kg 静脉溶栓，溶栓后血压控制在 180/105 mmHg 以下；溶栓同时联系县总医院卒中中心评估取栓。' },
      { opinion: '同意神经内科意见；溶栓后 24 小时内不用抗血小板及抗凝药。', recommendations: '监测神经功能与出血征象，24 小时后复查头颅 CT 再决定抗凝时机。' },
    ],
    decision: '采纳会诊意见：本院阿替普酶静脉溶栓，溶栓后 NIHSS 降至 4 分，经转诊平台转县总医院卒中中心进一步评估。',
  },
  {
    specialty: '神经内科', age: [50, 85], kinds: ['outpatient', 'inpatient'], weight: 7,
    purpose: '反复头晕伴一过性肢体麻木，请协助判断是否短暂性脑缺血发作及二级预防方案',
    summary: '近 2 周发作性头晕伴左手麻木 2 次，每次约 15 分钟缓解。高血压、2 型糖尿病史。神经系统查体阴性，颈动脉超声示右侧斑块形成。',
    opinions: [
      { opinion: '考虑短暂性脑缺血发作（TIA），ABCD² 评分 4 分，属中危。', recommendations: '阿司匹林联合氯吡格雷 21 天后改单药；阿托伐他汀 20 mg；完善头颅 MRI 及颈动脉 CTA。' },
      { opinion: '同意神经内科意见，同时强化血糖、血压管理。', recommendations: '糖化血红蛋白目标 <7%，血压目标 <130/80 mmHg。' },
    ],
    decision: '采纳会诊意见：开始双联抗血小板 21 天及他汀治疗，预约县总医院头颅 MRI，纳入家庭医生签约随访。',
  },
  {
    specialty: '呼吸内科', age: [60, 95], kinds: ['inpatient'], weight: 11,
    purpose: '老年社区获得性肺炎住院 3 天，发热不退，请协助调整抗感染方案并评估是否上转',
    summary: '咳嗽、咳痰伴发热 5 天入院，予头孢曲松 3 天，仍有 38.5 ℃ 发热。呼吸 24 次/分，SpO₂ 92%。胸片右下肺大片实变。CURB-65 评分 2 分。',
    opinions: [
      { opinion: '重症倾向的社区获得性肺炎，需覆盖非典型病原体。', recommendations: '加用阿奇霉素 0.5 g qd；完善痰培养、血培养；48 小时无改善或 SpO₂ <90% 即上转。' },
      { opinion: '同意呼吸内科意见；注意高龄患者液体平衡与电解质。', recommendations: '每日复查血常规、电解质；控制补液量，监测出入量。' },
    ],
    decision: '采纳会诊意见：加用阿奇霉素，完善病原学检查；48 小时后体温降至 37.6 ℃，继续本院治疗。',
  },
  {
    specialty: '呼吸内科', age: [50, 90], kinds: ['outpatient'], weight: 6,
    purpose: '慢阻肺稳定期反复急性加重，请协助制定吸入治疗方案',
    summary: '慢阻肺病史 8 年，近 1 年急性加重 3 次（1 次住院）。目前仅按需使用沙丁胺醇。mMRC 2 级，肺功能 FEV₁ 占预计值 45%。',
    opinions: [
      { opinion: '慢阻肺 E 组（高急性加重风险），需规律长效支气管扩张剂联合治疗。', recommendations: '起始 LAMA/LABA 双联吸入，嗜酸性粒细胞 ≥300/μL 时加用吸入激素；指导吸入装置使用；接种流感及肺炎球菌疫苗。' },
      { opinion: '同意呼吸内科意见。', recommendations: '纳入慢病管理，每 3 个月随访吸入技术与症状评分。' },
    ],
    decision: '采纳会诊意见：开始 LAMA/LABA 双联吸入治疗并现场指导吸入方法，安排疫苗接种，纳入家庭医生慢病随访。',
  },
  {
    specialty: '普外科', age: [30, 85], kinds: ['emergency', 'inpatient'], weight: 8,
    purpose: '右上腹痛伴发热 1 天，超声提示胆囊增大、壁增厚，请协助判断手术时机及能否本院处理',
    summary: '进食油腻后右上腹持续性疼痛伴发热 38.4 ℃。Murphy 征阳性。WBC 13.6×10⁹/L。超声：胆囊增大，壁厚 5 mm，颈部结石嵌顿。',
    opinions: [
      { opinion: '急性结石性胆囊炎（东京指南 Ⅱ 级），建议 72 小时内腹腔镜胆囊切除。', recommendations: '禁食、补液、头孢哌酮舒巴坦抗感染；本院不具备腹腔镜条件者经转诊平台转县总医院普外科。' },
      { opinion: '同意普外科意见；术前评估心肺功能及凝血。', recommendations: '完善心电图、凝血功能、肝功能随病历转出。' },
    ],
    decision: '采纳会诊意见：禁食、抗感染治疗后经转诊平台转县总医院普外科，次日行腹腔镜胆囊切除术。',
  },
  {
    specialty: '骨科', age: [65, 95], kinds: ['emergency', 'inpatient'], weight: 7,
    purpose: '老年跌倒后髋部疼痛不能站立，X 线提示股骨颈骨折，请协助判断手术方式及转运',
    summary: '在家跌倒后左髋痛、不能行走。左下肢短缩外旋畸形。X 线：左股骨颈骨折（Garden Ⅲ 型）。高血压、骨质疏松病史。',
    opinions: [
      { opinion: '左股骨颈骨折 Garden Ⅲ 型，高龄，建议 48 小时内行人工髋关节置换。', recommendations: '患肢制动、皮牵引，镇痛（避免过量阿片类），低分子肝素预防血栓；转县总医院骨科手术。' },
      { opinion: '同意骨科意见；术前评估心功能与血压。', recommendations: '完善心电图、心脏超声；血压控制在 160/100 mmHg 以下。' },
    ],
    decision: '采纳会诊意见：制动、镇痛及血栓预防后经转诊平台转县总医院骨科，入院 36 小时内完成髋关节置换。',
  },
  {
    specialty: '骨科', age: [40, 80], kinds: ['outpatient'], weight: 5,
    purpose: '腰痛伴左下肢放射痛 1 个月，保守治疗效果欠佳，请协助判断是否需要手术',
    summary: '腰痛伴左小腿外侧放射痛、麻木 1 个月，理疗及口服非甾体抗炎药效果不佳。直腿抬高试验左 40° 阳性，无大小便障碍。',
    opinions: [
      { opinion: '考虑腰椎间盘突出症（L4/5 可能），目前无马尾综合征及进行性肌力下降，暂不需急诊手术。', recommendations: '完善腰椎 MRI；规范保守治疗 6–12 周（短期卧床、非甾体抗炎药、甲钴胺、康复锻炼）；出现大小便障碍即急诊上转。' },
      { opinion: '同意骨科意见；长期服用非甾体抗炎药注意胃肠道保护。', recommendations: '合用质子泵抑制剂，疗程不超过 2 周后复评。' },
    ],
    decision: '采纳会诊意见：预约县总医院腰椎 MRI，规范保守治疗 6 周，告知需紧急就诊的警示症状。',
  },
  {
    specialty: '儿科', age: [1, 6], kinds: ['inpatient', 'emergency'], weight: 6,
    purpose: '患儿腹泻呕吐 2 天伴尿少，请协助评估脱水程度及补液方案',
    summary: '水样便每日 8–10 次伴呕吐 2 天，近 8 小时尿少。精神萎靡，前囟及眼窝凹陷，皮肤弹性差，毛细血管充盈 2 秒。',
    opinions: [
      { opinion: '急性感染性腹泻伴中度脱水，轮状病毒感染可能。', recommendations: '按 50–100 mL/kg 于 4 小时内口服或静脉补液，见尿补钾；口服补锌 10–14 天；查电解质。' },
      { opinion: '同意儿科意见；注意低钠或高钠血症。', recommendations: '补液 4 小时后复评脱水体征及电解质，不宜常规使用止泻药。' },
    ],
    decision: '采纳会诊意见：静脉补液纠正脱水，见尿补钾，口服补锌；4 小时后尿量恢复，继续本院观察治疗。',
  },
  {
    specialty: '儿科', age: [1, 5], kinds: ['emergency'], weight: 4,
    purpose: '患儿高热后抽搐 1 次已缓解，请协助判断是否热性惊厥及是否需要上转',
    summary: '发热 1 天，体温 39.8 ℃ 时全身抽搐约 2 分钟自行缓解，抽后精神可。查体：咽充血，颈软，病理征阴性。',
    opinions: [
      { opinion: '考虑单纯型热性惊厥，上呼吸道感染所致，目前无颅内感染征象。', recommendations: '退热对症，观察 24 小时；出现反复抽搐、意识障碍或脑膜刺激征时立即上转并行腰椎穿刺。' },
      { opinion: '同意儿科意见。', recommendations: '向家长宣教惊厥时的家庭处理（侧卧、勿塞物入口），不需长期预防用药。' },
    ],
    decision: '采纳会诊意见：本院退热对症、留观 24 小时无再发，向家长宣教后出院，3 天后门诊随访。',
  },
];

/** The center's reasons for declining a consultation of the history, and the requesters' for withdrawing one. */
export const CONSULTATION_HISTORY_DECLINE_REASONS: readonly string[] = [
  '本会诊中心专家库暂无该专科（眼科）专家，建议经转诊平台转诊至龙岩市第一医院',
  '病情危重需立即转运，远程会诊可能延误救治，已电话指导经转诊平台急诊上转',
  '本会诊中心专家库暂无皮肤科专家，建议预约县总医院皮肤科专家门诊',
  '申请资料不全（缺少近期检查结果），请补充后重新申请',
];
export const CONSULTATION_HISTORY_CANCEL_REASONS: readonly string[] = [
  '患者病情好转，家属决定暂不会诊',
  '患者及家属决定直接前往县总医院就诊',
  '患者已自行转往上级医院',
];
