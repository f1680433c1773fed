/**
 * The slice of dcmjs (which ships no type declarations) that the media layer uses. Only this folder imports dcmjs;
 * the shapes follow dcmjs 0.52's `src/DicomMessage.js`, `src/DicomDict.js` and `src/DicomMetaDictionary.js`.
 */
declare module 'dcmjs' {
  /** A denaturalized dataset: tag (8 hex digits) → { vr, Value }. */
  export type DenaturalizedDataset = Record<string, { vr: string; Value?: unknown[] }>;
  /** A naturalized dataset: keyword → value (a scalar for VM 1, an array otherwise), plus `_vrMap`. */
  export type NaturalizedDataset = Record<string, unknown> & { _vrMap?: Record<string, string> };

  export interface ReadFileOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  export class DicomDict {
    constructor(meta: DenaturalizedDataset);
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  export const DicomMessage: {
    readFile(buffer: ArrayBuffer, options?: ReadFileOptions): DicomDict;
    isEncapsulated(transferSyntaxUid: string): boolean;
  };

  export const DicomMetaDictionary: {
    naturalizeDataset(dataset: DenaturalizedDataset): NaturalizedDataset;
    denaturalizeDataset(dataset: NaturalizedDataset): DenaturalizedDataset;
  };

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: typeof DicomMessage;
      DicomMetaDictionary: typeof DicomMetaDictionary;
    };
  };
  export default dcmjs;
}
