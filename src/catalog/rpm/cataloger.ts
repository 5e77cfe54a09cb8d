/**
 * `rpm-db`: Red Hat-family and SUSE packages from the rpm database, whichever backend the image
 * uses: SQLite (`rpmdb.sqlite`), ndb (`Packages.db`) or Berkeley DB (`Packages`), in `/var/lib/rpm`
 * or `/usr/lib/sysimage/rpm`. Packages are credited to the layer that installed them.
 */
import { attributeLayers } from '../attribution.js';
import { normalizeLicenses } from '../license.js';
import { databaseUnknown, osPackage, presentFields, problemUnknowns } from '../os/common.js';
import { osPurl } from '../os/purl.js';
import type {
  CatalogContext,
  Cataloger,
  CatalogResult,
  FileVersion,
  FileView,
  Location,
  Package,
} from '../types.js';
import { readBdbHashValues } from './db-bdb.js';
import { readNdbBlobs } from './db-ndb.js';
import { readSqliteBlobs } from './db-sqlite.js';
import { readRpmEntry, splitSourceRpm, type RpmEntry } from './package-info.js';
import { pushAll } from '../../util/arrays.js';
import { rethrowIfInternal } from '../../util/errors.js';

const ID = 'rpm-db';

type Backend = 'sqlite' | 'ndb' | 'bdb';

/**
 * Database files in order of preference: a system converted to a newer backend may keep the old
 * file, and on current systems `/var/lib/rpm` is a symlink to `/usr/lib/sysimage/rpm`, so only the
 * first one present is read.
 */
const DATABASES: readonly { path: string; backend: Backend }[] = [
  { path: '/usr/lib/sysimage/rpm/rpmdb.sqlite', backend: 'sqlite' },
  { path: '/var/lib/rpm/rpmdb.sqlite', backend: 'sqlite' },
  { path: '/usr/lib/sysimage/rpm/Packages.db', backend: 'ndb' },
  { path: '/var/lib/rpm/Packages.db', backend: 'ndb' },
  { path: '/var/lib/rpm/Packages', backend: 'bdb' },
  { path: '/usr/lib/sysimage/rpm/Packages', backend: 'bdb' },
];
/** SQLite's write-ahead log beside an `rpmdb.sqlite`: committed packages not yet checkpointed. */
const walPath = (path: string): string => `${path}-wal`;
const DATABASE_PATHS = new Set(
  DATABASES.flatMap((d) => (d.backend === 'sqlite' ? [d.path, walPath(d.path)] : [d.path])),
);

/** Header blobs of one database version, plus per-item problems. Throws when the file is unusable. */
function readBlobs(content: Buffer, backend: Backend): { blobs: Buffer[]; problems: string[] } {
  switch (backend) {
    case 'sqlite':
      return { blobs: readSqliteBlobs(content, WALS.get(content)), problems: [] };
    case 'ndb': {
      const r = readNdbBlobs(content);
      return { blobs: r.values, problems: r.problems };
    }
    case 'bdb': {
      const r = readBdbHashValues(content);
      return { blobs: r.values, problems: r.problems };
    }
  }
}

/** Parse every package of one database version. */
function parseDatabase(
  content: Buffer,
  backend: Backend,
  withFiles: boolean,
  problems: string[] | undefined,
): RpmEntry[] {
  const { blobs, problems: dbProblems } = readBlobs(content, backend);
  if (problems) pushAll(problems, dbProblems);
  const out: RpmEntry[] = [];
  for (const [i, blob] of blobs.entries()) {
    // Berkeley DB keeps a 4-byte "next instance" counter as a record; it is not a header.
    if (blob.length <= 8 && backend === 'bdb') continue;
    try {
      const entry = readRpmEntry(blob, withFiles);
      // Imported signing keys are stored as pseudo-packages; they are not software.
      if (entry.name === 'gpg-pubkey') continue;
      out.push(entry);
    } catch (err) {
      rethrowIfInternal(err);
      problems?.push(`header ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

/** The WAL that goes with a database version (keyed by that version's own Buffer object). */
const WALS = new WeakMap<Buffer, Buffer>();

/**
 * The states of an SQLite rpmdb layer by layer, each with the WAL as it was then: a layer may change
 * only the WAL (packages committed there and not checkpointed), so both files' layers count.
 */
function withWalVersions(db: readonly FileVersion[], wal: readonly FileVersion[]): FileVersion[] {
  if (wal.length === 0) return [...db];
  const at = (versions: readonly FileVersion[], index: number): FileVersion | undefined => {
    let found: FileVersion | undefined;
    for (const v of versions) if ((v.layer?.index ?? 0) <= index) found = v;
    return found;
  };
  const points = [...new Set([...db, ...wal].map((v) => v.layer?.index ?? 0))].sort((a, b) => a - b);
  const out: FileVersion[] = [];
  for (const index of points) {
    const base = at(db, index);
    if (!base) continue; // a WAL without its database yet
    const log = at(wal, index);
    const layerOf = (log?.layer?.index ?? -1) > (base.layer?.index ?? -1) ? log!.layer : base.layer;
    // A view of the same bytes (no copy): its own object, so it can carry its own WAL.
    const content = Buffer.from(base.content.buffer, base.content.byteOffset, base.content.length);
    if (log) WALS.set(content, log.content);
    out.push({ ...(layerOf ? { layer: layerOf } : {}), content });
  }
  return out;
}

async function catalog(view: FileView, ctx: CatalogContext): Promise<CatalogResult> {
  const byPath = new Map(view.files().map((f) => [f.path, f]));
  const db = DATABASES.find((d) => byPath.has(d.path));
  if (!db) return { packages: [] };
  const file = byPath.get(db.path)!;
  const wal = db.backend === 'sqlite' ? byPath.get(walPath(db.path)) : undefined;
  const problems: string[] = [];
  let attributed;
  try {
    const versions = withWalVersions(await file.history(), wal ? await wal.history() : []);
    attributed = attributeLayers(versions, {
      parse: (content, latest) => parseDatabase(content, db.backend, latest, latest ? problems : undefined),
      key: (e) => `${e.name}|${e.arch ?? ''}|${evr(e)}`,
    });
  } catch (err) {
    rethrowIfInternal(err);
    return {
      packages: [],
      unknowns: [databaseUnknown(ID, file, err instanceof Error ? err.message : String(err))],
    };
  }
  const unknowns = problemUnknowns(ID, file, problems, 'unreadable entries');
  const packages = attributed.map(({ item, since }) =>
    toPackage(item, ctx, { path: file.path, layer: since.layer }),
  );
  return { packages, unknowns };
}

/** `[epoch:]version-release`, the form rpm compares and advisories use. */
function evr(e: RpmEntry): string {
  const vr = e.release ? `${e.version}-${e.release}` : e.version;
  return e.epoch !== undefined ? `${e.epoch}:${vr}` : vr;
}

function toPackage(e: RpmEntry, ctx: CatalogContext, location: Location): Package {
  const source = e.sourceRpm ? splitSourceRpm(e.sourceRpm) : undefined;
  const epochPrefix = e.epoch !== undefined ? `${e.epoch}:` : '';
  const metadata = presentFields({
    release: e.release || undefined,
    epoch: e.epoch,
    sourceRpm: e.sourceRpm,
    vendor: e.vendor,
    packager: e.packager,
    summary: e.summary,
    size: e.size,
    modularityLabel: e.modularityLabel,
  });
  return osPackage(ID, location, {
    name: e.name,
    version: evr(e),
    type: 'rpm',
    purl: osPurl('rpm', ctx.distro, e.name, e.release ? `${e.version}-${e.release}` : e.version, {
      arch: e.arch,
      epoch: e.epoch !== undefined ? String(e.epoch) : undefined,
      upstream: e.sourceRpm,
    }),
    // RPM licence tags are SPDX expressions on current Fedora/RHEL, Fedora short names on older ones.
    licenses: e.license ? normalizeLicenses([e.license]) : [],
    sourceName: source?.name ?? e.name,
    // A source rpm's file name has no epoch; it shares the binary package's.
    sourceVersion: source ? `${epochPrefix}${source.version}` : evr(e),
    arch: e.arch,
    files: e.files,
    metadata,
  });
}

/** The rpm database cataloger. */
export const rpmCataloger: Cataloger = {
  id: ID,
  // 2: reads the SQLite write-ahead log too (layer caches recorded without it must not be reused).
  version: 2,
  history: true,
  // Package databases of large hosts exceed the default cap; containers stay far below this.
  maxFileSize: 256 * 1024 * 1024,
  match: (path) => DATABASE_PATHS.has(path),
  catalog,
};
