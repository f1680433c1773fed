/**
 * The pure part of the DICOM viewer: which Cornerstone3D tools it binds to which mouse buttons, how a list of sources
 * becomes Cornerstone image ids, how the instances of a series are ordered, the window presets, and its words in both
 * languages. Tested in dicom-viewer.model.test.ts; the React/Cornerstone glue is dicom-viewer.tsx. Nothing here
 * imports Cornerstone (it is loaded on demand), so this file stays in the page's own chunk.
 */

/** A Part-10 file to show: a URL (fetched by the loader), or bytes already in memory (e.g. a file picked for upload). */
export type DicomSource = string | ArrayBuffer | { name: string; data: ArrayBuffer };

/** What the left mouse button (or one finger) does; the wheel, right and middle buttons are fixed (see toolBindings). */
export const viewerTools = ['windowLevel', 'scroll', 'pan', 'zoom', 'ruler'] as const;
export type ViewerTool = (typeof viewerTools)[number];

/** Cornerstone3D tool names (`<Tool>.toolName` in @cornerstonejs/tools 5.x). */
export const cornerstoneToolFor: Record<ViewerTool, string> = {
  windowLevel: 'WindowLevel',
  scroll: 'StackScroll',
  pan: 'Pan',
  zoom: 'Zoom',
  ruler: 'Length',
};
export const cornerstoneTools = Object.values(cornerstoneToolFor);

export type MouseBinding = 'primary' | 'secondary' | 'auxiliary' | 'wheel';

/**
 * The mouse bindings of every tool when `primary` is the left-button tool: the wheel always scrolls through slices,
 * the right button zooms, the middle button pans; the left button does what the reader chose. A tool without bindings
 * is made passive (Length keeps its measurements on screen and their handles draggable).
 */
export function toolBindings(primary: ViewerTool): Record<string, MouseBinding[]> {
  const fixed: Record<string, MouseBinding[]> = { StackScroll: ['wheel'], Zoom: ['secondary'], Pan: ['auxiliary'], WindowLevel: [], Length: [] };
  const name = cornerstoneToolFor[primary];
  return { ...fixed, [name]: ['primary', ...(fixed[name] ?? [])] };
}

export type ImageSource = { kind: 'url'; url: string } | { kind: 'file'; name: string; data: ArrayBuffer };

/** The sources as loader inputs: URLs for `wadouri:`, bytes for the loader's file manager (`dicomfile:`). */
export function imageSources(sources: readonly DicomSource[]): ImageSource[] {
  return sources.map((s, i) =>
    typeof s === 'string'
      ? { kind: 'url', url: s }
      : s instanceof ArrayBuffer
        ? { kind: 'file', name: `image-${i + 1}.dcm`, data: s }
        : { kind: 'file', name: s.name, data: s.data },
  );
}

/** A `wadouri:` image id for a URL; relative URLs are made absolute against the page (the loader runs elsewhere). */
export function wadouriImageId(url: string, base: string): string {
  return `wadouri:${new URL(url, base).href}`;
}

/**
 * Whether two source lists name the same files (same URLs, same buffers, in order), so that a parent re-rendering
 * with a new but equal array (`sources={[url]}`) does not reload the viewer and lose the reader's measurements.
 */
export function sameSources(a: readonly DicomSource[], b: readonly DicomSource[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    if (x === y) return true;
    if (typeof x === 'object' && typeof y === 'object' && !(x instanceof ArrayBuffer) && !(y instanceof ArrayBuffer)) {
      return x.name === y.name && x.data === y.data;
    }
    return false;
  });
}

/** What the viewer knows of one loaded instance, to order the stack. */
export interface InstanceOrderInfo {
  imageId: string;
  instanceNumber?: number | undefined;
  imagePositionPatient?: readonly number[] | undefined;
  imageOrientationPatient?: readonly number[] | undefined;
}

/**
 * The slices of one series in viewing order: along the slice normal (position · (row × column cosines)) when every
 * instance has a position and orientation, else by Instance Number, else as given. Stable for ties.
 */
export function orderInstances(items: readonly InstanceOrderInfo[]): string[] {
  const keyed = items.map((item, index) => ({ item, index }));
  const orientation = items[0]?.imageOrientationPatient;
  const normal = orientation && orientation.length === 6 ? cross(orientation.slice(0, 3), orientation.slice(3, 6)) : null;
  let key: ((i: InstanceOrderInfo) => number) | null = null;
  if (normal && items.every((i) => i.imagePositionPatient?.length === 3)) {
    key = (i) => dot(i.imagePositionPatient ?? [0, 0, 0], normal);
  } else if (items.every((i) => typeof i.instanceNumber === 'number' && Number.isFinite(i.instanceNumber))) {
    key = (i) => i.instanceNumber ?? 0;
  }
  if (key) {
    const k = key;
    keyed.sort((a, b) => k(a.item) - k(b.item) || a.index - b.index);
  }
  return keyed.map((k) => k.item.imageId);
}

function cross(a: readonly number[], b: readonly number[]): number[] {
  const [a0 = 0, a1 = 0, a2 = 0] = a;
  const [b0 = 0, b1 = 0, b2 = 0] = b;
  return [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0];
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);
}

/** A DICOM multi-valued number (a number, an array, a backslash string) as numbers. */
export function numberList(value: unknown): number[] {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split('\\') : value === undefined || value === null ? [] : [value];
  return parts.map((v) => (typeof v === 'number' ? v : Number(String(v).trim()))).filter((v) => Number.isFinite(v));
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v ?? '').trim());
  if (typeof value === 'string') return value.split('\\').map((v) => v.trim());
  return [];
}

export interface WindowPreset {
  /** `file-<n>` for the file's own windows, `ct-<name>` for the standard CT windows. */
  key: string;
  label: string;
  center: number;
  width: number;
}

/** Standard CT windows in HU (centre / width), as commonly used in radiology (e.g. Radiopaedia's "windowing (CT)"). */
export const ctWindowPresets = [
  { name: 'brain', center: 40, width: 80 },
  { name: 'softTissue', center: 40, width: 400 },
  { name: 'mediastinum', center: 50, width: 350 },
  { name: 'lung', center: -600, width: 1500 },
  { name: 'liver', center: 30, width: 150 },
  { name: 'bone', center: 400, width: 1800 },
] as const;
export type CtPresetName = (typeof ctWindowPresets)[number]['name'];

/**
 * The windows offered in the preset menu: the file's own (Window Center / Width with their explanations, from the
 * VOI LUT module of the first image) and, for CT, the standard windows.
 */
export function windowPresets(
  voi: { windowCenter?: unknown; windowWidth?: unknown; windowCenterWidthExplanation?: unknown } | undefined,
  modality: string | undefined,
  text: Pick<ViewerLabels, 'filePreset' | 'ctPresets'>,
): WindowPreset[] {
  const centers = numberList(voi?.windowCenter);
  const widths = numberList(voi?.windowWidth);
  const explanations = stringList(voi?.windowCenterWidthExplanation);
  const presets: WindowPreset[] = [];
  centers.forEach((center, i) => {
    const width = widths[i] ?? widths[0];
    if (width === undefined || width <= 0) return;
    presets.push({ key: `file-${i}`, label: explanations[i] || text.filePreset(i + 1), center, width });
  });
  if (modality === 'CT') {
    for (const p of ctWindowPresets) presets.push({ key: `ct-${p.name}`, label: text.ctPresets[p.name], center: p.center, width: p.width });
  }
  return presets;
}

/** Window centre / width → Cornerstone's VOI range, the linear function of PS3.3 §C.11.2.1.2.1 (as Cornerstone's toLowHighRange). */
export function windowToVoiRange(center: number, width: number): { lower: number; upper: number } {
  return { lower: center - 0.5 - (width - 1) / 2, upper: center - 0.5 + (width - 1) / 2 };
}

/** Cornerstone's VOI range → window centre / width (the inverse of windowToVoiRange, as Cornerstone's toWindowLevel). */
export function voiRangeToWindow(range: { lower: number; upper: number }): { center: number; width: number } {
  return { center: (range.lower + range.upper + 1) / 2, width: Math.abs(range.upper - range.lower) + 1 };
}

/** "3 / 12" for the slice counter; null for a single image. */
export function sliceLabel(index: number | null, count: number | null): string | null {
  if (index === null || count === null || count <= 1) return null;
  return `${Math.min(count, Math.max(1, index + 1))} / ${count}`;
}

const labels = {
  'zh-CN': {
    tools: { windowLevel: '窗宽窗位', scroll: '翻页', pan: '平移', zoom: '缩放', ruler: '测量长度' } as Record<ViewerTool, string>,
    hints: {
      windowLevel: '左键左右拖动调窗宽，上下拖动调窗位',
      scroll: '左键拖动逐层浏览',
      pan: '左键拖动平移',
      zoom: '左键拖动缩放',
      ruler: '按住左键拖动画线，显示长度（mm）',
    } as Record<ViewerTool, string>,
    mouseHelp: '滚轮翻页 · 右键缩放 · 中键平移',
    reset: '重置',
    preset: '窗设置',
    filePreset: (n: number) => `文件窗 ${n}`,
    ctPresets: { brain: '脑窗', softTissue: '软组织窗', mediastinum: '纵隔窗', lung: '肺窗', liver: '肝窗', bone: '骨窗' } as Record<CtPresetName, string>,
    loading: '正在加载影像…',
    empty: '没有可显示的影像',
    loadFailed: '影像加载失败',
    partlyFailed: (failed: number, total: number) => `${total} 幅影像中有 ${failed} 幅无法加载，已显示其余影像`,
    slice: '层面',
    window: (c: number, w: number) => `窗位 ${Math.round(c)}　窗宽 ${Math.round(w)}`,
    disclaimer: '浏览器阅片仅供会诊参考',
  },
  en: {
    tools: { windowLevel: 'Window/level', scroll: 'Scroll', pan: 'Pan', zoom: 'Zoom', ruler: 'Measure' } as Record<ViewerTool, string>,
    hints: {
      windowLevel: 'Drag sideways for width, up and down for level',
      scroll: 'Drag to move through slices',
      pan: 'Drag to pan',
      zoom: 'Drag to zoom',
      ruler: 'Drag to draw a line; its length is shown in mm',
    } as Record<ViewerTool, string>,
    mouseHelp: 'Wheel: slices · right button: zoom · middle button: pan',
    reset: 'Reset',
    preset: 'Window preset',
    filePreset: (n: number) => `File window ${n}`,
    ctPresets: { brain: 'Brain', softTissue: 'Soft tissue', mediastinum: 'Mediastinum', lung: 'Lung', liver: 'Liver', bone: 'Bone' } as Record<CtPresetName, string>,
    loading: 'Loading images…',
    empty: 'No images to show',
    loadFailed: 'The images could not be loaded',
    partlyFailed: (failed: number, total: number) => `${failed} of ${total} images could not be loaded; the others are shown`,
    slice: 'Slice',
    window: (c: number, w: number) => `L ${Math.round(c)}  W ${Math.round(w)}`,
    disclaimer: 'Browser viewing is for consultation reference',
  },
};
export type ViewerLabels = (typeof labels)['zh-CN'];

/** The viewer's words in the UI language (standalone component; carries its own labels). */
export function dicomViewerLabels(language: string | undefined): ViewerLabels {
  return language?.startsWith('en') ? labels.en : labels['zh-CN'];
}

/**
 * A load error as text. The loader rejects with an Error, an event-like object with `error`, or the failed
 * XMLHttpRequest itself (`status`, `statusText`); older shapes carry the request as `target`.
 */
export function loadErrorText(event: unknown): string | null {
  if (event instanceof Error) return event.message;
  if (typeof event === 'string') return event || null;
  if (event && typeof event === 'object') {
    const e = event as { error?: unknown; message?: unknown; status?: unknown; statusText?: unknown; target?: { status?: unknown; statusText?: unknown } };
    if (e.error instanceof Error) return e.error.message;
    if (typeof e.error === 'string') return e.error;
    if (typeof e.message === 'string') return e.message;
    const http = (r: { status?: unknown; statusText?: unknown } | undefined) =>
      r && typeof r.status === 'number' && (r.status >= 400 || r.status === 0)
        ? r.status === 0
          ? 'network error'
          : `HTTP ${r.status}${typeof r.statusText === 'string' && r.statusText ? ` ${r.statusText}` : ''}`
        : null;
    return http(e) ?? http(e.target);
  }
  return null;
}
