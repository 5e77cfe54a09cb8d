/**
 * rpmdb in SQLite (`rpmdb.sqlite`, RHEL 9 family, Fedora 33+): table `Packages(hnum, blob)` of header
 * blobs. Opened from memory (never from the image's path), read only; with its write-ahead log
 * (`rpmdb.sqlite-wal`), from a private temporary copy of both files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { rethrowIfInternal } from '../../util/errors.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export class RpmDbError extends Error {
  override readonly name = 'RpmDbError';
}

/** A WAL shorter than its 32-byte header holds no frames (rpm leaves an empty one after a checkpoint). */
const WAL_HEADER = 32;

/**
 * Header blobs in `hnum` order. Throws {@link RpmDbError} when the file is not a readable rpmdb.
 *
 * `wal` is the database's write-ahead log as found next to it: rpm keeps the database in WAL mode, and
 * transactions committed since the last checkpoint (a package installed by the last `dnf install` of a
 * layer, when rpm did not checkpoint on exit) exist only there. SQLite applies a log only from a file
 * beside the database, so both are copied to a private temporary folder; SQLite itself ignores frames
 * that do not belong to this database or fail their checksums.
 */
export function readSqliteBlobs(file: Buffer, wal?: Buffer): Buffer[] {
  if (file.length < 100 || !file.subarray(0, 16).equals(MAGIC))
    throw new RpmDbError('not an SQLite database');
  if (wal && wal.length > WAL_HEADER) return withWal(file, wal);
  // rpm keeps the database in WAL mode (header bytes 18/19 = 2). An in-memory database cannot use a
  // WAL, so mark the copy as a rollback-journal database; committed pages are all in the main file.
  const copy = Buffer.from(file);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    return packageBlobs(db);
  } catch (err) {
    rethrowIfInternal(err);
    throw new RpmDbError(`cannot read rpmdb.sqlite: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    db?.close();
  }
}

function packageBlobs(db: Database.Database): Buffer[] {
  const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').raw(true).all() as [
    number,
    unknown,
  ][];
  const out: Buffer[] = [];
  for (const [, blob] of rows) if (Buffer.isBuffer(blob)) out.push(blob);
  return out;
}

function withWal(file: Buffer, wal: Buffer): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-rpmdb-'));
  let db: Database.Database | undefined;
  try {
    const path = join(dir, 'rpmdb.sqlite');
    writeFileSync(path, file, { mode: 0o600 });
    writeFileSync(`${path}-wal`, wal, { mode: 0o600 });
    // Not read-only: reading a WAL database needs its shared-memory index (-shm), which SQLite creates.
    // The files are our private copies; nothing is written back to the image.
    db = new Database(path, { fileMustExist: true });
    db.pragma('query_only = ON');
    return packageBlobs(db);
  } catch (err) {
    rethrowIfInternal(err);
    throw new RpmDbError(
      `cannot read rpmdb.sqlite with its write-ahead log: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
