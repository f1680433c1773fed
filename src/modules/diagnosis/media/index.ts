/**
 * The diagnosis centers' media layer: DICOM Part-10 and 12-lead ECG files as pure functions (no database, no HTTP).
 * The diagnosis module's services call these; nothing else imports the files of this folder directly.
 * See docs/dicom.md and docs/ecg-format.md.
 */
export { MediaError, isMediaError, mediaErrorReasons, type MediaErrorReason, type MediaIssue } from './media-error.js';

export {
  readDicom,
  summarizeDicom,
  hasDicomPreamble,
  describeTransferSyntax,
  groupDicomInstances,
  dicomDateToIso,
  type DicomInstanceSummary,
  type ParsedDicom,
  type TransferSyntaxInfo,
  type GroupableInstance,
  type GroupedDicom,
  type DicomStudyGroup,
  type DicomSeriesGroup,
} from './dicom.js';
export { renderDicomThumbnail, renderDicomThumbnailDetailed, type Thumbnail, type ThumbnailOptions } from './dicom-thumbnail.js';
export {
  generateSyntheticStudy,
  writePart10,
  syntheticModalities,
  syntheticRegions,
  type SyntheticModality,
  type SyntheticRegion,
  type SyntheticPatient,
  type SyntheticStudyOptions,
  type SyntheticStudy,
  type SyntheticDicomFile,
} from './dicom-synthetic.js';
export { newDicomUid, dicomUidFromName, uidFromUuid, isValidUid, implementationClassUid } from './dicom-uid.js';

export {
  ecgLeads,
  independentEcgLeads,
  ecgLimits,
  ecgFormatName,
  ecgFormatVersion,
  ecgJsonSchema,
  normalizeLeadName,
  parseEcgJson,
  parseEcgCsv,
  parseEcgFile,
  formatEcgJson,
  formatEcgCsv,
  type EcgLead,
  type EcgRecord,
} from './ecg-format.js';
export { analyseEcgRhythm, detectRPeaks, type EcgRhythmFacts } from './ecg-analysis.js';
export {
  generateSyntheticEcg,
  syntheticEcgPatterns,
  type SyntheticEcgPattern,
  type SyntheticEcgOptions,
} from './ecg-synthetic.js';
