import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/context.js';
import { TokenCache } from './token-cache.js';

const actor = (userId: string): Actor => ({ userId, username: userId, organizationId: null, roles: ['township-doctor'] });

describe('TokenCache', () => {
  const at = new Date('2026-11-23T08:00:00Z');
  const later = new Date('2026-11-23T09:00:00Z');

  it('serves a token for ttlMs of real time, then asks the database again', () => {
    let t = 0;
    const c = new TokenCache(1000, 100, () => t);
    c.set('bearer:a', actor('u1'), later, c.epoch());
    expect(c.get('bearer:a', at)?.userId).toBe('u1');
    t = 999;
    expect(c.get('bearer:a', at)?.userId).toBe('u1');
    t = 1000;
    expect(c.get('bearer:a', at)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('never serves a token past its own expiry on the request clock', () => {
    const c = new TokenCache(60_000, 100, () => 0);
    c.set('bearer:a', actor('u1'), later, c.epoch());
    expect(c.get('bearer:a', new Date(later.getTime() - 1))).toBeDefined();
    expect(c.get('bearer:a', later)).toBeUndefined();
  });

  it('forgets a revoked token and every token of a changed user at once', () => {
    const c = new TokenCache(60_000, 100, () => 0);
    c.set('bearer:a', actor('u1'), later, c.epoch());
    c.set('session:b', actor('u1'), later, c.epoch());
    c.set('bearer:c', actor('u2'), later, c.epoch());
    c.forgetToken('bearer:c');
    expect(c.get('bearer:c', at)).toBeUndefined();
    c.forgetUser('u1');
    expect(c.get('bearer:a', at)).toBeUndefined();
    expect(c.get('session:b', at)).toBeUndefined();
  });

  it('does not cache what a look-up read before a revocation that happened during it', () => {
    const c = new TokenCache(60_000, 100, () => 0);
    const epoch = c.epoch(); // look-up starts
    c.forgetUser('u1'); // the user is deactivated meanwhile
    c.set('bearer:a', actor('u1'), later, epoch); // the look-up's (stale) answer
    expect(c.get('bearer:a', at)).toBeUndefined();
  });

  it('is off at ttlMs 0 and bounded in size', () => {
    const off = new TokenCache(0, 100, () => 0);
    off.set('bearer:a', actor('u1'), later, off.epoch());
    expect(off.get('bearer:a', at)).toBeUndefined();
    const small = new TokenCache(60_000, 2, () => 0);
    for (const k of ['a', 'b', 'c']) small.set(k, actor(k), later, small.epoch());
    expect(small.size).toBeLessThanOrEqual(2);
    expect(small.get('c', at)?.userId).toBe('c');
  });
});
