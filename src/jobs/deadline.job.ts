import type { Logger } from 'pino';
import type { DeadlineService } from '../modules/deadline/index.js';
import type { Clock } from '../shared/clock.js';

/**
 * Why async: a deadline passes when nobody acts — no request arrives to notice it. This worker looks every
 * `intervalMs` (15 s: a 30-minute emergency deadline is marked within seconds of passing) for deadlines whose next
 * check is due, marks them overdue and climbs their escalation ladder (DeadlineService.runDue). All state is in the
 * database, so a restart simply continues; two servers on one PostgreSQL share the work (SKIP LOCKED). A failed tick is
 * logged and retried on the next one — it never stops the process.
 */
export function startDeadlineWorker(
  deadlines: DeadlineService,
  clock: Clock,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  intervalMs = 15_000,
): () => void {
  let running = false;
  let stopped = false;
  const tick = async () => {
    // Ticks never overlap: a long catch-up after downtime finishes before the next one starts.
    if (running || stopped) return;
    running = true;
    try {
      const r = await deadlines.runDue(clock.now());
      if (r.fired > 0) log.info({ deadlines: r.deadlines, fired: r.fired }, 'deadlines escalated');
      for (const f of r.failed) log.error({ deadlineId: f.deadlineId, err: f.error }, 'deadline escalation failed; will retry');
    } catch (e) {
      log.error({ err: e }, 'deadline worker tick failed; will retry');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
