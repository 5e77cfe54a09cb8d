/**
 * Opening the register's database: `sqlite:FILE` through better-sqlite3 (embedded, the default) or
 * `postgres://…` through node-postgres — one Kysely instance either way, so every query is written once.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { oneLine } from '../../util/errors.js';
import { redactUrl } from '../config.js';
import { ServerConfigError } from '../errors.js';
import { StaticMigrationProvider } from './migrations.js';
import type { RegisterSchema } from './schema.js';

export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<RegisterSchema>;
export type Tx = Transaction<RegisterSchema>;

const OPTIMIZE_INTERVAL_MS = 60 * 60 * 1000;

/** An advisory-lock key: every register write holds it on PostgreSQL, so audit sequence numbers never fork. */
const WRITE_LOCK = 0x62756c77; // "bulw"

export interface Store {
  readonly engine: Engine;
  readonly db: Db;
  /** A description safe to print (no password). */
  readonly label: string;
  /**
   * Run `fn` in one transaction that is the only register write in progress: SQLite allows one writer
   * anyway; on PostgreSQL a transaction-level advisory lock serialises writers across processes.
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Open (and create, for SQLite) the database named by `url`; does not migrate. */
export function openStore(url: string, cwd: string = process.cwd()): Store {
  if (url.startsWith('sqlite:')) {
    const file = resolve(cwd, url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
    let handle: Database.Database;
    try {
      mkdirSync(dirname(file), { recursive: true });
      handle = new Database(file);
      handle.pragma('journal_mode = WAL');
      handle.pragma('foreign_keys = ON');
      handle.pragma('busy_timeout = 5000');
      // WAL with NORMAL: a commit does not wait for fsync (a power cut can lose the last commits, never
      // corrupt the file) — ingest is write-heavy and this keeps it well under its 300 ms budget.
      handle.pragma('synchronous = NORMAL');
      // A 32 MiB page cache (default 2 MiB) keeps the list indexes of a million findings in memory;
      // sorts and temporary indexes stay in memory too. (No mmap: the mapped pages of a database of
      // several gigabytes would count as the server's resident memory.)
      handle.pragma('cache_size = -32768');
      handle.pragma('temp_store = MEMORY');
      // Planner statistics (ANALYZE) for tables that grew since they were last taken, bounded in cost:
      // without them SQLite may pick a filter index and sort instead of reading the page in order.
      handle.pragma('optimize = 0x10002');
    } catch (err) {
      throw new ServerConfigError(`${file}: cannot open the register database: ${oneLine(err)}`, {
        cause: err,
      });
    }
    const db = new Kysely<RegisterSchema>({ dialect: new SqliteDialect({ database: handle }) });
    // Refresh the statistics as the register grows (a no-op when no table changed much).
    const optimizer = setInterval(() => {
      try {
        handle.pragma('optimize');
      } catch {
        // Busy or closing: the next round retries.
      }
    }, OPTIMIZE_INTERVAL_MS);
    optimizer.unref();
    return {
      engine: 'sqlite',
      db,
      label: `sqlite:${file}`,
      // Kysely runs SQLite on one connection behind a mutex, so transactions are already exclusive.
      write: (fn) => db.transaction().execute(fn),
      close: () => {
        clearInterval(optimizer);
        return db.destroy();
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client losing its connection must not crash the server; the next query reconnects.
    pool.on('error', () => undefined);
    const db = new Kysely<RegisterSchema>({ dialect: new PostgresDialect({ pool }) });
    return {
      engine: 'postgres',
      db,
      label: redactUrl(url),
      write: (fn) =>
        db.transaction().execute(async (tx) => {
          await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(tx);
          return fn(tx);
        }),
      close: () => db.destroy(),
    };
  }
  throw new ServerConfigError(
    `database-url: expected sqlite:FILE or postgres://…, got ${JSON.stringify(redactUrl(url))}`,
  );
}

export interface MigrationOutcome {
  /** Migrations applied by this call, in order. */
  readonly applied: string[];
}

/** Bring the schema up to date (idempotent). Throws ServerConfigError naming the failed migration. */
export async function migrate(store: Store): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db: store.db, provider: new StaticMigrationProvider() });
  let result;
  try {
    result = await migrator.migrateToLatest();
  } catch (err) {
    throw new ServerConfigError(`${store.label}: cannot reach the register database: ${oneLine(err)}`, {
      cause: err,
    });
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new ServerConfigError(
      failed
        ? `${store.label}: migration ${failed} failed: ${oneLine(result.error)}`
        : `${store.label}: cannot reach the register database: ${oneLine(result.error)}`,
      { cause: result.error },
    );
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
