/**
 * `bulwark db import`: offline (or one-URL) import of OSV folders and zip archives, the KEV catalog,
 * EPSS CSVs, or a prebuilt database file. Inputs are recognised by content, not by extension. The new
 * database keeps every source of the current one that the inputs do not replace.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError, UsageError, fsError } from '../util/errors.js';
import {
  removeStaleTemps,
  buildAndInstall,
  checkBase,
  installPrebuilt,
  tempPathBeside,
  ensureParentDir,
  validatePrebuilt,
} from './build.js';
import { download, redactUrl, type DownloadOptions } from './download.js';
import { looksLikeEpss } from './epss.js';
import {
  ingestDirectory,
  ingestEpssData,
  ingestKevData,
  ingestOsvFile,
  ingestOsvZip,
  MAX_JSON_FILE_BYTES,
  type IngestContext,
  type SourceReport,
} from './ingest.js';
import { isKevDocument } from './kev.js';
import { acquireLock, type LockOptions } from './lock.js';
import { createProgress, humanBytes, type ProgressStream } from '../util/progress.js';
import { defaultDatabasePath } from './paths.js';
import { readHead, sniff, type ZipLimits } from './zip.js';
import { pushAll } from '../util/arrays.js';

export interface ImportOptions {
  readonly dbPath?: string;
  readonly lock?: LockOptions;
  readonly download?: DownloadOptions;
  readonly zipLimits?: ZipLimits;
  /** Progress output (drawn only on a TTY). */
  readonly stderr?: ProgressStream;
  /** Base directory for relative paths (the CLI's cwd). */
  readonly cwd?: string;
}

export interface ImportReport {
  readonly dbPath: string;
  /** Set when a prebuilt database was installed. */
  readonly prebuilt?: string;
  readonly sources: readonly SourceReport[];
  /** Sources kept from the previous database. */
  readonly carriedOver: number;
  /** Why the previous database was not used as a base (other schema, corrupt), if so. */
  readonly baseIgnored?: string;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** Source key for an OSV zip: `<dir>/all.zip` → the folder (the export's ecosystem), else the file name. */
function zipSourceKey(pathOrUrl: string): string {
  let p = pathOrUrl;
  if (isUrl(p)) p = decodeURIComponent(new URL(p).pathname);
  const name = basename(p).replace(/\.zip$/i, '');
  const parent = basename(dirname(p));
  return `osv:${name === 'all' && parent && parent !== '/' && parent !== '.' ? parent : name}`;
}

/** Import `inputs` into the database (default: the cache-dir database). */
export async function importInputs(
  inputs: readonly string[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  if (inputs.length === 0) throw new UsageError('db import: give at least one folder, file or URL');
  const dbPath = options.dbPath ?? defaultDatabasePath();
  const cwd = options.cwd ?? process.cwd();
  ensureParentDir(dbPath);
  const release = await acquireLock(dbPath, options.lock);
  removeStaleTemps(dbPath);
  const temps: string[] = [];
  const progress = createProgress(options.stderr);
  try {
    // Fetch URLs first, so a network failure happens before any build work.
    const local: { path: string; label: string; fromUrl?: string }[] = [];
    for (const input of inputs) {
      if (isUrl(input)) {
        const tmp = tempPathBeside(dbPath, 'download');
        temps.push(tmp);
        await download(input, tmp, {
          ...options.download,
          onProgress: (n, total) =>
            progress.update(`${redactUrl(input)}: ${humanBytes(n)}${total ? ` / ${humanBytes(total)}` : ''}`),
        });
        local.push({ path: tmp, label: redactUrl(input), fromUrl: input });
      } else {
        local.push({ path: resolve(cwd, input), label: input });
      }
    }

    // Classify by content.
    type Job =
      | { kind: 'dir'; path: string }
      | { kind: 'zip'; path: string; label: string; key: string; url: string }
      | { kind: 'sqlite'; path: string; label: string }
      | { kind: 'epss'; path: string; label: string; url: string }
      | { kind: 'json'; path: string; label: string; url: string; data: unknown };
    const jobs: Job[] = [];
    for (const { path, label, fromUrl } of local) {
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch (err) {
        throw fsError(err, label);
      }
      if (isDir) {
        jobs.push({ kind: 'dir', path });
        continue;
      }
      const url = fromUrl ?? path;
      const kind = sniff(readHead(path));
      switch (kind) {
        case 'zip':
          jobs.push({ kind: 'zip', path, label, key: zipSourceKey(fromUrl ?? path), url });
          break;
        case 'sqlite':
          jobs.push({ kind: 'sqlite', path, label });
          break;
        case 'gzip':
          jobs.push({ kind: 'epss', path, label, url });
          break;
        case 'json': {
          if (statSync(path).size > MAX_JSON_FILE_BYTES) {
            throw new InputError('E_TOO_LARGE', `${label}: larger than ${MAX_JSON_FILE_BYTES} bytes`);
          }
          let data: unknown;
          try {
            data = JSON.parse(readFileSync(path, 'utf8'));
          } catch (err) {
            throw new InputError(
              'E_JSON',
              `${label}: invalid JSON (${(err as Error).message.split('\n')[0]})`,
            );
          }
          jobs.push({ kind: 'json', path, label, url, data });
          break;
        }
        case 'html':
          throw new InputError(
            'E_HTML',
            `${label}: is an HTML page, not vulnerability data (wrong URL or a login page?)`,
          );
        default:
          if (kind === 'text' && looksLikeEpss(readHead(path, 256).toString('utf8'))) {
            jobs.push({ kind: 'epss', path, label, url });
            break;
          }
          throw new InputError(
            'E_UNSUPPORTED',
            `${label}: not an OSV folder or zip, KEV JSON, EPSS CSV or Bulwark database`,
          );
      }
    }
    const prebuilt = jobs.filter((j) => j.kind === 'sqlite');
    if (prebuilt.length > 1) throw new UsageError('db import: give at most one prebuilt database file');
    const fetchedAt = new Date().toISOString();

    const pre = prebuilt[0];
    if (pre) validatePrebuilt(pre.path, pre.label);
    if (pre && jobs.length === 1) {
      // Install the file as is: the mirror's exact bytes.
      installPrebuilt(pre.path, dbPath);
      return { dbPath, prebuilt: pre.label, sources: [], carriedOver: 0 };
    }

    let base: string | undefined = pre?.path;
    let baseIgnored: string | undefined;
    if (!base) {
      const check = checkBase(dbPath);
      if (check.usable) base = dbPath;
      else baseIgnored = check.reason;
    }
    const reports: SourceReport[] = [];
    let carriedOver = 0;
    await buildAndInstall(dbPath, undefined, async (builder) => {
      const ctx: IngestContext = options.zipLimits
        ? { builder, progress, zipLimits: options.zipLimits }
        : { builder, progress };
      for (const job of jobs) {
        switch (job.kind) {
          case 'dir':
            pushAll(reports, ingestDirectory(ctx, job.path, fetchedAt));
            break;
          case 'zip':
            reports.push(
              await ingestOsvZip(
                ctx,
                job.path,
                { key: job.key, kind: 'osv', url: job.url, fetchedAt },
                job.label,
              ),
            );
            break;
          case 'epss':
            reports.push(
              ingestEpssData(
                ctx,
                readFileSync(job.path),
                { key: 'epss', kind: 'epss', url: job.url, fetchedAt },
                job.label,
              ),
            );
            break;
          case 'json':
            reports.push(
              isKevDocument(job.data)
                ? ingestKevData(
                    ctx,
                    job.data,
                    { key: 'kev', kind: 'kev', url: job.url, fetchedAt },
                    job.label,
                  )
                : ingestOsvFile(ctx, job.path, job.data, fetchedAt),
            );
            break;
          case 'sqlite':
            break;
        }
      }
      if (base) carriedOver = builder.carryOver(base, () => true).length;
    });
    progress.done();
    const result = { dbPath, sources: mergeReports(reports), carriedOver };
    return {
      ...result,
      ...(pre ? { prebuilt: pre.label } : {}),
      ...(baseIgnored ? { baseIgnored } : {}),
    };
  } finally {
    progress.done();
    for (const t of temps) rmSync(t, { force: true });
    release();
  }
}

/** Reports of the same source (e.g. two folders with one name) become one line: the last counts win. */
function mergeReports(reports: SourceReport[]): SourceReport[] {
  const byKey = new Map<string, SourceReport>();
  for (const r of reports) byKey.set(r.key, r);
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
