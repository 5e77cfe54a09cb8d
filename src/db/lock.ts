/**
 * A lock file beside the database so two `db update`/`db import` runs never build at the same time.
 * The second waits (polling) up to a timeout, then fails clearly. A lock left by a process that no
 * longer exists on this host is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { DatabaseError } from './errors.js';

export interface LockOptions {
  /** How long to wait for another holder (default 10 minutes; 0 = fail at once). */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Called once when we start waiting. */
  readonly onWait?: (holder: string) => void;
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function readLock(path: string): LockInfo | undefined {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof data.pid === 'number' && typeof data.host === 'string' && typeof data.startedAt === 'string') {
      return data as LockInfo;
    }
  } catch {
    // unreadable or half-written: treated as held (it may be being written right now)
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock for `dbPath`; resolves to a release function. */
export async function acquireLock(dbPath: string, options: LockOptions = {}): Promise<() => void> {
  const path = `${dbPath}.lock`;
  const timeout = options.timeoutMs ?? 10 * 60_000;
  const poll = options.pollMs ?? 250;
  const deadline = Date.now() + timeout;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DatabaseError('E_DB_LOCK', `cannot create lock file ${path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    const holder = readLock(path);
    if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
      rmSync(path, { force: true });
      continue;
    }
    const who = holder
      ? `process ${holder.pid} on ${holder.host} since ${holder.startedAt}`
      : 'another process';
    if (Date.now() >= deadline) {
      throw new DatabaseError(
        'E_DB_LOCKED',
        `the vulnerability database is being updated by ${who}; try again later (or remove ${path} if that process is gone)`,
      );
    }
    if (!announced) {
      announced = true;
      options.onWait?.(who);
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}
