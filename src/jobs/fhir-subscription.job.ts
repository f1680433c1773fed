import type { Logger } from 'pino';
import { FhirSubscriptionDispatcher } from '../modules/fhir/index.js';
import type { Clock } from '../shared/clock.js';

export { FhirSubscriptionDispatcher };

/**
 * Why async: a FHIR Subscription notifies another system over the network, which may be slow or down; no referral
 * transition may wait for it or fail because of it. Every `intervalMs` (5 s) the dispatcher scans the referrals
 * changed since each subscription's cursor and sends what is due (10 s timeout per request, retries with backoff,
 * the subscription goes to `error` after repeated failures). All state is in the database — cursors and the delivery
 * outbox — so a restart continues where it stopped; a failed tick is logged and retried on the next one.
 */
export function startFhirSubscriptionDispatch(
  dispatcher: FhirSubscriptionDispatcher,
  clock: Clock,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  intervalMs = 5_000,
): () => void {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const r = await dispatcher.tick(clock.now());
      if (r.delivered > 0 || r.failed > 0) log.info(r, 'FHIR subscription notifications sent');
    } catch (e) {
      log.error({ err: e }, 'FHIR subscription dispatch failed; will retry');
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
