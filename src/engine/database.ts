/**
 * The vulnerability database a scan matches against: opened where the caller says (or `BULWARK_DB`, or
 * the default cache location), and refreshed first when it is missing or older than a day, unless
 * offline (`offline`, `BULWARK_OFFLINE` or `db.offline` in the configuration file) or an automatic
 * update failed a short while ago (see src/db/auto-update.ts).
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { resolveOffline } from '../config/offline.js';
import { AUTO_UPDATE_MAX_AGE_MS, refreshDatabase } from '../db/auto-update.js';
import { defaultDatabasePath } from '../db/paths.js';
import { openDatabase, type VulnDatabase } from '../db/store.js';
import { DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DEFAULT_OSV_BASE_URL } from '../db/update.js';
import type { EngineEvents } from './events.js';

/** A database older than this is refreshed automatically (unless offline). */
export const DB_MAX_AGE_MS = AUTO_UPDATE_MAX_AGE_MS;

export interface DatabaseOptions extends Pick<EngineEvents, 'updateOutput'> {
  /** Database file (relative to `cwd`); default `BULWARK_DB`, else `<cache dir>/db/bulwark.sqlite`. */
  readonly db?: string;
  /** Never download: use the database as it is (missing is an error). */
  readonly offline?: boolean;
  readonly cwd?: string;
  /**
   * Environment: `BULWARK_DB`, `BULWARK_OFFLINE`, the cache dir, the `BULWARK_*_URL` download overrides
   * and the proxy variables; default `process.env`.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The configuration file (its `db.offline`); default `.bulwark.yaml` in `cwd`. */
  readonly configFile?: string;
  /** Leave the refresh's notices and download progress out of {@link updateOutput} (warnings stay). */
  readonly quiet?: boolean;
}

/** Open the database, refreshing it first when it is missing or stale (unless offline). */
export async function prepareDatabase(options: DatabaseOptions = {}): Promise<VulnDatabase> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.db ?? env.BULWARK_DB;
  const dbPath = explicit ? resolve(cwd, explicit) : defaultDatabasePath(env);
  const offline = resolveOffline(options.offline, env, loadConfig(cwd, options.configFile));
  await refreshDatabase({
    dbPath,
    offline: offline.offline,
    ...(offline.source ? { offlineSource: offline.source } : {}),
    // The same sources and overrides as `bulwark db update`.
    update: {
      osvBaseUrl: env.BULWARK_OSV_BASE_URL ?? DEFAULT_OSV_BASE_URL,
      kevUrl: env.BULWARK_KEV_URL ?? DEFAULT_KEV_URL,
      epssUrl: env.BULWARK_EPSS_URL ?? DEFAULT_EPSS_URL,
    },
    stderr: options.updateOutput ?? { write: () => true },
    ...(options.quiet ? { quiet: true } : {}),
    env,
  });
  return openDatabase(dbPath);
}
