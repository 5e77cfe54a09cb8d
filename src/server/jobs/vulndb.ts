/**
 * The server's handle on the vulnerability database for request-time matching (SBOM uploads). `bulwark
 * db update` and `db import` install a new file by renaming it over the old one, so a handle opened
 * once would keep matching against the old data forever: the file's identity (inode, size, mtime) is
 * checked on each use, and a changed file is opened afresh.
 */
import { statSync } from 'node:fs';
import { openDatabase, type VulnDatabase } from '../../db/store.js';

export interface VulnDbAccess {
  /** The database, reopened when the file was replaced since the last call. */
  get(): VulnDatabase;
  close(): void;
}

function stamp(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

export function vulnDbAccess(path: string): VulnDbAccess {
  let db: VulnDatabase | undefined;
  let seen: string | undefined;
  return {
    get() {
      const now = stamp(path);
      if (db && now !== seen) {
        db.close();
        db = undefined;
      }
      if (!db) {
        db = openDatabase(path);
        seen = now;
      }
      return db;
    },
    close() {
      db?.close();
      db = undefined;
    },
  };
}

/** The database's build time, or undefined when it is missing or unreadable. */
export function builtAtOf(path: string): string | undefined {
  try {
    const db = openDatabase(path);
    try {
      return db.status().builtAt;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/** A cheap fingerprint of the file (changes when it is replaced), or undefined when missing. */
export const fileStamp = stamp;

/**
 * When the file was last written or renamed into place (ISO time; a rename changes the inode's ctime,
 * not its mtime), or undefined when missing.
 */
export function fileMtime(path: string): string | undefined {
  try {
    const st = statSync(path);
    return new Date(Math.max(st.mtimeMs, st.ctimeMs)).toISOString();
  } catch {
    return undefined;
  }
}
