import type { Clock } from './clock.js';
// Type-only: contracts is a leaf (imports only zod), so this adds no runtime dependency.
import type { Channel, RoleCode } from '../contracts/codes.js';

/** Who is acting: resolved from a bearer token, a session cookie, or the CLI. */
export interface Actor {
  userId: string;
  username: string;
  organizationId: string | null;
  roles: RoleCode[];
  /** Name shown in timelines and on printed forms, when the token lookup provided it. */
  displayName?: string;
}

/** Passed to every service call: who, from where, and what time it is. */
export interface RequestContext {
  actor: Actor;
  clock: Clock;
  channel: Channel;
  ip?: string;
}

export const hasRole = (actor: Actor, ...roles: RoleCode[]): boolean => actor.roles.some((r) => roles.includes(r));
