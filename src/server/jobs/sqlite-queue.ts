/**
 * The embedded queue: the `jobs` table is the queue. A worker claims the oldest due job with one atomic
 * UPDATE … RETURNING (safe across processes sharing the file, SQLite has one writer), holds a lease it
 * renews while the job runs, and on failure puts the job back with exponential back-off until its
 * attempts are used up (then `failed`: the dead letters, listed by `GET /jobs?state=failed`). A job whose
 * lease ran out — its worker died or the process was killed — is queued again (or failed) by any live
 * worker. Queued jobs survive a restart: they are rows.
 */
import { sql } from 'kysely';
import type { Store } from '../store/connect.js';
import type { JobsTable } from '../store/schema.js';
import {
  backoffMs,
  jobRows,
  PermanentJobError,
  newJobId,
  queuedRow,
  wallClock,
  workerName,
  type EnqueueOptions,
  type JobHandlers,
  type JobKind,
  type JobQueue,
  type QueueSettings,
} from './queue.js';

/** How long a claim holds without renewal; renewed every third of it while the job runs. */
export const LEASE_MS = 30_000;

export class SqliteJobQueue implements JobQueue {
  readonly engine = 'sqlite' as const;
  private readonly worker = workerName();
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private handlers: JobHandlers | undefined;
  private concurrency = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private polling = false;

  constructor(
    private readonly store: Store,
    private readonly settings: QueueSettings,
  ) {}

  async enqueue(kind: JobKind, data: Record<string, unknown>, options: EnqueueOptions): Promise<JobsTable> {
    const row = queuedRow(newJobId(), kind, data, options, this.settings.attempts);
    await this.store.db.insertInto('jobs').values(row).execute();
    // A worker in this process starts it at once instead of at the next poll.
    if (!this.stopped) setImmediate(() => void this.poll());
    return row;
  }

  async work(handlers: JobHandlers, concurrency: number): Promise<void> {
    if (concurrency < 1) return;
    this.handlers = handlers;
    this.concurrency = concurrency;
    this.stopped = false;
    this.timer = setInterval(() => void this.poll(), this.settings.pollIntervalMs);
    this.timer.unref();
    await this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Requeue (or fail) jobs whose lease expired, then start due jobs while there is room. */
  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      await this.reap();
      while (!this.stopped && this.running < this.concurrency) {
        const job = await this.claim();
        if (!job) break;
        this.running++;
        const p = this.run(job).finally(() => {
          this.running--;
          this.inFlight.delete(p);
          if (!this.stopped) setImmediate(() => void this.poll());
        });
        this.inFlight.add(p);
      }
    } catch (err) {
      this.settings.onError?.(err);
    } finally {
      this.polling = false;
    }
  }

  private async reap(): Promise<void> {
    const now = wallClock();
    const lost = 'worker lost: its lease expired (the process died or was killed)';
    await this.store.db
      .updateTable('jobs')
      .set({ state: 'queued', run_after: now, lease_until: null, error: lost, updated_at: now })
      .where('state', '=', 'active')
      .where('lease_until', '<', now)
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .execute();
    await this.store.db
      .updateTable('jobs')
      .set({ state: 'failed', finished_at: now, lease_until: null, error: lost, updated_at: now })
      .where('state', '=', 'active')
      .where('lease_until', '<', now)
      .execute();
  }

  private async claim(): Promise<JobsTable | undefined> {
    const now = wallClock();
    const lease = new Date(Date.now() + LEASE_MS).toISOString();
    return this.store.db
      .updateTable('jobs')
      .set({
        state: 'active',
        attempts: sql<number>`attempts + 1`,
        worker: this.worker,
        started_at: now,
        lease_until: lease,
        updated_at: now,
      })
      .where('state', '=', 'queued')
      .where('id', '=', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('state', '=', 'queued')
          .where('run_after', '<=', now)
          .orderBy('created_at')
          .orderBy('id')
          .limit(1),
      )
      .returningAll()
      .executeTakeFirst();
  }

  private async run(job: JobsTable): Promise<void> {
    const store = this.store;
    const renew = setInterval(() => {
      store.db
        .updateTable('jobs')
        .set({ lease_until: new Date(Date.now() + LEASE_MS).toISOString() })
        .where('id', '=', job.id)
        .where('worker', '=', this.worker)
        .execute()
        .catch((err: unknown) => this.settings.onError?.(err));
    }, LEASE_MS / 3);
    renew.unref();
    try {
      const handler = this.handlers![job.kind as JobKind];
      if (!handler) throw new Error(`unknown job kind ${JSON.stringify(job.kind)}`);
      const result = await handler(JSON.parse(job.data) as Record<string, unknown>, {
        job,
        worker: this.worker,
        progress: (text) => jobRows.progress(store, job.id, text),
      });
      await jobRows.completed(store, job.id, result);
    } catch (err) {
      const retry =
        job.attempts < job.max_attempts && !(err instanceof PermanentJobError)
          ? new Date(Date.now() + backoffMs(this.settings.retryDelayMs, job.attempts)).toISOString()
          : null;
      await jobRows.failed(store, job.id, err, retry).catch((e: unknown) => this.settings.onError?.(e));
      this.settings.onError?.(err);
    } finally {
      clearInterval(renew);
    }
  }
}
