/**
 * Jobs of the register (docs/server.md#jobs): the queue for the store's engine (pg-boss on PostgreSQL,
 * the `jobs` table on SQLite), the job kinds — `rematch` (re-match every stored SBOM after a database
 * change), `db-update` (`bulwark db update` on the server, then a rematch when the data changed) and
 * `registry-scan` — and the timers of a process that runs jobs: the scheduled database update
 * (`db-update-interval`) and a watch that queues a rematch when the database file was replaced by
 * anyone (a `bulwark db update` from cron, `bulwark server db-import`).
 */
import { updateDatabase, DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DEFAULT_OSV_BASE_URL } from '../../db/update.js';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/connect.js';
import type { JobsTable } from '../store/schema.js';
import { PgBossJobQueue } from './pgboss-queue.js';
import {
  errorText,
  wallClock,
  type EnqueueOptions,
  type JobHandlers,
  type JobKind,
  type JobQueue,
  type QueueSettings,
} from './queue.js';
import { lastRematchedBuild, recordRematchedBuild, rematchAll } from './rematch.js';
import { runRegistryScan, type RegistryScanData } from './registry-scan.js';
import { SqliteJobQueue } from './sqlite-queue.js';
import { builtAtOf, fileMtime, fileStamp } from './vulndb.js';

export { rematchAll, type RematchOptions, type RematchResult } from './rematch.js';
export { JOB_KINDS, type JobKind, type JobQueue } from './queue.js';
export { checkReference } from './registry-scan.js';
export { encryptSecret } from './secrets.js';
export { vulnDbAccess, type VulnDbAccess } from './vulndb.js';

export interface JobServiceDeps {
  readonly store: Store;
  readonly config: ServerConfig;
  /** The register's clock. */
  readonly now: () => string;
  /** Failures of jobs and of the queue (logged by the caller). */
  readonly onError?: (err: unknown) => void;
  /** Environment for `db update` (mirror URLs, proxies); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface JobService {
  readonly engine: JobQueue['engine'];
  enqueue(kind: JobKind, data: Record<string, unknown>, options: EnqueueOptions): Promise<JobsTable>;
  /** Queue a rematch unless one is already waiting (one queued rematch covers every change before it). */
  requestRematch(createdBy: string, reason: string): Promise<JobsTable>;
  /** Run jobs in this process, `concurrency` at once, plus the update schedule and the database watch. */
  start(concurrency: number, options?: { timers?: boolean }): Promise<void>;
  /** Check the database file now and queue a rematch when it changed since the last rematch. */
  checkDatabase(): Promise<JobsTable | undefined>;
  stop(): Promise<void>;
}

export function createJobService(deps: JobServiceDeps): JobService {
  const { store, config } = deps;
  const settings: QueueSettings = {
    attempts: config.jobAttempts,
    retryDelayMs: config.jobRetryDelayMs,
    timeoutMs: config.jobTimeoutMs,
    pollIntervalMs: config.jobPollIntervalMs,
    ...(deps.onError ? { onError: deps.onError } : {}),
  };
  const queue: JobQueue =
    store.engine === 'postgres'
      ? new PgBossJobQueue(store, config.databaseUrl, settings)
      : new SqliteJobQueue(store, settings);
  const timers: NodeJS.Timeout[] = [];
  let lastStamp: string | undefined;

  /**
   * A rematch that will see the database file as it is now: one still queued, or one that started
   * after the file was last replaced (a rematch opens the file when it starts). Two requests racing
   * (the file watch and `server db-import`, say) then share one run instead of running twice at once.
   */
  const coveringRematch = () => {
    const replaced = fileMtime(config.vulnDb);
    return store.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'rematch')
      .where((eb) =>
        eb.or([
          eb('state', '=', 'queued'),
          ...(replaced ? [eb.and([eb('state', '=', 'active'), eb('started_at', '>=', replaced)])] : []),
        ]),
      )
      .orderBy('created_at')
      .executeTakeFirst();
  };

  const service: JobService = {
    engine: queue.engine,
    enqueue: (kind, data, options) => queue.enqueue(kind, data, options),
    async requestRematch(createdBy, reason) {
      return (await coveringRematch()) ?? queue.enqueue('rematch', { reason }, { createdBy });
    },
    async checkDatabase() {
      const st = fileStamp(config.vulnDb);
      if (st === undefined || st === lastStamp) return undefined;
      lastStamp = st;
      const built = builtAtOf(config.vulnDb);
      if (!built) return undefined;
      const last = await lastRematchedBuild(store);
      if (last === built) return undefined;
      // First sight of a database: what is stored was matched against it (or the client's), no rematch.
      if (last === undefined) {
        await recordRematchedBuild(store, built);
        return undefined;
      }
      // A rematch queued or running (e.g. by db-import) already covers this change.
      const pending = await store.db
        .selectFrom('jobs')
        .selectAll()
        .where('kind', '=', 'rematch')
        .where('state', 'in', ['queued', 'active'])
        .executeTakeFirst();
      if (pending) return undefined;
      return service.requestRematch('system', `the database file changed (built ${built})`);
    },
    async start(concurrency, options = {}) {
      if (concurrency < 1) return;
      await queue.work(handlers, concurrency);
      if (options.timers === false) return;
      const tick = (what: string, fn: () => Promise<unknown>) => () => {
        fn().catch((err: unknown) => deps.onError?.(new Error(`${what}: ${errorText(err)}`)));
      };
      const watch = tick('vulnerability database watch', () => service.checkDatabase());
      timers.push(setInterval(watch, Math.max(1000, Math.min(config.sweepIntervalMs, 60_000))));
      watch();
      if (config.dbUpdateIntervalMs > 0) {
        const update = tick('scheduled db update', scheduleUpdate);
        timers.push(setInterval(update, Math.min(config.dbUpdateIntervalMs, 60_000)));
        update();
      }
      for (const t of timers) t.unref();
    },
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      await queue.stop();
    },
  };

  /** Queue a db-update when none ran within the interval (several processes may race: harmless). */
  async function scheduleUpdate(): Promise<void> {
    const since = new Date(Date.now() - config.dbUpdateIntervalMs).toISOString();
    const recent = await store.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', 'db-update')
      .where((eb) => eb.or([eb('created_at', '>', since), eb('state', 'in', ['queued', 'active'])]))
      .executeTakeFirst();
    if (!recent) await queue.enqueue('db-update', { scheduled: true }, { createdBy: 'system' });
  }

  const env = deps.env ?? process.env;
  const handlers: JobHandlers = {
    rematch: async (data, ctx) => {
      const result = await rematchAll({
        store,
        config,
        now: deps.now,
        ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
        onProgress: (done, total) => ctx.progress(`${done}/${total} repositories`),
      });
      return { ...result };
    },
    'db-update': async () => {
      const report = await updateDatabase({
        dbPath: config.vulnDb,
        osvBaseUrl: env.BULWARK_OSV_BASE_URL ?? DEFAULT_OSV_BASE_URL,
        kevUrl: env.BULWARK_KEV_URL ?? DEFAULT_KEV_URL,
        epssUrl: env.BULWARK_EPSS_URL ?? DEFAULT_EPSS_URL,
      });
      const built = builtAtOf(config.vulnDb);
      const changed = built !== undefined && built !== (await lastRematchedBuild(store));
      const rematch = changed ? await service.requestRematch('system', 'scheduled db update') : undefined;
      return {
        rebuilt: report.rebuilt,
        builtAt: built ?? null,
        rematchJob: rematch?.id ?? null,
        at: wallClock(),
      };
    },
    'registry-scan': async (data) =>
      runRegistryScan({ store, config, now: deps.now }, data as unknown as RegistryScanData),
  };
  return service;
}
