import type { Actor } from '../../shared/context.js';

interface Entry {
  actor: Actor;
  /** When the token itself expires (checked against the request's clock, which tests drive). */
  tokenExpiresAt: number;
  /** Monotonic time after which the entry must be checked against the database again. */
  freshUntil: number;
}

/**
 * The actors of recently seen tokens, for at most `ttlMs` of real time. Every API request resolves its token; under
 * load the same few tokens arrive hundreds of times a second and the look-up was one statement per request (a ninth
 * of a referral step's statements). Revocation stays immediate in this process — `forgetToken` and `forgetUser` run
 * in the same service calls that revoke, deactivate or change a user — and reaches other processes on the same
 * database (a second server, the CLI) within `ttlMs`. `ttlMs` 0 turns the cache off.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every forget: a look-up that started before a revocation must not cache what it read. */
  private forgets = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  get(key: string, now: Date): Actor | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.freshUntil <= this.monotonicMs() || e.tokenExpiresAt <= now.getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.actor;
  }

  /** Taken before the database look-up and handed to `set`. */
  epoch(): number {
    return this.forgets;
  }

  set(key: string, actor: Actor, tokenExpiresAt: Date, epoch: number): void {
    if (this.ttlMs <= 0 || epoch !== this.forgets) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear(); // bounded memory; the next requests refill it
    this.entries.set(key, { actor, tokenExpiresAt: tokenExpiresAt.getTime(), freshUntil: this.monotonicMs() + this.ttlMs });
  }

  forgetToken(key: string): void {
    this.forgets++;
    this.entries.delete(key);
  }

  /** Every cached token of a user (deactivated, new password, moved, roles or name changed). */
  forgetUser(userId: string): void {
    this.forgets++;
    for (const [k, e] of this.entries) if (e.actor.userId === userId) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
