import type { Logger } from 'pino';
import type { IdentityService } from '../modules/identity/index.js';
import type { Clock } from '../shared/clock.js';

/**
 * Why async: every sign-in and API token adds a row to access_tokens; nothing on the request path should pay for
 * deleting old ones. Hourly is plenty — expired rows are never accepted, they only take space.
 */
export function startTokenCleanup(identity: IdentityService, clock: Clock, log: Pick<Logger, 'info' | 'error'>, everyMs = 3_600_000): () => void {
  const run = async () => {
    try {
      const n = await identity.purgeExpiredTokens(clock.now());
      if (n > 0) log.info({ deleted: n }, 'expired tokens purged');
    } catch (e) {
      log.error({ err: e }, 'token cleanup failed; will retry');
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
