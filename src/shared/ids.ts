import { randomUUID, randomBytes, createHash } from 'node:crypto';

export const newId = (): string => randomUUID();

/** URL-safe random secret for tokens and generated passwords. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Tokens are stored hashed so a database leak does not leak live credentials. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Deterministic UUID-shaped id from a name (for seeds that must be identical for a given seed). */
export function nameBasedId(namespace: string, name: string): string {
  const h = createHash('sha1').update(namespace).update('\u0000').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
