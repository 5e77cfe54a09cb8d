/**
 * The job queue behind `bulwark server` and `bulwark worker` (docs/server.md#jobs). One interface, two
 * implementations: on PostgreSQL pg-boss holds the queue (any number of workers on any machines share it,
 * with retries, exponential back-off, expiry of jobs whose worker died, and a dead-letter queue); on
 * SQLite a table is the queue, with the same retries and back-off and a lease that a live worker renews
 * (an expired lease means the worker died: the job is retried). On both, the `jobs` table records every
 * job's state, attempts, worker, progress and result, which the API reads.
 *
 * Queue bookkeeping uses the real wall clock (leases and back-off must pass); what jobs change in the
 * register is stamped with the services' clock.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../store/connect.js';
import type { JobsTable } from '../store/schema.js';
import { oneLine } from '../../util/errors.js';

export const JOB_KINDS = ['rematch', 'db-update', 'registry-scan'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface EnqueueOptions {
  /** The project the job belongs to (registry scans); null for organisation jobs. */
  readonly projectId?: string | null;
  /** User name, or `system`. */
  readonly createdBy: string;
}

/** What a running job can tell the queue. */
export interface JobContext {
  readonly job: JobsTable;
  /** `host:pid` of this worker. */
  readonly worker: string;
  /** Record progress (free text, shown in the job's status). */
  progress(text: string): Promise<void>;
}

/** Runs one job; returns its result (stored as JSON), throws to fail (it is retried). */
export type JobHandler = (data: Record<string, unknown>, ctx: JobContext) => Promise<Record<string, unknown>>;
export type JobHandlers = Readonly<Record<JobKind, JobHandler>>;

export interface JobQueue {
  readonly engine: 'sqlite' | 'pg-boss';
  /** Queue a job; returns its row (state `queued`). */
  enqueue(kind: JobKind, data: Record<string, unknown>, options: EnqueueOptions): Promise<JobsTable>;
  /** Start running jobs, `concurrency` at once, until {@link stop}. */
  work(handlers: JobHandlers, concurrency: number): Promise<void>;
  /** Stop taking jobs and wait for the running ones; closes the queue's own connections. */
  stop(): Promise<void>;
}

/** Settings of a queue (from the server configuration). */
export interface QueueSettings {
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** Called with failures of the queue machinery itself (not of jobs). */
  readonly onError?: (err: unknown) => void;
}

export const workerName = (): string => `${hostname()}:${process.pid}`;
export const wallClock = (): string => new Date().toISOString();
export const newJobId = (): string => randomUUID();

/** The row of a freshly queued job. */
export function queuedRow(
  id: string,
  kind: JobKind,
  data: Record<string, unknown>,
  options: EnqueueOptions,
  attempts: number,
): JobsTable {
  const now = wallClock();
  return {
    id,
    kind,
    state: 'queued',
    project_id: options.projectId ?? null,
    data: JSON.stringify(data),
    result: null,
    error: null,
    progress: null,
    attempts: 0,
    max_attempts: attempts,
    run_after: now,
    lease_until: null,
    worker: null,
    created_by: options.createdBy,
    created_at: now,
    started_at: null,
    finished_at: null,
    updated_at: now,
  };
}

/** Job bookkeeping shared by both queues (the `jobs` table). */
export const jobRows = {
  async started(store: Store, id: string, worker: string, attempt: number, leaseUntil: string | null) {
    const now = wallClock();
    await store.db
      .updateTable('jobs')
      .set({
        state: 'active',
        attempts: attempt,
        worker,
        started_at: now,
        lease_until: leaseUntil,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  },
  async progress(store: Store, id: string, text: string) {
    await store.db
      .updateTable('jobs')
      .set({ progress: text, updated_at: wallClock() })
      .where('id', '=', id)
      .execute();
  },
  async completed(store: Store, id: string, result: Record<string, unknown>) {
    const now = wallClock();
    await store.db
      .updateTable('jobs')
      .set({
        state: 'completed',
        result: JSON.stringify(result),
        error: null,
        finished_at: now,
        lease_until: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  },
  /** A failed attempt: queued again after `retryAt`, or (no retry left) `failed` for good. */
  async failed(store: Store, id: string, err: unknown, retryAt: string | null) {
    const now = wallClock();
    await store.db
      .updateTable('jobs')
      .set({
        state: retryAt ? 'queued' : 'failed',
        error: errorText(err),
        lease_until: null,
        ...(retryAt ? { run_after: retryAt } : { finished_at: now }),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  },
};

/** A failure that retrying cannot fix (refused registry, deleted project): the job fails at once. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** A failure as stored and shown: one line, bounded. */
export function errorText(err: unknown): string {
  return oneLine(err).slice(0, 2000);
}

/** Delay before retry number `attempt` (1 = the first retry): the base delay doubled each time, capped at 1 h. */
export function backoffMs(base: number, attempt: number): number {
  return Math.min(base * 2 ** Math.max(0, attempt - 1), 3_600_000);
}
