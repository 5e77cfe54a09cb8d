/**
 * `bulwark server`: the vulnerability register (src/server, docs/server.md). This file only maps flags to
 * the server library: start (the default), `migrate`, `create-user`, `audit verify`, `openapi`.
 */
import { Option, type Command } from 'commander';
// Only the settings and roles load with the command (for --help); the server itself (Fastify, Kysely,
// pg) loads when a subcommand runs.
import { loadServerConfig, settingsHelp, type ServerConfig } from '../../server/config.js';
import { ROLES } from '../../server/store/schema.js';
import { BulwarkError, InputError, UsageError } from '../../util/errors.js';
import { readPasswordStdin, writeOut, type CliIO } from '../io.js';
import { ExitWith } from '../exit.js';

export interface ServerFlags {
  config?: string;
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
  vulnDb?: string;
  logLevel?: string;
  workers?: string;
  /** commander's `--no-worker`: false when given. */
  worker?: boolean;
}

export function config(flags: ServerFlags, io: CliIO): ServerConfig {
  return loadServerConfig({
    env: io.env,
    cwd: io.cwd,
    ...(flags.config ? { file: flags.config } : {}),
    flags: {
      host: flags.host,
      port: flags.port,
      'data-dir': flags.dataDir,
      'database-url': flags.databaseUrl,
      'vuln-db': flags.vulnDb,
      'log-level': flags.logLevel,
      workers: flags.worker === false ? '0' : flags.workers,
    },
  });
}

/** Wait for SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (sig: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(sig);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

export function registerServer(program: Command, io: CliIO): void {
  const server = program
    .command('server')
    .description(
      'run the vulnerability register: a JSON REST API for projects, images, scans, findings and risk acceptances',
    )
    .option('--config <file>', 'YAML settings file (see Settings below)')
    .option('--host <address>', 'address to listen on')
    .option('--port <port>', 'TCP port')
    .option('--data-dir <dir>', 'data directory (embedded database)')
    .option('--database-url <url>', 'sqlite:FILE or postgres://…')
    .option('--vuln-db <file>', 'vulnerability database for uploaded SBOMs')
    .option('--log-level <level>', 'log level')
    .option('--workers <n>', 'jobs this server runs at once (setting workers; default 1)')
    .option('--no-worker', 'run no jobs in this process: leave them to bulwark worker (workers: 0)')
    .addHelpText('after', settingsHelp())
    .action(async (flags: ServerFlags) => {
      const cfg = config(flags, io);
      const { buildServer } = await import('../../server/index.js');
      const srv = await buildServer({ config: cfg });
      let address: string;
      try {
        address = await srv.app.listen({ host: cfg.host, port: cfg.port });
      } catch (err) {
        await srv.close();
        throw new InputError(
          'E_LISTEN',
          `cannot listen on ${cfg.host}:${cfg.port}: ${(err as Error).message}`,
        );
      }
      await writeOut(io, `bulwark server: listening on ${address} (${srv.services.store.label})\n`);
      await untilSignal();
      await srv.close();
    });

  server
    .command('migrate')
    .description(
      'create or update the register database schema, then exit (the server also does this on start)',
    )
    .action(async (_opts, cmd: Command) => {
      const cfg = config(cmd.optsWithGlobals<ServerFlags>(), io);
      const { migrate, openStore } = await import('../../server/index.js');
      const store = openStore(cfg.databaseUrl, io.cwd);
      try {
        const r = await migrate(store);
        await writeOut(
          io,
          r.applied.length
            ? `applied ${r.applied.join(', ')} to ${store.label}\n`
            : `${store.label} is up to date\n`,
        );
      } finally {
        await store.close();
      }
    });

  server
    .command('create-user <username>')
    .description('create a local user (the password is read from standard input)')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('viewer'))
    .option('--password-stdin', 'read the password from standard input (required)')
    .action(async (username: string, opts: { role: string; passwordStdin?: boolean }, cmd: Command) => {
      const { createUser, migrate, openStore, passwordProblem } = await import('../../server/index.js');
      if (!opts.passwordStdin)
        throw new UsageError('create-user needs --password-stdin (passwords never go on the command line)');
      const password = await readPasswordStdin(io);
      const problem = passwordProblem(password);
      if (problem) throw new UsageError(problem);
      const cfg = config(cmd.optsWithGlobals<ServerFlags>(), io);
      const store = openStore(cfg.databaseUrl, io.cwd);
      try {
        await migrate(store);
        await createUser(
          store,
          { id: null, name: 'cli' },
          { username, password, role: opts.role },
          new Date().toISOString(),
        ).catch((err: unknown) => {
          if (err instanceof BulwarkError) throw err;
          throw new InputError('E_USER', (err as Error).message);
        });
        await writeOut(io, `created ${opts.role} ${username}\n`);
      } finally {
        await store.close();
      }
    });

  const audit = server.command('audit').description('the audit log');
  audit
    .command('verify')
    .description(
      'check the hash chain of the audit log; exits 1 and names the first bad row when it is broken',
    )
    .action(async (_opts, cmd: Command) => {
      const cfg = config(cmd.optsWithGlobals<ServerFlags>(), io);
      const { migrate, openStore, verifyAudit } = await import('../../server/index.js');
      const store = openStore(cfg.databaseUrl, io.cwd);
      try {
        await migrate(store);
        const r = await verifyAudit(store.db);
        if (r.ok) {
          await writeOut(
            io,
            `audit log intact: ${r.rows} rows verified${r.head ? `, newest ${r.head}` : ''}\n`,
          );
          return;
        }
        io.stderr.write(
          `bulwark: audit log broken at row ${r.firstBad!.seq}: ${r.firstBad!.problem} (${r.rows - 1} rows before it verify)\n`,
        );
        throw new ExitWith(1);
      } finally {
        await store.close();
      }
    });

  server
    .command('db-import <inputs...>')
    .description(
      "import into the server's vulnerability database (as bulwark db import: OSV folders or zips, KEV, EPSS, a prebuilt database), then queue a rematch of every stored SBOM",
    )
    .action(async (inputs: string[], _opts, cmd: Command) => {
      const cfg = config(cmd.optsWithGlobals<ServerFlags>(), io);
      const { importInputs } = await import('../../db/import.js');
      const { createJobService, migrate, openStore } = await import('../../server/index.js');
      const report = await importInputs(inputs, {
        dbPath: cfg.vulnDb,
        cwd: io.cwd,
        stderr: io.stderr,
        download: { env: io.env },
      });
      const store = openStore(cfg.databaseUrl, io.cwd);
      const jobs = createJobService({ store, config: cfg, now: () => new Date().toISOString() });
      try {
        await migrate(store);
        const job = await jobs.requestRematch('cli', `bulwark server db-import ${inputs.length} input(s)`);
        await writeOut(
          io,
          `imported ${report.sources.length} source(s) into ${report.dbPath}; rematch job ${job.id} queued
`,
        );
      } finally {
        await jobs.stop();
        await store.close();
      }
    });

  server
    .command('openapi')
    .description('print the OpenAPI 3.1 document of the API (as served at /api/v1/openapi.json)')
    .action(async () => {
      const { buildOpenApi, ROUTES } = await import('../../server/index.js');
      await writeOut(io, `${JSON.stringify(buildOpenApi(ROUTES), null, 2)}\n`);
    });
}
