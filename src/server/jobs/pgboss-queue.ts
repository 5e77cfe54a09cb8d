/**
 * The PostgreSQL queue: pg-boss (its own schema `pgboss` in the register's database). Every server and
 * `bulwark worker` process that runs jobs polls one queue, so any number of them on any machines share
 * the work. A failed job is retried with exponential back-off; a job whose worker died (killed, machine
 * lost) stays `active` until `job-timeout` passes, then pg-boss's maintenance fails it and it is retried
 * by whichever worker fetches it next; a job out of attempts goes to the dead-letter queue, whose worker
 * marks it `failed` in the `jobs` table. The pg-boss job id is the `jobs` row id.
 */
import PgBoss from 'pg-boss';
import type { Store } from '../store/connect.js';
import type { JobsTable } from '../store/schema.js';
import {
  errorText,
  jobRows,
  PermanentJobError,
  newJobId,
  queuedRow,
  workerName,
  type EnqueueOptions,
  type JobHandlers,
  type JobKind,
  type JobQueue,
  type QueueSettings,
} from './queue.js';

export const QUEUE = 'bulwark-jobs';
export const DEAD_LETTERS = 'bulwark-jobs-dead';

/** The pg-boss job's data: the row id travels along because dead letters get new pg-boss ids. */
interface Payload {
  readonly kind: JobKind;
  readonly jobId: string;
}

export class PgBossJobQueue implements JobQueue {
  readonly engine = 'pg-boss' as const;
  private readonly worker = workerName();
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;

  constructor(
    private readonly store: Store,
    private readonly url: string,
    private readonly settings: QueueSettings,
  ) {}

  private get timeoutSeconds(): number {
    // pg-boss caps expiry below 24 h.
    return Math.max(1, Math.min(Math.round(this.settings.timeoutMs / 1000), 23 * 3600));
  }

  /** Start pg-boss once (creating or migrating its schema and the queues). */
  private start(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.url,
        max: 4,
        application_name: 'bulwark-jobs',
        schedule: false,
        // Dead workers are noticed by this maintenance (expiry), so it runs a few times per timeout.
        maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.round(this.timeoutSeconds / 5))),
        monitorStateIntervalSeconds: 3600,
      });
      boss.on('error', (err) => this.settings.onError?.(err));
      await boss.start();
      const common = {
        retryLimit: this.settings.attempts - 1,
        retryDelay: Math.max(0, Math.round(this.settings.retryDelayMs / 1000)),
        retryBackoff: true,
        expireInSeconds: this.timeoutSeconds,
      };
      await boss.createQueue(DEAD_LETTERS, { name: DEAD_LETTERS, ...common, retryLimit: 0 });
      await boss.createQueue(QUEUE, { name: QUEUE, ...common, deadLetter: DEAD_LETTERS });
      // Settings may have changed since the queue was first created.
      await boss.updateQueue(QUEUE, { name: QUEUE, ...common, deadLetter: DEAD_LETTERS });
      this.boss = boss;
      return boss;
    })();
    this.starting.catch(() => (this.starting = undefined));
    return this.starting;
  }

  async enqueue(kind: JobKind, data: Record<string, unknown>, options: EnqueueOptions): Promise<JobsTable> {
    const row = queuedRow(newJobId(), kind, data, options, this.settings.attempts);
    await this.store.db.insertInto('jobs').values(row).execute();
    try {
      const boss = await this.start();
      await boss.send(QUEUE, { kind, jobId: row.id } satisfies Payload, { id: row.id });
    } catch (err) {
      await jobRows.failed(this.store, row.id, err, null);
      throw err;
    }
    return row;
  }

  async work(handlers: JobHandlers, concurrency: number): Promise<void> {
    if (concurrency < 1) return;
    const boss = await this.start();
    const poll = Math.max(0.5, this.settings.pollIntervalMs / 1000);
    const options = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: poll };
    // pg-boss runs one job at a time per work() call: `concurrency` of them.
    for (let i = 0; i < concurrency; i++) {
      await boss.work<Payload>(QUEUE, options, async ([job]) => {
        if (!job) return {};
        const attempt = job.retryCount + 1;
        const row = await this.store.db
          .selectFrom('jobs')
          .selectAll()
          .where('id', '=', job.id)
          .executeTakeFirst();
        if (!row) return { skipped: 'no such job row' };
        await jobRows.started(this.store, job.id, this.worker, attempt, null);
        try {
          const handler = handlers[job.data.kind];
          if (!handler) throw new Error(`unknown job kind ${JSON.stringify(job.data.kind)}`);
          const result = await handler(JSON.parse(row.data) as Record<string, unknown>, {
            job: { ...row, attempts: attempt, worker: this.worker },
            worker: this.worker,
            progress: (text) => jobRows.progress(this.store, job.id, text),
          });
          await jobRows.completed(this.store, job.id, result);
          return result;
        } catch (err) {
          if (err instanceof PermanentJobError) {
            // Retrying cannot help: failed for good, and done as far as pg-boss is concerned.
            await jobRows.failed(this.store, job.id, err, null);
            return { failed: errorText(err) };
          }
          // Queued again (pg-boss retries it after its back-off) or, out of attempts, failed for good.
          const last = job.retryCount >= job.retryLimit;
          await jobRows
            .failed(this.store, job.id, err, last ? null : new Date().toISOString())
            .catch((e: unknown) => this.settings.onError?.(e));
          this.settings.onError?.(err);
          throw err;
        }
      });
    }
    // Jobs out of attempts, including those whose worker died on the last one (failed by expiry).
    await boss.work<Payload>(DEAD_LETTERS, options, async ([job]) => {
      if (!job) return {};
      const id = job.data.jobId;
      const row = await this.store.db
        .selectFrom('jobs')
        .select(['state', 'error', 'attempts'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (row && row.state !== 'failed' && row.state !== 'completed')
        await jobRows.failed(
          this.store,
          id,
          new Error(
            `dead-lettered after ${row.attempts} attempts: ${row.state === 'active' ? 'timed out (its worker was lost)' : (row.error ?? 'failed')}`,
          ),
          null,
        );
      return {};
    });
  }

  async stop(): Promise<void> {
    const boss = this.boss ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    if (!boss) return;
    await boss.stop({ graceful: true, wait: true, close: true, timeout: 30_000 }).catch((err: unknown) => {
      this.settings.onError?.(new Error(`stopping the job queue: ${errorText(err)}`));
    });
  }
}
