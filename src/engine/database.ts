/**
 * The vulnerability database a scan matches against: opened where the caller says (or `BULWARK_DB`, or
 * the default cache location), and refreshed first when it is missing or older than a day, unless
 * offline.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseError } from '../db/errors.js';
import { defaultDatabasePath } from '../db/paths.js';
import { openDatabase, type VulnDatabase } from '../db/store.js';
import { DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DEFAULT_OSV_BASE_URL, updateDatabase } from '../db/update.js';
import { oneLine } from '../util/errors.js';
import type { EngineEvents } from './events.js';

/** A database older than this is refreshed automatically (unless offline). */
export const DB_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface DatabaseOptions extends Pick<EngineEvents, 'onNotice' | 'onWarning' | 'updateProgress'> {
  /** Database file (relative to `cwd`); default `BULWARK_DB`, else `<cache dir>/db/bulwark.sqlite`. */
  readonly db?: string;
  /** Never download: use the database as it is (missing is an error). */
  readonly offline?: boolean;
  readonly cwd?: string;
  /** Environment: `BULWARK_DB`, the cache dir, and the `BULWARK_*_URL` download overrides; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Open the database; unless offline, run `db update` first when it is missing or older than a day.
 * An update failure with a usable database is a warning; without one it is the error.
 */
export async function prepareDatabase(options: DatabaseOptions = {}): Promise<VulnDatabase> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.db ?? env.BULWARK_DB;
  const dbPath = explicit ? resolve(cwd, explicit) : defaultDatabasePath(env);
  let exists = false;
  try {
    exists = statSync(dbPath).isFile();
  } catch {
    exists = false;
  }
  if (options.offline) {
    if (!exists) {
      throw new DatabaseError(
        'E_DB_MISSING',
        `no vulnerability database at ${dbPath} and --offline is set: import one with \`bulwark db import <osv-folder|zip|db-file> --db ${dbPath}\`, or run without --offline to download it`,
      );
    }
    return openDatabase(dbPath);
  }
  let stale = !exists;
  if (exists) {
    try {
      const db = openDatabase(dbPath);
      const built = Date.parse(db.status().builtAt);
      db.close();
      stale = !Number.isFinite(built) || Date.now() - built > DB_MAX_AGE_MS;
    } catch {
      stale = true;
    }
  }
  if (stale) {
    options.onNotice?.(
      `${exists ? 'updating the vulnerability database (older than a day)' : 'downloading the vulnerability database'}…`,
    );
    try {
      // The same sources and overrides as `bulwark db update`.
      await updateDatabase({
        dbPath,
        osvBaseUrl: env.BULWARK_OSV_BASE_URL ?? DEFAULT_OSV_BASE_URL,
        kevUrl: env.BULWARK_KEV_URL ?? DEFAULT_KEV_URL,
        epssUrl: env.BULWARK_EPSS_URL ?? DEFAULT_EPSS_URL,
        ...(options.updateProgress ? { stderr: options.updateProgress } : {}),
      });
    } catch (err) {
      if (!exists) throw err;
      options.onWarning?.(`database update failed, using the existing database: ${oneLine(err)}`);
    }
  }
  return openDatabase(dbPath);
}
