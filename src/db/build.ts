/**
 * Building a new database file beside the target and swapping it in with rename(2): readers that have
 * the old file open keep reading the old inode; a failed build leaves the previous file untouched.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseError } from './errors.js';
import { openSqlite, verifyDatabaseFile } from './store.js';
import { DatabaseBuilder } from './writer.js';

/** A unique temporary path in the target's directory (same filesystem, so rename is atomic). */
export function tempPathBeside(target: string, suffix: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.${suffix}`,
  );
}

/**
 * Remove temporary files an interrupted build or download left beside `target`. Call only while holding
 * the lock: every such file then belongs to a process that is gone.
 */
export function removeStaleTemps(target: string): number {
  const prefix = `.${basename(target)}.`;
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && /\.\d+\.[0-9a-f]{8}\.(tmp|download)(-journal)?$/.test(name)) {
      rmSync(join(dirname(target), name), { force: true });
      removed++;
    }
  }
  return removed;
}

export function ensureParentDir(target: string): void {
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (err) {
    throw new DatabaseError('E_DB_DIR', `cannot create ${dirname(target)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Whether `path` holds a database we can carry rows over from. Returns a reason when it exists but is
 * unusable (other schema, corrupt), so the caller can say why it starts from scratch.
 */
export function checkBase(path: string): { usable: boolean; reason?: string } {
  if (!existsSync(path)) return { usable: false };
  try {
    // Every page is read (quick_check): rows are carried over from this file, and a damaged page met
    // half way through the carry-over would fail the update that is meant to repair it.
    verifyDatabaseFile(path);
    return { usable: true };
  } catch (err) {
    return { usable: false, reason: (err as Error).message };
  }
}

/**
 * Build a new database with `body`, then carry over every source of `base` that the build did not
 * replace, and install the result at `target` atomically.
 */
export async function buildAndInstall(
  target: string,
  base: string | undefined,
  body: (builder: DatabaseBuilder) => Promise<void>,
): Promise<void> {
  ensureParentDir(target);
  const tmp = tempPathBeside(target, 'tmp');
  const builder = new DatabaseBuilder(tmp);
  try {
    await body(builder);
    if (base) builder.carryOver(base, () => true);
    builder.finish();
    install(tmp, target);
  } catch (err) {
    builder.abort();
    throw err;
  }
}

/** Rename a finished file over the target. */
export function install(tmp: string, target: string): void {
  try {
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new DatabaseError(
      'E_DB_INSTALL',
      `cannot install the new database at ${target}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Validate a prebuilt database file (format, schema version, SQLite integrity) without installing it. */
export function validatePrebuilt(path: string, label: string): void {
  let db;
  try {
    db = openSqlite(path, true);
  } catch (err) {
    if (err instanceof DatabaseError) {
      throw new DatabaseError(err.code, err.message.replace(path, label), { cause: err });
    }
    throw err;
  }
  try {
    const rows = db.pragma('integrity_check(5)') as { integrity_check: string }[];
    if (rows.length !== 1 || rows[0]?.integrity_check !== 'ok') {
      throw new DatabaseError(
        'E_DB_CORRUPT',
        `${label}: failed the SQLite integrity check (${rows.map((r) => r.integrity_check).join('; ')})`,
      );
    }
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError(
      'E_DB_CORRUPT',
      `${label}: failed the SQLite integrity check (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  } finally {
    db.close();
  }
}

/** Copy a validated prebuilt file beside the target and rename it into place. */
export function installPrebuilt(path: string, target: string): void {
  ensureParentDir(target);
  const tmp = tempPathBeside(target, 'tmp');
  try {
    copyFileSync(path, tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new DatabaseError('E_DB_INSTALL', `cannot copy ${path}: ${(err as Error).message}`, { cause: err });
  }
  install(tmp, target);
}
