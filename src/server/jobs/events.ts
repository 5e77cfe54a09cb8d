/**
 * Finding events raised by jobs (a rematch opening, reopening or closing findings), for notifications.
 * Recorded in the same transaction as the change, so an event exists exactly when its change does.
 */
import type { Tx } from '../store/connect.js';

export interface FindingEvent {
  readonly type: 'finding.opened' | 'finding.reopened' | 'finding.fixed';
  readonly projectId: string;
  readonly repository: string;
  readonly findingId: string;
  readonly vulnerabilityId: string;
  readonly severity: string;
  readonly kev: boolean;
  readonly packagePurl: string;
  /** What caused it: `rematch` (the vulnerability database changed). */
  readonly cause: 'rematch';
}

/**
 * Hand the events of one transaction to the webhook outbox.
 *
 * WEBHOOKS CALL SITE: the webhook outbox (src/server/webhooks/) is not in this tree yet; when it is,
 * this function calls its event-recording function with `tx` and `events`. Until then the events are
 * only in the audit log (one entry per finding opened, reopened or fixed).
 */
export async function recordFindingEvents(_tx: Tx, _events: readonly FindingEvent[]): Promise<void> {
  // Intentionally empty until the outbox exists (see above).
}
