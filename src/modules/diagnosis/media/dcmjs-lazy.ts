import { createRequire } from 'node:module';
import type dcmjsModule from 'dcmjs';

const require = createRequire(import.meta.url);
let loaded: typeof dcmjsModule | null = null;

/**
 * dcmjs's data API, loaded with the first DICOM file a process reads or writes rather than at start-up: the library
 * and its tag dictionaries take ~5 MB of heap that a server doing no imaging never needs. Synchronous (require), so
 * the DICOM functions stay synchronous.
 */
export function dcmjsData(): typeof dcmjsModule.data {
  loaded ??= require('dcmjs') as typeof dcmjsModule;
  return loaded.data;
}
