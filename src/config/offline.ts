/**
 * The persistent offline setting: `BULWARK_OFFLINE` in the environment, or `db: {offline: true}` in
 * `.bulwark.yaml`, with the same effect as `--offline` on every run (never download the database).
 */
import { InputError, UsageError } from '../util/errors.js';

export interface OfflineSetting {
  readonly offline: boolean;
  /** What set it, for messages: `--offline`, `BULWARK_OFFLINE=1` or `<file>: db.offline`. */
  readonly source?: string;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

/**
 * `--offline` wins; then `BULWARK_OFFLINE` (`1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`; so `=0`
 * overrides the config file for one run); then `db.offline` (a boolean) in the config file.
 */
export function resolveOffline(
  flag: boolean | undefined,
  env: NodeJS.ProcessEnv,
  config: { readonly data: Record<string, unknown>; readonly path?: string },
): OfflineSetting {
  if (flag) return { offline: true, source: '--offline' };
  const raw = env.BULWARK_OFFLINE;
  if (raw !== undefined) {
    const v = raw.trim().toLowerCase();
    if (TRUE.has(v)) return { offline: true, source: `BULWARK_OFFLINE=${raw}` };
    if (FALSE.has(v)) return { offline: false };
    throw new UsageError(`BULWARK_OFFLINE must be 1 or 0 (or true/false), got ${JSON.stringify(raw)}`);
  }
  const db = config.data.db;
  if (db === undefined || db === null) return { offline: false };
  const where = config.path ?? '.bulwark.yaml';
  if (typeof db !== 'object' || Array.isArray(db))
    throw new InputError('E_CONFIG', `${where}: db: expected a mapping (e.g. db: {offline: true})`);
  const value = (db as Record<string, unknown>).offline;
  if (value === undefined) return { offline: false };
  if (typeof value !== 'boolean')
    throw new InputError(
      'E_CONFIG',
      `${where}: db.offline must be true or false, got ${JSON.stringify(value)}`,
    );
  return value ? { offline: true, source: `${where}: db.offline` } : { offline: false };
}
