/**
 * `bulwark db update`: download the OSV export per ecosystem (`<base>/<Ecosystem>/all.zip`), the CISA
 * KEV catalog and the EPSS scores; skip sources the server reports unchanged (ETag / Last-Modified),
 * keeping their rows from the previous database; build the new file beside the old one and rename it
 * into place. Any failure leaves the previous database untouched.
 */
import { readFileSync, rmSync } from 'node:fs';
import { BulwarkError, InputError } from '../util/errors.js';
import { schemeForEcosystem } from '../version/index.js';
import { checkBase, ensureParentDir, install, removeStaleTemps, tempPathBeside } from './build.js';
import { download, redactUrl, type DownloadOptions } from './download.js';
import { NetworkError } from './errors.js';
import {
  ingestEpssData,
  ingestKevData,
  ingestOsvZip,
  type IngestContext,
  type SourceReport,
} from './ingest.js';
import { acquireLock, type LockOptions } from './lock.js';
import { defaultDatabasePath } from './paths.js';
import { createProgress, humanBytes, type ProgressStream } from '../util/progress.js';
import { openDatabase, type SourceStatus } from './store.js';
import { DatabaseBuilder, type SourceInfo, type SourceKind } from './writer.js';
import type { ZipLimits } from './zip.js';

/** The public OSV export (a Google Cloud Storage bucket). */
export const DEFAULT_OSV_BASE_URL = 'https://osv-vulnerabilities.storage.googleapis.com';
/** CISA's Known Exploited Vulnerabilities catalog. */
export const DEFAULT_KEV_URL =
  'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
/** FIRST EPSS scores for all CVEs, as published by Empirical Security for FIRST. */
export const DEFAULT_EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';

export interface UpdateOptions {
  readonly dbPath?: string;
  /** OSV ecosystems to download; default: every ecosystem in `<base>/ecosystems.txt` that has a version scheme. */
  readonly ecosystems?: readonly string[];
  readonly osvBaseUrl?: string;
  /** KEV catalog URL; `null` skips KEV. */
  readonly kevUrl?: string | null;
  /** EPSS CSV URL; `null` skips EPSS. */
  readonly epssUrl?: string | null;
  readonly download?: DownloadOptions;
  readonly lock?: LockOptions;
  readonly zipLimits?: ZipLimits;
  readonly stderr?: ProgressStream;
}

export interface UpdateReport {
  readonly dbPath: string;
  /** False when every source was unchanged and the database was left as it was. */
  readonly rebuilt: boolean;
  readonly ecosystems: readonly string[];
  readonly sources: readonly SourceReport[];
  /** Why the previous database could not be reused (other schema, corrupt), if so. */
  readonly baseIgnored?: string;
}

/** `<base>/<Ecosystem>/all.zip`; ecosystem names keep their colons (`Debian:12`), spaces are escaped. */
export function osvArchiveUrl(base: string, ecosystem: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem).replace(/%3A/gi, ':')}/all.zip`;
}

/** Parse `ecosystems.txt` (one name a line) and keep those Bulwark can match (a version scheme exists). */
export function selectEcosystems(text: string): string[] {
  const names = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && l.length < 200);
  return [...new Set(names.filter((n) => schemeForEcosystem(n) !== undefined))].sort();
}

interface Planned {
  readonly key: string;
  readonly kind: SourceKind;
  readonly url: string;
  readonly label: string;
}

/** Run an update; see the module comment. */
export async function updateDatabase(options: UpdateOptions = {}): Promise<UpdateReport> {
  const dbPath = options.dbPath ?? defaultDatabasePath();
  const base = (options.osvBaseUrl ?? DEFAULT_OSV_BASE_URL).replace(/\/+$/, '');
  ensureParentDir(dbPath);
  const release = await acquireLock(dbPath, options.lock);
  removeStaleTemps(dbPath);
  const progress = createProgress(options.stderr);
  const temps = new Set<string>();
  let builder: DatabaseBuilder | undefined;
  try {
    // The ecosystem list first: without network this fails at once, before the previous database is
    // read through (checkBase reads every page).
    const ecosystems = options.ecosystems
      ? [...new Set(options.ecosystems)].sort()
      : await fetchEcosystems(base, dbPath, options, temps);
    const baseCheck = checkBase(dbPath);
    const previous = new Map<string, SourceStatus>();
    if (baseCheck.usable) {
      const db = openDatabase(dbPath);
      try {
        for (const s of db.status().sources) previous.set(s.key, s);
      } finally {
        db.close();
      }
    }

    const plan: Planned[] = ecosystems.map((eco) => ({
      key: `osv:${eco}`,
      kind: 'osv',
      url: osvArchiveUrl(base, eco),
      label: `${eco}/all.zip`,
    }));
    const kevUrl = options.kevUrl === undefined ? DEFAULT_KEV_URL : options.kevUrl;
    const epssUrl = options.epssUrl === undefined ? DEFAULT_EPSS_URL : options.epssUrl;
    if (kevUrl) plan.push({ key: 'kev', kind: 'kev', url: kevUrl, label: 'KEV' });
    if (epssUrl) plan.push({ key: 'epss', kind: 'epss', url: epssUrl, label: 'EPSS' });

    const reports: SourceReport[] = [];
    for (const item of plan) {
      const old = previous.get(item.key);
      const conditional = old && old.url === item.url ? old : undefined;
      const tmp = tempPathBeside(dbPath, 'download');
      temps.add(tmp);
      const result = await download(item.url, tmp, {
        ...options.download,
        ...(conditional?.etag ? { etag: conditional.etag } : {}),
        ...(conditional?.lastModified ? { lastModified: conditional.lastModified } : {}),
        onProgress: (n, total) =>
          progress.update(`${item.label}: ${humanBytes(n)}${total ? ` / ${humanBytes(total)}` : ''}`),
        onRetry: (reason, delay) =>
          progress.log(`bulwark: ${reason}; retrying in ${Math.ceil(delay / 1000)} s`),
      });
      if (result.status === 'not-modified') {
        rmSync(tmp, { force: true });
        temps.delete(tmp);
        reports.push({
          key: item.key,
          kind: item.kind,
          url: item.url,
          status: 'unchanged',
          records: conditional?.records ?? 0,
          rejected: conditional?.rejected ?? 0,
          withdrawn: conditional?.withdrawn ?? 0,
          duplicates: 0,
          reasons: [],
        });
        continue;
      }
      builder ??= new DatabaseBuilder(tempPathBeside(dbPath, 'tmp'));
      const ctx: IngestContext = options.zipLimits
        ? { builder, progress, zipLimits: options.zipLimits }
        : { builder, progress };
      const info: SourceInfo = {
        key: item.key,
        kind: item.kind,
        url: item.url,
        fetchedAt: new Date().toISOString(),
        ...(result.etag ? { etag: result.etag } : {}),
        ...(result.lastModified ? { lastModified: result.lastModified } : {}),
      };
      const label = redactUrl(item.url);
      try {
        if (item.kind === 'osv') {
          reports.push(await ingestOsvZip(ctx, tmp, info, label));
        } else {
          const buf = readFileSync(tmp);
          if (item.kind === 'kev') {
            let data: unknown;
            try {
              data = JSON.parse(buf.toString('utf8'));
            } catch {
              throw new InputError('E_KEV', `${label}: not JSON (${describeBody(buf)})`);
            }
            reports.push(ingestKevData(ctx, data, info, label));
          } else {
            reports.push(ingestEpssData(ctx, buf, info, label));
          }
        }
      } catch (err) {
        // The server sent something that is not what we asked for: a network-side failure.
        if (err instanceof InputError) throw new NetworkError('E_BAD_DOWNLOAD', err.message, { cause: err });
        throw err;
      } finally {
        rmSync(tmp, { force: true });
        temps.delete(tmp);
      }
      progress.log(`${item.key}: ${reports.at(-1)?.records ?? 0} records`);
    }

    if (!builder) {
      return {
        dbPath,
        rebuilt: false,
        ecosystems,
        sources: reports,
        ...(baseCheck.reason ? { baseIgnored: baseCheck.reason } : {}),
      };
    }
    if (baseCheck.usable) builder.carryOver(dbPath, () => true);
    const tmpDb = builder.path;
    builder.finish();
    install(tmpDb, dbPath);
    builder = undefined;
    return {
      dbPath,
      rebuilt: true,
      ecosystems,
      sources: reports.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      ...(baseCheck.reason ? { baseIgnored: baseCheck.reason } : {}),
    };
  } catch (err) {
    builder?.abort();
    if (err instanceof BulwarkError) {
      throw new BulwarkError(err.kind, err.code, `${err.message} (the previous database is unchanged)`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    progress.done();
    for (const t of temps) rmSync(t, { force: true });
    release();
  }
}

async function fetchEcosystems(
  base: string,
  dbPath: string,
  options: UpdateOptions,
  temps: Set<string>,
): Promise<string[]> {
  const tmp = tempPathBeside(dbPath, 'download');
  temps.add(tmp);
  const url = `${base}/ecosystems.txt`;
  await download(url, tmp, { ...options.download, maxBytes: 1024 * 1024 });
  const buf = readFileSync(tmp);
  rmSync(tmp, { force: true });
  temps.delete(tmp);
  const text = buf.toString('utf8');
  if (/^\s*</.test(text))
    throw new NetworkError('E_BAD_DOWNLOAD', `${redactUrl(url)}: got an HTML page, not the ecosystem list`);
  const list = selectEcosystems(text);
  if (list.length === 0) {
    throw new NetworkError(
      'E_BAD_DOWNLOAD',
      `${redactUrl(url)}: lists no ecosystem Bulwark supports; pass --ecosystems`,
    );
  }
  return list;
}

function describeBody(buf: Buffer): string {
  return /^\s*</.test(buf.subarray(0, 64).toString('latin1'))
    ? 'got an HTML page'
    : `${buf.length} bytes of something else`;
}
