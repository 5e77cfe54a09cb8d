/**
 * The SQLite layout of the vulnerability database (one portable file). Bump {@link SCHEMA_VERSION} on any
 * incompatible change: readers refuse other versions and `bulwark db update` rebuilds from scratch.
 */

/** Schema of the file; stored in `meta.schema_version`. */
export const SCHEMA_VERSION = 1;

/** `PRAGMA application_id` of a Bulwark database ("BWK1"), so a random SQLite file is recognised as foreign. */
export const APPLICATION_ID = 0x42574b31;

/** Tables, created before the bulk load. */
export const CREATE_TABLES = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per source (an OSV ecosystem archive or folder, the KEV feed, the EPSS feed).
CREATE TABLE sources (
  key           TEXT PRIMARY KEY,   -- osv:<Ecosystem>, kev, epss
  kind          TEXT NOT NULL,      -- osv | kev | epss
  url           TEXT NOT NULL,      -- where it came from (URL or local path)
  fetched_at    TEXT NOT NULL,      -- ISO 8601, when this content was downloaded or imported
  etag          TEXT,
  last_modified TEXT,
  record_count  INTEGER NOT NULL,
  rejected      INTEGER NOT NULL DEFAULT 0,
  withdrawn     INTEGER NOT NULL DEFAULT 0,
  note          TEXT               -- e.g. the EPSS model version
) WITHOUT ROWID;

-- OSV records, normalised (see src/db/types.ts), as JSON (deflated when large). The affected entries that
-- name a package are stored in the affected table instead, so a lookup decodes only its package's entries.
CREATE TABLE records (
  rid      INTEGER PRIMARY KEY,
  id       TEXT NOT NULL,
  source   TEXT NOT NULL,
  modified TEXT NOT NULL,
  data     BLOB NOT NULL
);

-- (ecosystem, package) → record. *_key columns are the lookup keys (see src/db/ecosystem.ts).
CREATE TABLE affected (
  rid            INTEGER NOT NULL,
  ecosystem      TEXT NOT NULL,     -- as in the record: Debian:12
  ecosystem_base TEXT NOT NULL,     -- Debian
  ecosystem_key  TEXT NOT NULL,     -- debian:12
  base_key       TEXT NOT NULL,     -- debian
  name           TEXT NOT NULL,
  name_key       TEXT NOT NULL,
  entries        BLOB NOT NULL      -- JSON array of the record's affected entries for this package
);

-- id ↔ alias: aliases and upstream ids of each record.
CREATE TABLE aliases (
  alias TEXT NOT NULL,
  rid   INTEGER NOT NULL,
  kind  TEXT NOT NULL               -- alias | upstream
);

CREATE TABLE kev (
  cve               TEXT PRIMARY KEY,
  vendor            TEXT,
  product           TEXT,
  name              TEXT,
  date_added        TEXT NOT NULL,
  due_date          TEXT,
  ransomware        INTEGER NOT NULL,
  required_action   TEXT,
  short_description TEXT,
  notes             TEXT
) WITHOUT ROWID;

CREATE TABLE epss (
  cve        TEXT PRIMARY KEY,
  score      REAL NOT NULL,
  percentile REAL NOT NULL,
  date       TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Indexes, created after the bulk load (faster than maintaining them row by row). */
export const CREATE_INDEXES = `
CREATE INDEX records_id ON records(id);
CREATE INDEX records_source ON records(source);
CREATE INDEX affected_base ON affected(base_key, name_key);
CREATE INDEX affected_full ON affected(ecosystem_key, name_key);
CREATE INDEX affected_name ON affected(name_key);
CREATE INDEX affected_rid ON affected(rid);
CREATE INDEX aliases_alias ON aliases(alias);
`;

/** Tables every valid database has (checked when installing a prebuilt file). */
export const REQUIRED_TABLES = ['meta', 'sources', 'records', 'affected', 'aliases', 'kev', 'epss'] as const;
