/**
 * Building a database file. A build always writes a fresh file (the caller renames it into place when
 * everything succeeded): sources that did not change are carried over row for row from the previous
 * database with their row ids, then new content is bulk-loaded, then the indexes are built.
 */
import { deflateRawSync } from 'node:zlib';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { baseEcosystem, ecosystemKey, normalizePackageName } from './ecosystem.js';
import { DatabaseError } from './errors.js';
import { APPLICATION_ID, CREATE_INDEXES, CREATE_TABLES, SCHEMA_VERSION } from './schema.js';
import type { EpssEntry, KevEntry, OsvAffected, OsvRecord } from './types.js';

export type SourceKind = 'osv' | 'kev' | 'epss';

/** Provenance of one source, written to the `sources` table. */
export interface SourceInfo {
  readonly key: string;
  readonly kind: SourceKind;
  readonly url: string;
  readonly fetchedAt: string;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly note?: string;
}

/** Counts of one source's import; `reasons` keeps the first few rejection reasons. */
export interface SourceCounts {
  records: number;
  rejected: number;
  withdrawn: number;
  duplicates: number;
  reasons: string[];
}

const MAX_REASONS = 5;

/**
 * Records larger than this are deflated. Most records are small and creating a zlib stream per record
 * costs more than it saves; the large ones (distro advisories listing hundreds of binary packages) hold
 * most of the bytes and compress well.
 */
const COMPRESS_ABOVE = 2048;

/** Encode JSON for a blob column: raw JSON, or a 0x00 marker byte then deflate-raw data. */
export function encodeJson(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  if (json.length <= COMPRESS_ABOVE) return json;
  return Buffer.concat([Buffer.of(0), deflateRawSync(json, { level: 3 })]);
}
const BATCH = 1000;

/** Accumulates one OSV source's records and writes them in batched transactions. */
export class OsvSourceWriter {
  readonly counts: SourceCounts = { records: 0, rejected: 0, withdrawn: 0, duplicates: 0, reasons: [] };
  private readonly ids = new Set<string>();
  private pending: OsvRecord[] = [];

  constructor(
    private readonly builder: DatabaseBuilder,
    readonly info: SourceInfo,
  ) {}

  add(record: OsvRecord): void {
    if (record.withdrawn) {
      this.counts.withdrawn++;
      return;
    }
    if (this.ids.has(record.id)) {
      this.counts.duplicates++;
      return;
    }
    this.ids.add(record.id);
    this.pending.push(record);
    if (this.pending.length >= BATCH) this.flush();
  }

  /** Count a rejected record; `where` names the file or archive entry. */
  reject(where: string, reason: string): void {
    this.counts.rejected++;
    if (this.counts.reasons.length < MAX_REASONS) this.counts.reasons.push(`${where}: ${reason}`);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.builder.insertRecords(this.info.key, this.pending);
    this.counts.records += this.pending.length;
    this.pending = [];
  }
}

export class DatabaseBuilder {
  private readonly db: Database.Database;
  private readonly insertRecord: Database.Statement;
  private readonly insertAffected: Database.Statement;
  private readonly insertAlias: Database.Statement;
  private readonly writers = new Map<string, OsvSourceWriter>();
  /** KEV/EPSS sources written in this build (not to be carried over). */
  private readonly written = new Set<string>();
  private closed = false;

  /** Create a new, empty database at `path` (which must not exist). */
  constructor(readonly path: string) {
    try {
      this.db = new Database(path);
      // A build file is private until renamed into place: no journal is needed, a crash just leaves a temp file.
      this.db.pragma('journal_mode = OFF');
      this.db.pragma('synchronous = OFF');
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('cache_size = -65536');
      this.db.pragma(`application_id = ${APPLICATION_ID}`);
      this.db.exec(CREATE_TABLES);
    } catch (err) {
      throw new DatabaseError('E_DB_BUILD', `cannot create ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.insertRecord = this.db.prepare(
      'INSERT INTO records (id, source, modified, data) VALUES (?, ?, ?, ?)',
    );
    this.insertAffected = this.db.prepare(
      'INSERT INTO affected (rid, ecosystem, ecosystem_base, ecosystem_key, base_key, name, name_key, entries) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertAlias = this.db.prepare('INSERT INTO aliases (alias, rid, kind) VALUES (?, ?, ?)');
  }

  /**
   * Copy sources from a previous database file: every source whose key passes `keep` (`kev` and `epss`
   * copy their tables). Runs after the new content is loaded; copied row ids are shifted past the new ones.
   * Returns the keys copied.
   */
  carryOver(oldPath: string, keep: (key: string) => boolean): string[] {
    for (const w of this.writers.values()) w.flush();
    const offset = (this.db.prepare('SELECT coalesce(max(rid), 0) AS m FROM records').get() as { m: number })
      .m;
    this.db.exec(`ATTACH DATABASE '${oldPath.replace(/'/g, "''")}' AS old`);
    try {
      const keys = (this.db.prepare('SELECT key FROM old.sources ORDER BY key').all() as { key: string }[])
        .map((r) => r.key)
        .filter((key) => keep(key) && !this.writers.has(key) && !this.written.has(key));
      const copy = this.db.transaction(() => {
        for (const key of keys) {
          this.db.prepare('INSERT OR REPLACE INTO sources SELECT * FROM old.sources WHERE key = ?').run(key);
          if (key === 'kev') {
            this.db.exec('DELETE FROM kev; INSERT INTO kev SELECT * FROM old.kev');
          } else if (key === 'epss') {
            this.db.exec('DELETE FROM epss; INSERT INTO epss SELECT * FROM old.epss');
          } else {
            this.db
              .prepare(
                'INSERT INTO records SELECT rid + ?, id, source, modified, data FROM old.records WHERE source = ?',
              )
              .run(offset, key);
            this.db
              .prepare(
                `INSERT INTO affected SELECT a.rid + ?, a.ecosystem, a.ecosystem_base, a.ecosystem_key, a.base_key, a.name, a.name_key, a.entries
                 FROM old.affected a WHERE a.rid IN (SELECT rid FROM old.records WHERE source = ?)`,
              )
              .run(offset, key);
            this.db
              .prepare(
                `INSERT INTO aliases SELECT x.alias, x.rid + ?, x.kind
                 FROM old.aliases x WHERE x.rid IN (SELECT rid FROM old.records WHERE source = ?)`,
              )
              .run(offset, key);
          }
        }
      });
      copy();
      return keys;
    } finally {
      this.db.exec('DETACH DATABASE old');
    }
  }

  /** The writer of an OSV source (created on first use; the same key accumulates). */
  osvSource(info: SourceInfo): OsvSourceWriter {
    let w = this.writers.get(info.key);
    if (!w) {
      w = new OsvSourceWriter(this, info);
      this.writers.set(info.key, w);
    }
    return w;
  }

  /** @internal Insert a batch of records of one source. */
  insertRecords(source: string, records: readonly OsvRecord[]): void {
    const tx = this.db.transaction(() => {
      for (const record of records) {
        // Group the packaged affected entries by (ecosystem, name); the rest stays in the record header.
        const groups = new Map<string, OsvAffected[]>();
        const unpackaged: OsvAffected[] = [];
        for (const a of record.affected) {
          if (!a.package) {
            unpackaged.push(a);
            continue;
          }
          const pair = `${a.package.ecosystem}\0${a.package.name}`;
          const group = groups.get(pair);
          if (group) group.push(a);
          else groups.set(pair, [a]);
        }
        const header: OsvRecord = { ...record, affected: unpackaged };
        const rid = Number(
          this.insertRecord.run(record.id, source, record.modified, encodeJson(header)).lastInsertRowid,
        );
        for (const entries of groups.values()) {
          const { ecosystem, name } = entries[0]!.package!;
          const base = baseEcosystem(ecosystem);
          this.insertAffected.run(
            rid,
            ecosystem,
            base,
            ecosystemKey(ecosystem),
            ecosystemKey(base),
            name,
            normalizePackageName(ecosystem, name),
            encodeJson(entries),
          );
        }
        const aliases = new Set<string>();
        for (const alias of record.aliases) {
          if (alias !== record.id && !aliases.has(alias)) {
            aliases.add(alias);
            this.insertAlias.run(alias, rid, 'alias');
          }
        }
        for (const up of record.upstream) {
          if (up !== record.id && !aliases.has(up)) {
            aliases.add(up);
            this.insertAlias.run(up, rid, 'upstream');
          }
        }
      }
    });
    tx();
  }

  /** Replace the KEV table. */
  writeKev(info: SourceInfo, entries: readonly KevEntry[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO kev VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM kev');
      for (const e of entries) {
        insert.run(
          e.cve,
          e.vendor ?? null,
          e.product ?? null,
          e.name ?? null,
          e.dateAdded,
          e.dueDate ?? null,
          e.ransomware ? 1 : 0,
          e.requiredAction ?? null,
          e.shortDescription ?? null,
          e.notes ?? null,
        );
      }
      this.writeSource(info, { records: entries.length, rejected: 0, withdrawn: 0 });
    })();
  }

  /** Replace the EPSS table. */
  writeEpss(info: SourceInfo, entries: readonly EpssEntry[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO epss VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM epss');
      for (const e of entries) insert.run(e.cve, e.score, e.percentile, e.date);
      this.writeSource(info, { records: entries.length, rejected: 0, withdrawn: 0 });
    })();
  }

  private writeSource(
    info: SourceInfo,
    counts: { records: number; rejected: number; withdrawn: number },
  ): void {
    this.written.add(info.key);
    this.db
      .prepare('INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        info.key,
        info.kind,
        info.url,
        info.fetchedAt,
        info.etag ?? null,
        info.lastModified ?? null,
        counts.records,
        counts.rejected,
        counts.withdrawn,
        info.note ?? null,
      );
  }

  /** Flush pending records, build indexes, write metadata and close. The file is then ready to install. */
  finish(): void {
    try {
      for (const w of this.writers.values()) {
        w.flush();
        this.writeSource(w.info, w.counts);
      }
      this.db.exec(CREATE_INDEXES);
      const setMeta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      setMeta.run('schema_version', String(SCHEMA_VERSION));
      setMeta.run('built_at', new Date().toISOString());
      setMeta.run('built_by', `bulwark ${BULWARK_VERSION}`);
      this.db.exec('ANALYZE');
      // A normal rollback journal for readers of the installed file; no WAL side files to carry around.
      this.db.pragma('journal_mode = DELETE');
      this.db.close();
      this.closed = true;
    } catch (err) {
      this.abort();
      if (err instanceof DatabaseError) throw err;
      throw new DatabaseError('E_DB_BUILD', `cannot finish ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Close and delete the partial file. */
  abort(): void {
    if (!this.closed) {
      try {
        this.db.close();
      } catch {
        // already broken: removing the file below is what matters
      }
      this.closed = true;
    }
    rmSync(this.path, { force: true });
    rmSync(`${this.path}-journal`, { force: true });
  }
}
