/**
 * FIRST EPSS scores (CSV, usually gzip-compressed). The first line is a comment carrying the model
 * version and score date (`#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z`), then a
 * `cve,epss,percentile` header and one row per CVE.
 */
import { gunzipSync } from 'node:zlib';
import { InputError } from '../util/errors.js';
import type { EpssEntry } from './types.js';

/** The real feed is ~10 MB uncompressed; refuse anything absurdly larger. */
export const MAX_EPSS_BYTES = 256 * 1024 * 1024;

export interface EpssParseResult {
  readonly entries: EpssEntry[];
  readonly modelVersion?: string;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly rejected: number;
}

/** True for gzip data (magic 1f 8b). */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Decode a possibly gzipped EPSS file to text, bounded. */
export function decodeEpss(buf: Buffer, label: string): string {
  if (!isGzip(buf)) return buf.toString('utf8');
  try {
    return gunzipSync(buf, { maxOutputLength: MAX_EPSS_BYTES }).toString('utf8');
  } catch (err) {
    throw new InputError('E_EPSS', `${label}: cannot decompress EPSS data (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/** True when text starts like an EPSS CSV (comment line with model_version or the header row). */
export function looksLikeEpss(text: string): boolean {
  const head = text.slice(0, 200).trimStart().toLowerCase();
  return head.startsWith('#model_version') || head.startsWith('cve,epss,percentile');
}

/** Parse EPSS CSV text. Malformed rows are counted and skipped; a bad header is an error. */
export function parseEpss(text: string, label: string): EpssParseResult {
  const lines = text.split(/\r?\n/);
  let i = 0;
  let modelVersion: string | undefined;
  let date: string | undefined;
  if (lines[0]?.startsWith('#')) {
    for (const part of lines[0].slice(1).split(',')) {
      const sep = part.indexOf(':');
      if (sep < 0) continue;
      const key = part.slice(0, sep).trim();
      const value = part.slice(sep + 1).trim();
      if (key === 'model_version') modelVersion = value;
      else if (key === 'score_date') date = value;
    }
    i = 1;
  }
  const header = lines[i]?.trim().toLowerCase().split(',');
  if (!header || header[0] !== 'cve' || header[1] !== 'epss' || header[2] !== 'percentile') {
    throw new InputError('E_EPSS', `${label}: not an EPSS CSV (expected a "cve,epss,percentile" header)`);
  }
  const day = date?.match(/^\d{4}-\d{2}-\d{2}/)?.[0];
  if (!day) {
    throw new InputError('E_EPSS', `${label}: EPSS CSV has no score_date in its first line`);
  }
  const entries: EpssEntry[] = [];
  let rejected = 0;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const [cve, epss, percentile] = line.split(',');
    const score = Number(epss);
    const pct = Number(percentile);
    if (
      !cve ||
      !/^CVE-\d{4}-\d{4,}$/.test(cve.trim()) ||
      epss?.trim() === '' ||
      percentile?.trim() === '' ||
      !(score >= 0 && score <= 1) ||
      !(pct >= 0 && pct <= 1)
    ) {
      rejected++;
      continue;
    }
    entries.push({ cve: cve.trim(), score, percentile: pct, date: day });
  }
  const result = { entries, date: day, rejected };
  return modelVersion ? { ...result, modelVersion } : result;
}
