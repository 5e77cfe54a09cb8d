/**
 * `bulwark worker`: runs the register's queued jobs (rematch, database updates, registry scans) — the
 * same configuration and environment as `bulwark server`, no HTTP. On PostgreSQL any number of workers
 * on any machines share the queue; on SQLite a worker shares the file with a server on the same machine.
 */
import type { Command } from 'commander';
import { settingsHelp } from '../../server/config.js';
import { UsageError } from '../../util/errors.js';
import { writeOut, type CliIO } from '../io.js';
import { config, untilSignal, type ServerFlags } from './server.js';

export function registerWorker(program: Command, io: CliIO): void {
  program
    .command('worker')
    .description(
      "run the register's jobs (rematch after database changes, scheduled db update, registry scans); stop with SIGINT or SIGTERM",
    )
    .option('--config <file>', 'YAML settings file (the same as bulwark server)')
    .option('--data-dir <dir>', 'data directory (embedded database)')
    .option('--database-url <url>', 'sqlite:FILE or postgres://…')
    .option('--vuln-db <file>', 'vulnerability database for matching')
    .option('--log-level <level>', 'log level')
    .option('--concurrency <n>', 'jobs run at once (default: the workers setting, else 1)')
    .addHelpText('after', settingsHelp())
    .action(async (flags: ServerFlags & { concurrency?: string }) => {
      let concurrency: number | undefined;
      if (flags.concurrency !== undefined) {
        if (
          !/^\d+$/.test(flags.concurrency) ||
          Number(flags.concurrency) < 1 ||
          Number(flags.concurrency) > 64
        )
          throw new UsageError(
            `--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(flags.concurrency)}`,
          );
        concurrency = Number(flags.concurrency);
      }
      const cfg = config(flags, io);
      const n = concurrency ?? Math.max(1, cfg.workers);
      const { createJobService, migrate, openStore } = await import('../../server/index.js');
      const store = openStore(cfg.databaseUrl, io.cwd);
      const quiet = cfg.logLevel === 'silent';
      const jobs = createJobService({
        store,
        config: cfg,
        now: () => new Date().toISOString(),
        onError: (err) => {
          if (!quiet)
            io.stderr.write(
              `bulwark worker: ${(err as Error)?.message ?? String(err)}\n`.replace(/\n(?!$)/g, ' '),
            );
        },
      });
      try {
        await migrate(store);
        await jobs.start(n);
        await writeOut(
          io,
          `bulwark worker: ${process.pid} running up to ${n} job(s) at once (${store.label}, ${jobs.engine})\n`,
        );
        await untilSignal();
      } finally {
        await jobs.stop();
        await store.close();
      }
    });
}
