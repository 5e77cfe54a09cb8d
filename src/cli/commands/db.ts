/**
 * `bulwark db update | import | status | search`: the local vulnerability database (docs/database.md).
 * Database problems exit with code 4, network problems with code 5.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { importInputs } from '../../db/import.js';
import type { LockOptions } from '../../db/lock.js';
import { defaultDatabasePath } from '../../db/paths.js';
import {
  parseAge,
  renderSearchTable,
  renderSourceReports,
  renderStatusTable,
  statusView,
  humanAge,
} from '../../db/render.js';
import { search } from '../../db/search.js';
import { openDatabase, verifyDatabaseFile } from '../../db/store.js';
import { clearUpdateFailure } from '../../db/auto-update.js';
import { DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DEFAULT_OSV_BASE_URL, updateDatabase } from '../../db/update.js';
import { UsageError } from '../../util/errors.js';
import { writeOut, type CliIO } from '../io.js';

const FORMATS = ['table', 'json'] as const;
/** Default for `db status --max-age` (and `db.max-age` in .bulwark.yaml). */
export const DEFAULT_MAX_AGE = '7d';

interface CommonFlags {
  db?: string;
}

function dbPath(flags: CommonFlags, io: CliIO): string {
  const explicit = flags.db ?? io.env.BULWARK_DB;
  return explicit ? resolve(io.cwd, explicit) : defaultDatabasePath(io.env);
}

function lockTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--lock-timeout must be a number of seconds, got ${JSON.stringify(value)}`);
  return Number(value) * 1000;
}

/** The update lock of `db update` and `db import`: `--lock-timeout`, and a note while another run holds it. */
function lockOptions(value: string | undefined, io: CliIO): LockOptions {
  const timeout = lockTimeout(value);
  return {
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    onWait: (who) => io.stderr.write(`bulwark: waiting for ${who} to finish updating the database\n`),
  };
}

/** After `db update` / `db import`: say why the previous database was rebuilt instead of reused. */
function warnBaseIgnored(baseIgnored: string | undefined, io: CliIO): void {
  if (baseIgnored) io.stderr.write(`bulwark: previous database not reused: ${baseIgnored}\n`);
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The end of a successful `db update` / `db import`: a working write ends the back-off of failed automatic
 * updates (src/db/auto-update.ts), an ignored previous database is reported, then the report is printed as
 * JSON or as the command's own text summary.
 */
async function finishWrite(
  report: { readonly dbPath: string; readonly baseIgnored?: string },
  format: string,
  io: CliIO,
  summary: () => string,
): Promise<void> {
  clearUpdateFailure(report.dbPath);
  warnBaseIgnored(report.baseIgnored, io);
  await writeOut(io, format === 'json' ? json(report) : summary());
}

/** `db.max-age` from .bulwark.yaml, when set. */
function configuredMaxAge(io: CliIO): string | undefined {
  const db = loadConfig(io.cwd).data.db;
  if (db && typeof db === 'object' && !Array.isArray(db)) {
    const v = (db as Record<string, unknown>)['max-age'];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return undefined;
}

export function registerDb(program: Command, io: CliIO): void {
  const db = program
    .command('db')
    .description('manage the local vulnerability database (OSV, CISA KEV, FIRST EPSS)');
  const dbOption = (): Option =>
    new Option('--db <file>', 'database file (default: $BULWARK_DB, else <cache dir>/db/bulwark.sqlite)');

  db.command('update')
    .description(
      'download OSV advisories, the CISA KEV catalog and EPSS scores; unchanged sources are skipped',
    )
    .option(
      '--ecosystems <list>',
      'comma-separated OSV ecosystems (default: every ecosystem of the export with a version scheme)',
    )
    .option(
      '--osv-base-url <url>',
      `OSV export base URL (env BULWARK_OSV_BASE_URL; default ${DEFAULT_OSV_BASE_URL})`,
    )
    .option('--kev-url <url>', `CISA KEV JSON URL (env BULWARK_KEV_URL; default ${DEFAULT_KEV_URL})`)
    .option('--epss-url <url>', `EPSS CSV URL (env BULWARK_EPSS_URL; default ${DEFAULT_EPSS_URL})`)
    .option('--no-kev', 'do not download the KEV catalog')
    .option('--no-epss', 'do not download EPSS scores')
    .option('--lock-timeout <seconds>', 'how long to wait for another update to finish (default 600)')
    .addOption(dbOption())
    .addOption(new Option('-f, --format <format>', 'summary format').choices([...FORMATS]).default('table'))
    .action(
      async (
        flags: CommonFlags & {
          ecosystems?: string;
          osvBaseUrl?: string;
          kevUrl?: string;
          epssUrl?: string;
          kev: boolean;
          epss: boolean;
          lockTimeout?: string;
          format: string;
        },
      ) => {
        const ecosystems = flags.ecosystems
          ?.split(',')
          .map((e) => e.trim())
          .filter(Boolean);
        if (flags.ecosystems !== undefined && ecosystems?.length === 0) {
          throw new UsageError('--ecosystems needs at least one ecosystem name');
        }
        const lock = lockOptions(flags.lockTimeout, io);
        const report = await updateDatabase({
          dbPath: dbPath(flags, io),
          ...(ecosystems ? { ecosystems } : {}),
          osvBaseUrl: flags.osvBaseUrl ?? io.env.BULWARK_OSV_BASE_URL ?? DEFAULT_OSV_BASE_URL,
          kevUrl: flags.kev ? (flags.kevUrl ?? io.env.BULWARK_KEV_URL ?? DEFAULT_KEV_URL) : null,
          epssUrl: flags.epss ? (flags.epssUrl ?? io.env.BULWARK_EPSS_URL ?? DEFAULT_EPSS_URL) : null,
          lock,
          stderr: io.stderr,
          download: { env: io.env },
        });
        await finishWrite(
          report,
          flags.format,
          io,
          () =>
            `${renderSourceReports(report.sources)}${report.rebuilt ? `database updated: ${report.dbPath}` : `database is up to date: ${report.dbPath}`}\n`,
        );
      },
    );

  db.command('import')
    .description(
      'import OSV folders or zips, a KEV JSON, an EPSS CSV (.gz) or a prebuilt database, from files or URLs',
    )
    .argument(
      '<inputs...>',
      'folders (<Ecosystem>/<ID>.json), zip archives, JSON, CSV, .sqlite files or http(s) URLs',
    )
    .option('--lock-timeout <seconds>', 'how long to wait for another update to finish (default 600)')
    .addOption(dbOption())
    .addOption(new Option('-f, --format <format>', 'summary format').choices([...FORMATS]).default('table'))
    .action(async (inputs: string[], flags: CommonFlags & { lockTimeout?: string; format: string }) => {
      const lock = lockOptions(flags.lockTimeout, io);
      const report = await importInputs(inputs, {
        dbPath: dbPath(flags, io),
        cwd: io.cwd,
        lock,
        stderr: io.stderr,
        download: { env: io.env },
      });
      await finishWrite(report, flags.format, io, () => {
        const head = report.prebuilt ? `installed prebuilt database ${report.prebuilt}\n` : '';
        return `${head}${renderSourceReports(report.sources)}database: ${report.dbPath}\n`;
      });
    });

  db.command('status')
    .description('show the database age, sources and counts; warn when it is older than --max-age')
    .option(
      '--max-age <age>',
      `warn when older than this (e.g. 7d, 36h; config db.max-age; default ${DEFAULT_MAX_AGE})`,
    )
    .addOption(dbOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('table'))
    .action(async (flags: CommonFlags & { maxAge?: string; format: string }) => {
      const ageText = flags.maxAge ?? configuredMaxAge(io) ?? DEFAULT_MAX_AGE;
      const maxAge = parseAge(ageText);
      if (maxAge === undefined)
        throw new UsageError(`--max-age must look like 7d, 36h or 90m, got ${JSON.stringify(ageText)}`);
      const path = dbPath(flags, io);
      // Status is the health check: every page is read (quick_check, ~0.4 s per 100 MB), so damage that
      // a scan would meet only for some packages is reported here.
      verifyDatabaseFile(path);
      const handle = openDatabase(path);
      let view;
      try {
        view = statusView(handle.status(), maxAge);
      } finally {
        handle.close();
      }
      if (view.stale) {
        io.stderr.write(
          `bulwark: warning: the vulnerability database is ${view.ageSeconds >= 0 ? humanAge(view.ageSeconds * 1000) : 'of unknown age'} old (max age ${ageText}); run \`bulwark db update\`\n`,
        );
      }
      await writeOut(io, flags.format === 'json' ? json(view) : renderStatusTable(view));
    });

  db.command('search')
    .description(
      'show records by id or alias (GHSA-…, CVE-…) or by package; with a version, whether it is affected and why',
    )
    .argument('<query>', 'an advisory id or alias, or a package name')
    .argument('[version]', 'a package version to evaluate against the records')
    .option('-e, --ecosystem <ecosystem>', 'OSV ecosystem of the package (e.g. Go, PyPI, Debian:12)')
    .addOption(dbOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('table'))
    .action(
      async (
        query: string,
        version: string | undefined,
        flags: CommonFlags & { ecosystem?: string; format: string },
      ) => {
        const handle = openDatabase(dbPath(flags, io));
        let result;
        try {
          result = search(handle, {
            query,
            ...(version !== undefined ? { version } : {}),
            ...(flags.ecosystem ? { ecosystem: flags.ecosystem } : {}),
          });
        } finally {
          handle.close();
        }
        await writeOut(io, flags.format === 'json' ? json(result) : renderSearchTable(result));
      },
    );
}
