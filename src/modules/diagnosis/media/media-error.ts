import { AppError, type ErrorCode } from '../../../shared/errors.js';

/** Why a media file was refused; stable codes for clients and tests. */
export const mediaErrorReasons = [
  /** The bytes are not a DICOM Part-10 file (no 128-byte preamble followed by "DICM", PS3.10 §7.1). */
  'dicom_not_part10',
  /** The file is Part-10 but its dataset cannot be read (truncated, malformed element). */
  'dicom_unreadable',
  /** A required unique identifier (Study/Series/SOP Instance UID, SOP Class UID) is absent or malformed. */
  'dicom_missing_uid',
  /** The pixel data is compressed (encapsulated) or big-endian; the header is readable but no thumbnail is drawn. */
  'dicom_unsupported_transfer_syntax',
  /** The pixel layout is outside what the thumbnail renderer supports (e.g. palette colour, 32-bit, YBR). */
  'dicom_unsupported_pixel_format',
  /** The file has no pixel data (e.g. a structured report). */
  'dicom_no_pixel_data',
  /** An ECG waveform file broke the format of docs/ecg-format.md. */
  'ecg_invalid',
] as const;
export type MediaErrorReason = (typeof mediaErrorReasons)[number];

/** One problem found in a file, with where it is (JSON path, CSV line) when that is known. */
export interface MediaIssue {
  path: string;
  message: string;
  messageEn: string;
}

/**
 * The media layer's error: an AppError (so the HTTP error handler maps it like any other) whose message is Chinese,
 * the language of the server's messages, with the English text and the stable reason in `detail` for clients and logs.
 */
export class MediaError extends AppError {
  readonly reason: MediaErrorReason;
  readonly messageEn: string;
  readonly issues: MediaIssue[];

  constructor(
    reason: MediaErrorReason,
    message: string,
    messageEn: string,
    options: { code?: ErrorCode; path?: string; issues?: MediaIssue[]; cause?: unknown } = {},
  ) {
    const issues = options.issues ?? [];
    super(options.code ?? 'invalid', message, {
      path: options.path,
      cause: options.cause,
      detail: { reason, messageEn, ...(issues.length > 0 ? { issues } : {}) },
    });
    this.name = 'MediaError';
    this.reason = reason;
    this.messageEn = messageEn;
    this.issues = issues;
  }
}

export function isMediaError(e: unknown): e is MediaError {
  return e instanceof MediaError;
}
