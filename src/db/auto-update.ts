/**
 * The automatic refresh before a scan: download the database when it is missing, update it when it is
 * older than a day — unless offline — and, when an automatic update fails, remember it beside the
 * database (`<db>.update-failed`) and do not try again for some hours, so that a machine without
 * internet does not pay for a failing update on every scan. Each of those runs says so in one warning.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { oneLine } from '../util/errors.js';
import { DatabaseError } from './errors.js';
import type { ProgressStream } from '../util/progress.js';
import { humanAge } from './render.js';
import { openSqlite } from './store.js';
import { updateDatabase, type UpdateOptions } from './update.js';

/** A database older than this is refreshed automatically (unless offline). */
export const AUTO_UPDATE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** After a failed automatic update, the next automatic attempt waits this long (6 h). */
export const AUTO_UPDATE_RETRY_MS = 6 * 60 * 60 * 1000;

export interface AutoUpdateOptions {
  readonly dbPath: string;
  /** `--offline`, `BULWARK_OFFLINE` or `db.offline` in .bulwark.yaml: never download. */
  readonly offline: boolean;
  /** Where the update downloads from (the same sources as `bulwark db update`). */
  readonly update: Pick<UpdateOptions, 'osvBaseUrl' | 'kevUrl' | 'epssUrl' | 'download'>;
  /** Warnings and progress; progress is left out when quiet. */
  readonly stderr: ProgressStream;
  readonly quiet?: boolean;
  /** What "offline" was set by, for the missing-database message (default `--offline`). */
  readonly offlineSource?: string;
  /** Environment for HTTPS_PROXY / HTTP_PROXY / NO_PROXY (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

/** The marker file of a failed automatic update: `<db>.update-failed`. */
export function updateFailurePath(dbPath: string): string {
  return `${dbPath}.update-failed`;
}

interface FailureRecord {
  readonly failedAt: string;
  readonly error: string;
}

/** The last failed automatic update, if one is recorded (an unreadable marker counts as none). */
export function readUpdateFailure(dbPath: string): FailureRecord | undefined {
  try {
    const doc = JSON.parse(readFileSync(updateFailurePath(dbPath), 'utf8')) as Partial<FailureRecord>;
    if (typeof doc.failedAt === 'string' && Number.isFinite(Date.parse(doc.failedAt)))
      return { failedAt: doc.failedAt, error: typeof doc.error === 'string' ? doc.error : '' };
  } catch {
    // No marker, or a damaged one: behave as if no update had failed.
  }
  return undefined;
}

function recordUpdateFailure(dbPath: string, error: string, now: number): void {
  try {
    writeFileSync(
      updateFailurePath(dbPath),
      `${JSON.stringify({ failedAt: new Date(now).toISOString(), error })}\n`,
    );
  } catch {
    // A read-only cache dir: the next scan simply tries again.
  }
}

/** Forget a recorded failure (after any successful update, automatic or `bulwark db update`). */
export function clearUpdateFailure(dbPath: string): void {
  rmSync(updateFailurePath(dbPath), { force: true });
}

/** `built_at` of the database in ms, reading one row (no counts), or NaN when unknown or unreadable. */
function builtAtMs(dbPath: string): number {
  try {
    const db = openSqlite(dbPath, true);
    try {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'built_at'").get() as
        { value: string } | undefined;
      return row ? Date.parse(row.value) : NaN;
    } finally {
      db.close();
    }
  } catch {
    return NaN;
  }
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Make the database at `dbPath` ready to open: download it when missing, refresh it when older than a
 * day, unless offline or an automatic update failed less than {@link AUTO_UPDATE_RETRY_MS} ago. Throws
 * only when there is no database to fall back on; otherwise a failed update is a warning.
 */
export async function refreshDatabase(options: AutoUpdateOptions): Promise<void> {
  const { dbPath, stderr } = options;
  const now = options.now ?? Date.now;
  const present = exists(dbPath);
  if (options.offline) {
    if (!present) {
      const by = options.offlineSource ?? '--offline';
      throw new DatabaseError(
        'E_DB_MISSING',
        `no vulnerability database at ${dbPath} and ${by} is set: import one with \`bulwark db import <osv-folder|zip|db-file> --db ${dbPath}\`, or run online to download it`,
      );
    }
    return;
  }
  let ageMs = Infinity;
  if (present) {
    const built = builtAtMs(dbPath);
    if (Number.isFinite(built)) ageMs = now() - built;
    if (ageMs <= AUTO_UPDATE_MAX_AGE_MS) return;
    const failure = readUpdateFailure(dbPath);
    const since = failure ? now() - Date.parse(failure.failedAt) : Infinity;
    if (failure && since >= 0 && since < AUTO_UPDATE_RETRY_MS) {
      const retryIn = humanAge(AUTO_UPDATE_RETRY_MS - since);
      stderr.write(
        `bulwark: warning: the vulnerability database is ${Number.isFinite(ageMs) ? `${humanAge(ageMs)} old` : 'of unknown age'}; ` +
          `the automatic update failed ${humanAge(since)} ago (${failure.error || 'unknown error'}), next try in ${retryIn} — ` +
          `run \`bulwark db update\` to retry now, or set BULWARK_OFFLINE=1 to stop trying\n`,
      );
      return;
    }
  }
  if (!options.quiet)
    stderr.write(
      `bulwark: ${present ? 'updating the vulnerability database (older than a day)' : 'downloading the vulnerability database'}…\n`,
    );
  try {
    await updateDatabase({
      dbPath,
      ...options.update,
      download: { ...options.update.download, ...(options.env ? { env: options.env } : {}) },
      ...(options.quiet ? {} : { stderr }),
    });
    clearUpdateFailure(dbPath);
  } catch (err) {
    if (!present) throw err;
    const reason = oneLine(err);
    // Stored for the next runs' warning, where "the previous database is unchanged" goes without saying.
    recordUpdateFailure(dbPath, reason.replace(/ \(the previous database is unchanged\)$/, ''), now());
    stderr.write(
      `bulwark: warning: database update failed, using the existing database (not retried automatically for ${humanAge(AUTO_UPDATE_RETRY_MS)}): ${reason}\n`,
    );
  }
}
