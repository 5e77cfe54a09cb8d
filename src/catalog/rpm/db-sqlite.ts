/**
 * rpmdb in SQLite (`rpmdb.sqlite`, RHEL 9 family, Fedora 33+): table `Packages(hnum, blob)` of header
 * blobs. Opened from memory (never from the image's path), read only.
 */
import Database from 'better-sqlite3';
import { rethrowIfInternal } from '../../util/errors.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export class RpmDbError extends Error {
  override readonly name = 'RpmDbError';
}

/** Header blobs in `hnum` order. Throws {@link RpmDbError} when the file is not a readable rpmdb. */
export function readSqliteBlobs(file: Buffer): Buffer[] {
  if (file.length < 100 || !file.subarray(0, 16).equals(MAGIC))
    throw new RpmDbError('not an SQLite database');
  // rpm keeps the database in WAL mode (header bytes 18/19 = 2). An in-memory database cannot use a
  // WAL, so mark the copy as a rollback-journal database; committed pages are all in the main file.
  const copy = Buffer.from(file);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').raw(true).all() as [
      number,
      unknown,
    ][];
    const out: Buffer[] = [];
    for (const [, blob] of rows) if (Buffer.isBuffer(blob)) out.push(blob);
    return out;
  } catch (err) {
    rethrowIfInternal(err);
    throw new RpmDbError(`cannot read rpmdb.sqlite: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    db?.close();
  }
}
