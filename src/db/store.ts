/**
 * Reading the vulnerability database. `openDatabase()` opens the SQLite file read-only by default and
 * prepares every statement once, so the matcher's per-package `lookup()` costs one indexed query plus
 * decompressing the records (parsed records are memoised per handle).
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { DatabaseError } from './errors.js';
import { ecosystemKey, normalizePackageName } from './ecosystem.js';
import { defaultDatabasePath } from './paths.js';
import { APPLICATION_ID, REQUIRED_TABLES, SCHEMA_VERSION } from './schema.js';
import type { EpssEntry, KevEntry, OsvAffected, OsvRecord } from './types.js';
import { pushAll } from '../util/arrays.js';

export interface SourceStatus {
  readonly key: string;
  readonly kind: 'osv' | 'kev' | 'epss';
  readonly url: string;
  readonly fetchedAt: string;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly records: number;
  readonly rejected: number;
  readonly withdrawn: number;
  readonly note?: string;
}

export interface DatabaseStatus {
  readonly path: string;
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly builtBy?: string;
  readonly sizeBytes: number;
  readonly sources: readonly SourceStatus[];
  readonly counts: {
    readonly records: number;
    readonly packages: number;
    readonly aliases: number;
    readonly kev: number;
    readonly epss: number;
  };
}

/** A package entry found by {@link VulnDatabase.searchPackage}. */
export interface PackageHit {
  readonly ecosystem: string;
  readonly name: string;
}

/** The read API the matcher and `bulwark db` use. */
export interface VulnDatabase {
  readonly path: string;
  /**
   * Records affecting a package. `ecosystem` with a release (`Debian:12`) matches that release only;
   * a bare ecosystem (`Debian`, `npm`) matches every release. Case-insensitive on the ecosystem; the
   * name is normalised per ecosystem. Sorted by id; one record per id (the newest `modified` wins).
   */
  lookup(ecosystem: string, name: string): OsvRecord[];
  /**
   * True when the database holds any advisory for `ecosystem` (with a release: that release only;
   * bare: any release). The matcher uses it to tell "no advisory" from "no data at all".
   */
  hasEcosystem(ecosystem: string): boolean;
  /** Records whose id, alias or upstream id is `idOrAlias` (e.g. a CVE), sorted by id. */
  byId(idOrAlias: string): OsvRecord[];
  /** (ecosystem, name) pairs whose name matches `name` in any ecosystem (for `db search`). */
  searchPackage(name: string): PackageHit[];
  kev(cve: string): KevEntry | undefined;
  epss(cve: string): EpssEntry | undefined;
  status(): DatabaseStatus;
  close(): void;
}

export interface OpenOptions {
  /** Default true. The writer never goes through this API. */
  readonly readonly?: boolean;
}

const SQLITE_MAGIC = 'SQLite format 3\0';
const RECORD_CACHE_MAX = 4096;

/** Decode a stored JSON blob (see `encodeJson` in writer.ts: raw JSON, or 0x00 + deflate-raw). */
export function decodeJson(blob: Buffer): unknown {
  const json = blob[0] === 0 ? inflateRawSync(blob.subarray(1)) : blob;
  return JSON.parse(json.toString('utf8'));
}

/** The first 100 bytes of the file (the SQLite header), or fewer when the file is shorter. */
function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    return buf.subarray(0, readSync(fd, buf, 0, 100, 0));
  } finally {
    closeSync(fd);
  }
}

function hasSqliteMagic(header: Buffer): boolean {
  return header.length >= 16 && header.subarray(0, 16).toString('latin1') === SQLITE_MAGIC;
}

/**
 * SQLite result codes that mean the file itself is damaged (SQLITE_CORRUPT and its extended codes,
 * SQLITE_NOTADB). Anything else (busy, I/O, a bug in a query) is not reported as corruption.
 */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** The one-line error for a damaged database file, with the way out. */
export function corruptDatabaseError(path: string, detail: string, cause?: unknown): DatabaseError {
  return new DatabaseError(
    'E_DB_CORRUPT',
    `${path}: the vulnerability database is corrupt (${detail}); rebuild it with \`bulwark db update\` (offline: \`bulwark db import\`)`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Cheap damage checks on the header, done at every open (no page is read): the page size is a power of
 * two, and, when the header's page count is valid (written by SQLite ≥ 3.7.0, change counter equal to
 * the version-valid-for field), the file holds at least that many pages — a truncated copy fails here.
 * Damage inside pages is found by `PRAGMA quick_check` ({@link verifyDatabaseFile}, run by `db status`,
 * `db update` and `db import`), or when a query reads the damaged page (SQLITE_CORRUPT → exit 4):
 * quick_check reads every page, 0.3–0.5 s per 100 MB, too slow to run before every scan.
 */
function checkHeader(path: string, header: Buffer, size: number): void {
  if (header.length < 100) throw corruptDatabaseError(path, 'the file is shorter than its header');
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw corruptDatabaseError(path, `invalid page size ${raw} in the header`);
  const pages = header.readUInt32BE(28);
  const countValid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  if (countValid && size < pages * pageSize)
    throw corruptDatabaseError(
      path,
      `the file is truncated: ${size} bytes, the header says ${pages} pages of ${pageSize} bytes`,
    );
}

/**
 * Read every page of the database file (`PRAGMA quick_check`) and throw {@link DatabaseError}
 * `E_DB_CORRUPT` when any is damaged. Measured on a 97 MB database: 0.35–0.46 s.
 */
export function verifyDatabaseFile(path: string): void {
  const db = openSqlite(path, true);
  try {
    const rows = db.pragma('quick_check(1)') as { quick_check: string }[];
    if (rows.length !== 1 || rows[0]?.quick_check !== 'ok') {
      // SQLite's report is several lines ("*** in database main ***", one line per bad page).
      const text = rows
        .map((r) => r.quick_check)
        .join(' ')
        .replace(/\*\*\* in database \w+ \*\*\*/g, '')
        .replace(/\s+/g, ' ')
        .trim();
      throw corruptDatabaseError(path, text.length > 160 ? `${text.slice(0, 157)}...` : text);
    }
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    if (isCorruptionError(err)) throw corruptDatabaseError(path, (err as Error).message, err);
    throw err;
  } finally {
    db.close();
  }
}

/**
 * Check that an open handle is a Bulwark database of our schema version; throws {@link DatabaseError}.
 * `label` names the file in messages.
 */
export function checkDatabase(db: Database.Database, label: string): void {
  let appId: unknown;
  let tables: Set<string>;
  try {
    appId = db.pragma('application_id', { simple: true });
    tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
  } catch (err) {
    throw corruptDatabaseError(label, `not a readable SQLite database: ${(err as Error).message}`, err);
  }
  if (appId !== APPLICATION_ID || !tables.has('meta')) {
    throw new DatabaseError('E_DB_FOREIGN', `${label}: not a Bulwark vulnerability database`);
  }
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  const version = Number(row?.value);
  if (version !== SCHEMA_VERSION) {
    throw new DatabaseError(
      'E_DB_SCHEMA',
      `${label}: database schema ${row?.value ?? 'unknown'} is not supported (this Bulwark reads schema ${SCHEMA_VERSION}); run \`bulwark db update\` or import a database built by this version`,
    );
  }
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new DatabaseError('E_DB_CORRUPT', `${label}: missing table(s) ${missing.join(', ')}`);
  }
}

/** Open a SQLite file as a Bulwark database, with clear errors for missing, foreign or corrupt files. */
export function openSqlite(path: string, readonly: boolean): Database.Database {
  if (!existsSync(path)) {
    throw new DatabaseError(
      'E_DB_MISSING',
      `no vulnerability database at ${path}: run \`bulwark db update\`, or \`bulwark db import <file>\` offline`,
    );
  }
  const stat = statSync(path);
  const header = stat.isFile() ? readHeader(path) : Buffer.alloc(0);
  if (!hasSqliteMagic(header)) {
    throw new DatabaseError('E_DB_FOREIGN', `${path}: not a SQLite database`);
  }
  checkHeader(path, header, stat.size);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: true });
  } catch (err) {
    throw new DatabaseError('E_DB_OPEN', `${path}: cannot open database (${(err as Error).message})`, {
      cause: err,
    });
  }
  try {
    checkDatabase(db, path);
    // Memory-mapped reads avoid a read(2) per page on the lookup path; a renamed-away file stays mapped
    // and valid, so a scan keeps its consistent view during an update.
    db.pragma('mmap_size = 1073741824');
    db.pragma('cache_size = -32768');
  } catch (err) {
    db.close();
    if (isCorruptionError(err)) throw corruptDatabaseError(path, (err as Error).message, err);
    throw err;
  }
  return db;
}

/** Open the vulnerability database (default: the one in the cache dir). */
export function openDatabase(path: string = defaultDatabasePath(), options: OpenOptions = {}): VulnDatabase {
  const db = openSqlite(path, options.readonly ?? true);
  try {
    return new SqliteVulnDatabase(db, path);
  } catch (err) {
    db.close();
    if (isCorruptionError(err)) throw corruptDatabaseError(path, (err as Error).message, err);
    throw err;
  }
}

interface RecordRow {
  rid: number;
  id: string;
  modified: string;
}

interface PackageRow extends RecordRow {
  aid: number;
  entries: Buffer;
}

const PKG_COLS = 'r.rid AS rid, r.id AS id, r.modified AS modified, a.rowid AS aid, a.entries AS entries';

/** The package lookups of every scan (exported so a test can check that they stay indexed). */
export const LOOKUP_SQL = {
  byBase: `SELECT ${PKG_COLS} FROM affected a JOIN records r ON r.rid = a.rid WHERE a.base_key = ? AND a.name_key = ? ORDER BY a.rowid`,
  byFull: `SELECT ${PKG_COLS} FROM affected a JOIN records r ON r.rid = a.rid WHERE a.ecosystem_key = ? AND a.name_key = ? ORDER BY a.rowid`,
} as const;

class SqliteVulnDatabase implements VulnDatabase {
  private readonly cache = new Map<number, OsvRecord>();
  private readonly entryCache = new Map<number, OsvAffected[]>();
  private readonly byBase: Database.Statement<[string, string], PackageRow>;
  private readonly byFull: Database.Statement<[string, string], PackageRow>;
  private readonly hasFull: Database.Statement<[string], { x: number }>;
  private readonly hasBase: Database.Statement<[string], { x: number }>;
  private readonly entriesStmt: Database.Statement<[number], { entries: Buffer }>;
  private readonly byIdStmt: Database.Statement<[string, string], RecordRow>;
  private readonly dataStmt: Database.Statement<[number], { data: Buffer }>;
  private readonly searchStmt: Database.Statement<[string, string, string], PackageHit>;
  private readonly kevStmt: Database.Statement<[string], Record<string, unknown>>;
  private readonly epssStmt: Database.Statement<[string], EpssEntry>;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    // Record headers are fetched only when not yet decoded on this handle; a package's affected
    // entries come with the index row.
    const cols = 'r.rid AS rid, r.id AS id, r.modified AS modified';
    this.byBase = db.prepare(LOOKUP_SQL.byBase);
    this.byFull = db.prepare(LOOKUP_SQL.byFull);
    this.entriesStmt = db.prepare('SELECT entries FROM affected WHERE rid = ? ORDER BY rowid');
    this.hasFull = db.prepare('SELECT 1 AS x FROM affected WHERE ecosystem_key = ? LIMIT 1');
    this.hasBase = db.prepare('SELECT 1 AS x FROM affected WHERE base_key = ? LIMIT 1');
    this.byIdStmt = db.prepare(
      `SELECT ${cols} FROM records r WHERE r.id = ?
       UNION SELECT ${cols} FROM aliases x JOIN records r ON r.rid = x.rid WHERE x.alias = ?`,
    );
    this.dataStmt = db.prepare('SELECT data FROM records WHERE rid = ?');
    this.searchStmt = db.prepare(
      'SELECT DISTINCT ecosystem, name FROM affected WHERE name_key IN (?, ?, ?) ORDER BY ecosystem, name',
    );
    this.kevStmt = db.prepare('SELECT * FROM kev WHERE cve = ?');
    this.epssStmt = db.prepare('SELECT cve, score, percentile, date FROM epss WHERE cve = ?');
  }

  /**
   * Run a read, turning SQLITE_CORRUPT/SQLITE_NOTADB (a damaged page met by this query) into the
   * database error (exit 4); other errors pass through unchanged.
   */
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (isCorruptionError(err)) throw corruptDatabaseError(this.path, (err as Error).message, err);
      throw err;
    }
  }

  hasEcosystem(ecosystem: string): boolean {
    const eco = ecosystemKey(ecosystem);
    return this.guard(() => (eco.includes(':') ? this.hasFull : this.hasBase).get(eco) !== undefined);
  }

  lookup(ecosystem: string, name: string): OsvRecord[] {
    return this.guard(() => this.lookupUnguarded(ecosystem, name));
  }

  private lookupUnguarded(ecosystem: string, name: string): OsvRecord[] {
    const eco = ecosystemKey(ecosystem);
    const key = normalizePackageName(ecosystem, name);
    const rows = eco.includes(':') ? this.byFull.all(eco, key) : this.byBase.all(eco, key);
    const entries = new Map<number, OsvAffected[]>();
    for (const row of rows) {
      let decoded = this.entryCache.get(row.aid);
      if (!decoded) {
        decoded = this.decodeEntries(row.entries, row.id);
        if (this.entryCache.size >= RECORD_CACHE_MAX) this.entryCache.clear();
        this.entryCache.set(row.aid, decoded);
      }
      const list = entries.get(row.rid);
      if (list) pushAll(list, decoded);
      else entries.set(row.rid, [...decoded]);
    }
    return this.decodeRows(rows, (rid) => entries.get(rid) ?? []);
  }

  byId(idOrAlias: string): OsvRecord[] {
    const q = idOrAlias.trim();
    return this.guard(() =>
      this.decodeRows(this.byIdStmt.all(q, q), (rid) =>
        this.entriesStmt.all(rid).flatMap((r) => this.decodeEntries(r.entries, q)),
      ),
    );
  }

  searchPackage(name: string): PackageHit[] {
    const trimmed = name.trim();
    return this.guard(() =>
      this.searchStmt.all(trimmed, normalizePackageName('PyPI', trimmed), trimmed.toLowerCase()),
    );
  }

  kev(cve: string): KevEntry | undefined {
    const row = this.guard(() => this.kevStmt.get(cve.trim().toUpperCase()));
    if (!row) return undefined;
    const opt = (k: string): string | undefined =>
      typeof row[k] === 'string' ? (row[k] as string) : undefined;
    const entry: { -readonly [K in keyof KevEntry]: KevEntry[K] } = {
      cve: row.cve as string,
      dateAdded: row.date_added as string,
      ransomware: row.ransomware === 1,
    };
    const map: [keyof KevEntry, string][] = [
      ['vendor', 'vendor'],
      ['product', 'product'],
      ['name', 'name'],
      ['dueDate', 'due_date'],
      ['requiredAction', 'required_action'],
      ['shortDescription', 'short_description'],
      ['notes', 'notes'],
    ];
    for (const [field, column] of map) {
      const v = opt(column);
      if (v !== undefined) (entry as Record<string, unknown>)[field] = v;
    }
    return entry;
  }

  epss(cve: string): EpssEntry | undefined {
    return this.guard(() => this.epssStmt.get(cve.trim().toUpperCase()));
  }

  status(): DatabaseStatus {
    return this.guard(() => this.statusUnguarded());
  }

  private statusUnguarded(): DatabaseStatus {
    const meta = new Map(
      (this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const sources = (
      this.db.prepare('SELECT * FROM sources ORDER BY key').all() as Record<string, unknown>[]
    ).map((r): SourceStatus => {
      const s: { -readonly [K in keyof SourceStatus]: SourceStatus[K] } = {
        key: r.key as string,
        kind: r.kind as SourceStatus['kind'],
        url: r.url as string,
        fetchedAt: r.fetched_at as string,
        records: r.record_count as number,
        rejected: r.rejected as number,
        withdrawn: r.withdrawn as number,
      };
      if (typeof r.etag === 'string') s.etag = r.etag;
      if (typeof r.last_modified === 'string') s.lastModified = r.last_modified;
      if (typeof r.note === 'string') s.note = r.note;
      return s;
    });
    const count = (sql: string): number => (this.db.prepare(sql).get() as { n: number }).n;
    const status: { -readonly [K in keyof DatabaseStatus]: DatabaseStatus[K] } = {
      path: this.path,
      schemaVersion: Number(meta.get('schema_version')),
      builtAt: meta.get('built_at') ?? '',
      sizeBytes: statSync(this.path).size,
      sources,
      counts: {
        records: count('SELECT count(DISTINCT id) AS n FROM records'),
        packages: count('SELECT count(*) AS n FROM (SELECT DISTINCT ecosystem, name FROM affected)'),
        aliases: count('SELECT count(*) AS n FROM aliases'),
        kev: count('SELECT count(*) AS n FROM kev'),
        epss: count('SELECT count(*) AS n FROM epss'),
      },
    };
    const builtBy = meta.get('built_by');
    if (builtBy) status.builtBy = builtBy;
    return status;
  }

  close(): void {
    this.cache.clear();
    this.entryCache.clear();
    this.db.close();
  }

  /**
   * Keep the newest record per id (the same advisory can come from two sources), decode its header
   * (memoised) and attach the affected entries `entriesOf` returns; sorted by id.
   */
  private decodeEntries(blob: Buffer, id: string): OsvAffected[] {
    try {
      return decodeJson(blob) as OsvAffected[];
    } catch (err) {
      throw new DatabaseError(
        'E_DB_CORRUPT',
        `${this.path}: entries of ${id} cannot be decoded; rebuild the database`,
        {
          cause: err,
        },
      );
    }
  }

  private decodeRows(rows: RecordRow[], entriesOf: (rid: number) => OsvAffected[]): OsvRecord[] {
    const newest = new Map<string, RecordRow>();
    for (const row of rows) {
      const seen = newest.get(row.id);
      if (!seen || row.modified > seen.modified || (row.modified === seen.modified && row.rid > seen.rid)) {
        newest.set(row.id, row);
      }
    }
    const out: OsvRecord[] = [];
    for (const row of newest.values()) {
      try {
        let header = this.cache.get(row.rid);
        if (!header) {
          header = decodeJson(this.dataStmt.get(row.rid)!.data) as OsvRecord;
          if (this.cache.size >= RECORD_CACHE_MAX) this.cache.clear();
          this.cache.set(row.rid, header);
        }
        const affected = entriesOf(row.rid);
        pushAll(affected, header.affected);
        out.push({ ...header, affected });
      } catch (err) {
        if (err instanceof DatabaseError) throw err;
        if (isCorruptionError(err)) throw corruptDatabaseError(this.path, (err as Error).message, err);
        throw new DatabaseError(
          'E_DB_CORRUPT',
          `${this.path}: record ${row.id} cannot be decoded; rebuild the database`,
          {
            cause: err,
          },
        );
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
