import type { Logger } from 'pino';
import type { CapacityService } from '../modules/referral/index.js';
import type { Clock } from '../shared/clock.js';

/**
 * Why async: schedules with a template must always show `daysAhead` days of slots (with the referral share held) without
 * anyone pressing "publish" each day. Publishing is idempotent (overlapping slots are skipped and a unique index on
 * (schedule, start) guards a race), so running at start-up and every few hours is safe and catches up after downtime.
 */
export function startCapacityRollForward(capacity: CapacityService, clock: Clock, log: Pick<Logger, 'info' | 'error'>, everyMs = 6 * 3_600_000): () => void {
  const run = async () => {
    try {
      const r = await capacity.rollForward(clock.now());
      if (r.created > 0) log.info(r, 'capacity: slots published ahead');
    } catch (e) {
      log.error({ err: e }, 'capacity roll-forward failed; will retry');
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
