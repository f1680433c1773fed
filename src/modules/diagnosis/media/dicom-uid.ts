import { randomUUID } from 'node:crypto';
import { nameBasedId } from '../../../shared/ids.js';

/**
 * DICOM UIDs made from UUIDs under the root "2.25" (PS3.5 §B.2: "2.25." followed by the UUID's 128 bits as one
 * unsigned decimal integer). It needs no registered organisational root, so nothing is invented, and the result is
 * at most 44 characters, well under the 64 allowed.
 */
export function uidFromUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** A fresh, random DICOM UID (from a version-4 UUID). */
export function newDicomUid(): string {
  return uidFromUuid(randomUUID());
}

/**
 * A DICOM UID that is the same for the same name (from a name-based UUID): the synthetic generator uses it so that
 * a seed gives identical files, while different seeds, patients or modalities give different UIDs.
 */
export function dicomUidFromName(name: string): string {
  return uidFromUuid(nameBasedId('yilian.dicom', name));
}

/** Identifies Yilian as the writer of the files it generates ((0002,0012) Implementation Class UID). */
export const implementationClassUid = dicomUidFromName('implementation-class');
/** (0002,0013) Implementation Version Name: at most 16 characters. */
export const implementationVersionName = 'YILIAN_0_1';

/** A syntactically valid UID: dot-separated numbers without leading zeros, at most 64 characters (PS3.5 §9.1). */
export function isValidUid(uid: unknown): uid is string {
  return typeof uid === 'string' && uid.length > 0 && uid.length <= 64 && /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/.test(uid);
}
