/**
 * Loading one source into a {@link DatabaseBuilder}: an OSV folder or zip archive, the KEV catalog, an
 * EPSS CSV. Shared by `db import` and `db update`. A malformed record is counted and skipped; a broken
 * container (corrupt zip, bad header) fails the whole source with a one-line error.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, fsError } from '../util/errors.js';
import { decodeEpss, parseEpss } from './epss.js';
import { isKevDocument, parseKev } from './kev.js';
import { parseOsvJson, parseOsvRecord } from './osv.js';
import type { Progress } from '../util/progress.js';
import type { DatabaseBuilder, SourceInfo, SourceKind } from './writer.js';
import { forEachZipEntry, type ZipLimits } from './zip.js';
import { pushAll } from '../util/arrays.js';

/** What one source contributed to a build. */
export interface SourceReport {
  readonly key: string;
  readonly kind: SourceKind;
  readonly url: string;
  /** `unchanged` when a conditional request said so and the previous rows were kept. */
  readonly status: 'imported' | 'unchanged';
  readonly records: number;
  readonly rejected: number;
  readonly withdrawn: number;
  readonly duplicates: number;
  /** The first few rejection reasons. */
  readonly reasons: readonly string[];
}

/** Largest single JSON file read from a folder (the biggest real OSV records are a few MB). */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

export interface IngestContext {
  readonly builder: DatabaseBuilder;
  readonly progress: Progress;
  readonly zipLimits?: ZipLimits;
}

function report(
  info: SourceInfo,
  counts: { records: number; rejected: number; withdrawn: number; duplicates: number; reasons: string[] },
): SourceReport {
  return {
    key: info.key,
    kind: info.kind,
    url: info.url,
    status: 'imported',
    records: counts.records,
    rejected: counts.rejected,
    withdrawn: counts.withdrawn,
    duplicates: counts.duplicates,
    reasons: [...counts.reasons],
  };
}

/** The report of a whole-file feed (KEV, EPSS): `rejected` counts the `what` that were skipped. */
function feedReport(
  info: SourceInfo,
  kind: SourceKind,
  parsed: { entries: readonly unknown[]; rejected: number },
  what: string,
): SourceReport {
  return report(
    { ...info, kind },
    {
      records: parsed.entries.length,
      rejected: parsed.rejected,
      withdrawn: 0,
      duplicates: 0,
      reasons: parsed.rejected > 0 ? [`${parsed.rejected} ${what} skipped`] : [],
    },
  );
}

/** Import every `*.json` entry of an OSV zip archive (the export's flat `all.zip`). */
export async function ingestOsvZip(
  ctx: IngestContext,
  zipPath: string,
  info: SourceInfo,
  label: string,
): Promise<SourceReport> {
  const writer = ctx.builder.osvSource(info);
  let seen = 0;
  await forEachZipEntry(
    zipPath,
    label,
    (name, data) => {
      const result = parseOsvJson(data.toString('utf8'));
      if (result.ok) writer.add(result.record);
      else writer.reject(name, result.reason);
      seen++;
      if (seen % 500 === 0) ctx.progress.update(`${info.key}: ${seen} records`);
    },
    ctx.zipLimits
      ? { limits: ctx.zipLimits, filter: (n) => n.endsWith('.json') }
      : { filter: (n) => n.endsWith('.json') },
  );
  writer.flush();
  return report(info, writer.counts);
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (err) {
    throw fsError(err, dir);
  }
}

function readJsonFile(path: string): { data?: unknown; error?: string } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    return { error: (fsError(err, path) as Error).message };
  }
  if (size > MAX_JSON_FILE_BYTES)
    return { error: `${size} bytes exceed the limit of ${MAX_JSON_FILE_BYTES}` };
  try {
    return { data: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * Import a folder laid out like the OSV export: `<dir>/<ID>.json` (one source named after the folder)
 * and/or `<dir>/<Ecosystem>/<ID>.json` (one source per sub-folder). A KEV catalog found among the JSON
 * files is imported as the KEV source. Returns one report per source.
 */
export function ingestDirectory(
  ctx: IngestContext,
  dir: string,
  fetchedAt: string,
  depth = 0,
): SourceReport[] {
  const reports: SourceReport[] = [];
  const info: SourceInfo = { key: `osv:${basename(dir)}`, kind: 'osv', url: dir, fetchedAt };
  let writer: ReturnType<DatabaseBuilder['osvSource']> | undefined;
  let seen = 0;
  for (const entry of listDir(dir)) {
    const name = entry.name;
    const path = join(dir, name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue; // dangling link: nothing to import
      }
    }
    if (isDir) {
      // One level of ecosystem folders; deeper trees are not the OSV layout.
      if (depth === 0) pushAll(reports, ingestDirectory(ctx, path, fetchedAt, depth + 1));
      continue;
    }
    if (!name.endsWith('.json')) continue;
    const { data, error } = readJsonFile(path);
    if (data !== undefined && isKevDocument(data)) {
      reports.push(ingestKevData(ctx, data, { key: 'kev', kind: 'kev', url: path, fetchedAt }, path));
      continue;
    }
    writer ??= ctx.builder.osvSource(info);
    if (error !== undefined) {
      writer.reject(name, error);
      continue;
    }
    const result = parseOsvRecord(data);
    if (result.ok) writer.add(result.record);
    else writer.reject(name, result.reason);
    if (++seen % 500 === 0) ctx.progress.update(`${info.key}: ${seen} records`);
  }
  if (writer) {
    writer.flush();
    reports.push(report(info, writer.counts));
  }
  return reports;
}

/** Import a single OSV JSON file as its own source `osv:file:<name>`. */
export function ingestOsvFile(
  ctx: IngestContext,
  path: string,
  data: unknown,
  fetchedAt: string,
): SourceReport {
  const info: SourceInfo = { key: `osv:file:${basename(path)}`, kind: 'osv', url: path, fetchedAt };
  const writer = ctx.builder.osvSource(info);
  const result = parseOsvRecord(data);
  if (result.ok) writer.add(result.record);
  else writer.reject(basename(path), result.reason);
  writer.flush();
  return report(info, writer.counts);
}

/** Import a decoded KEV catalog. */
export function ingestKevData(
  ctx: IngestContext,
  data: unknown,
  info: SourceInfo,
  label: string,
): SourceReport {
  const parsed = parseKev(data, label);
  const withNote = parsed.catalogVersion ? { ...info, note: `catalog ${parsed.catalogVersion}` } : info;
  ctx.builder.writeKev(withNote, parsed.entries);
  return feedReport(info, 'kev', parsed, 'malformed KEV entries');
}

/** Import an EPSS CSV (optionally gzip-compressed). */
export function ingestEpssData(
  ctx: IngestContext,
  buf: Buffer,
  info: SourceInfo,
  label: string,
): SourceReport {
  const parsed = parseEpss(decodeEpss(buf, label), label);
  if (parsed.entries.length === 0) throw new InputError('E_EPSS', `${label}: EPSS CSV has no rows`);
  const note = `score date ${parsed.date}${parsed.modelVersion ? `, model ${parsed.modelVersion}` : ''}`;
  ctx.builder.writeEpss({ ...info, note }, parsed.entries);
  return feedReport(info, 'epss', parsed, 'malformed EPSS rows');
}
