/**
 * The webhook deliverer: claims due deliveries from the outbox and POSTs them, signed. A claim sets
 * `lease_owner` (a random id) and `lease_until` on rows that are pending, due and not leased — one UPDATE,
 * so on PostgreSQL (row locks, predicate re-checked after a concurrent update) and SQLite (one writer)
 * two servers never take the same row; a server that dies mid-send lets its lease run out and another
 * one retries (at-least-once: receivers deduplicate by the event id). Failures are retried with
 * exponential back-off; after `webhook-max-attempts` a delivery is `dead` (kept, visible, retryable by
 * hand). Redirects are not followed and each attempt has a time limit.
 */
import { randomId } from '../auth.js';
import type { WebhookSettings } from '../config.js';
import type { Store } from '../store/connect.js';
import type { WebhookDeliveriesTable } from '../store/schema.js';
import { BULWARK_VERSION } from '../../util/tool-version.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';
import { webhookUrlProblem } from './url.js';

/** Longest wait between two attempts. */
const MAX_BACKOFF_MS = 6 * 3_600_000;
/** Longest error text kept per attempt. */
const MAX_ERROR = 500;

export interface DelivererDeps {
  readonly store: Store;
  readonly settings: WebhookSettings;
  /** ISO-8601 now (the server's clock). */
  now(): string;
}

export interface DeliveryRun {
  readonly claimed: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly dead: number;
}

/** Wait before attempt `attempts + 1` after `attempts` failures: base × 2^(attempts−1), capped. */
export function backoffMs(settings: Pick<WebhookSettings, 'retryBaseMs'>, attempts: number): number {
  return Math.min(settings.retryBaseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

const addMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/**
 * Claim up to `limit` due deliveries of enabled webhooks for this caller. The lease covers one attempt
 * (the time limit plus a margin); the rows are returned with the webhook's URL and secret.
 */
export async function claimDue(deps: DelivererDeps, limit: number) {
  const { db } = deps.store;
  const now = deps.now();
  const due = await db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
    .select('webhook_deliveries.id')
    .where('webhook_deliveries.status', '=', 'pending')
    .where('webhook_deliveries.next_attempt_at', '<=', now)
    .where((eb) =>
      eb.or([
        eb('webhook_deliveries.lease_until', 'is', null),
        eb('webhook_deliveries.lease_until', '<', now),
      ]),
    )
    .where('webhooks.enabled', '=', 1)
    .orderBy('webhook_deliveries.next_attempt_at')
    .orderBy('webhook_deliveries.id')
    .limit(limit)
    .execute();
  if (due.length === 0) return [];
  const owner = randomId();
  // The WHERE repeats the conditions: a row another deliverer claimed in the meantime is not taken.
  await db
    .updateTable('webhook_deliveries')
    .set({ lease_owner: owner, lease_until: addMs(now, deps.settings.timeoutMs + 60_000) })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .execute();
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
    .selectAll('webhook_deliveries')
    .select(['webhooks.url', 'webhooks.secret'])
    .where('webhook_deliveries.lease_owner', '=', owner)
    .orderBy('webhook_deliveries.next_attempt_at')
    .orderBy('webhook_deliveries.id')
    .execute();
}

type Claimed = WebhookDeliveriesTable & { url: string; secret: string };

interface AttemptOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  /** Permanent failures (URL refused) are not retried. */
  readonly permanent?: boolean;
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** One POST of one delivery. */
async function attempt(deps: DelivererDeps, d: Claimed): Promise<AttemptOutcome> {
  const refused = webhookUrlProblem(d.url, deps.settings.allowedHosts);
  if (refused) return { ok: false, status: null, error: `refused: ${refused}`, permanent: true };
  const timestamp = Math.floor(Date.parse(deps.now()) / 1000);
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': `bulwark-webhooks/${BULWARK_VERSION}`,
        [SIGNATURE_HEADER]: signatureHeader(d.secret, timestamp, d.body),
        'Bulwark-Event': d.event_type,
        'Bulwark-Event-Id': d.event_id,
        'Bulwark-Delivery': d.id,
      },
      body: d.body,
      // A redirect could lead anywhere (the allow-list checks only the first URL): it is a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.settings.timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    if (res.status >= 300 && res.status < 400)
      return { ok: false, status: res.status, error: `redirect not followed (HTTP ${res.status})` };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, status: null, error: errorText(err).slice(0, MAX_ERROR) };
  }
}

/** Send every due delivery (in batches of `limit`) once; returns what happened. */
export async function deliverDue(deps: DelivererDeps, limit = 20): Promise<DeliveryRun> {
  let claimed = 0;
  let delivered = 0;
  let retrying = 0;
  let dead = 0;
  for (;;) {
    const batch = (await claimDue(deps, limit)) as Claimed[];
    if (batch.length === 0) break;
    claimed += batch.length;
    for (const d of batch) {
      const started = Date.now();
      const out = await attempt(deps, d);
      const at = deps.now();
      const attempts = d.attempts + 1;
      const set: Partial<WebhookDeliveriesTable> = {
        attempts,
        last_status: out.status,
        last_error: out.error,
        lease_owner: null,
        lease_until: null,
      };
      if (out.ok) {
        set.status = 'delivered';
        set.delivered_at = at;
        delivered++;
      } else if (out.permanent || attempts >= deps.settings.maxAttempts) {
        set.status = 'dead';
        dead++;
      } else {
        set.next_attempt_at = addMs(at, backoffMs(deps.settings, attempts));
        retrying++;
      }
      await deps.store.db.transaction().execute(async (tx) => {
        // Only while the lease is still ours: a deliverer whose lease ran out records nothing.
        const updated = await tx
          .updateTable('webhook_deliveries')
          .set(set)
          .where('id', '=', d.id)
          .where('lease_owner', '=', d.lease_owner)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return;
        // Numbered over the delivery's whole history (a retry by hand restarts `attempts`, not this).
        const last = await tx
          .selectFrom('webhook_attempts')
          .select((eb) => eb.fn.max('attempt').as('n'))
          .where('delivery_id', '=', d.id)
          .executeTakeFirst();
        await tx
          .insertInto('webhook_attempts')
          .values({
            delivery_id: d.id,
            attempt: Number(last?.n ?? 0) + 1,
            at,
            status: out.status,
            error: out.error,
            duration_ms: Date.now() - started,
          })
          .execute();
      });
    }
    if (batch.length < limit) break;
  }
  return { claimed, delivered, retrying, dead };
}

/** Run {@link deliverDue} every `intervalMs` (never two runs at once); returns a stop function. */
export function startDeliverer(deps: DelivererDeps, onError: (err: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deliverDue(deps)
      .catch(onError)
      .finally(() => (running = false));
  }, deps.settings.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
