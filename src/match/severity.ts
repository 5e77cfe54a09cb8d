/**
 * A finding's severity, from the records merged into it. Precedence (docs/scan.md):
 *   `auto` (default): the vendor's rating of a record for the package's own ecosystem (distro urgency,
 *     GHSA severity) → the vendor rating of any other merged record → the CVSS score of the merged
 *     records (newest CVSS version, highest score) → the CVSS score of other records in the database
 *     that carry the same CVE → `unknown`.
 *   `vendor`: vendor ratings only, else `unknown`.
 *   `cvss`: CVSS scores only (merged records, then records sharing the CVE), else `unknown`.
 */
import { compareRatings, ratingFromScore } from '../db/severity.js';
import type { CvssVersion, OsvRecord, Rating } from '../db/types.js';
import type { Cvss, Severity } from './types.js';

export const SEVERITY_SOURCES = ['auto', 'vendor', 'cvss'] as const;
export type SeveritySourceOption = (typeof SEVERITY_SOURCES)[number];

const VERSION_RANK: Record<CvssVersion, number> = { '2.0': 1, '3.0': 2, '3.1': 3, '4.0': 4 };

export interface SeverityResult {
  readonly severity: Severity;
  readonly source: string;
  readonly cvss?: Cvss;
}

/** The best CVSS among records: newest version, then highest score, then record id. */
export function bestCvss(records: readonly OsvRecord[]): (Cvss & { recordId: string }) | undefined {
  let best: { v: CvssVersion; score: number; vector: string; recordId: string } | undefined;
  for (const r of records) {
    const s = r.summarySeverity;
    if (s.score === undefined || !s.vector || !s.cvssVersion) continue;
    if (
      !best ||
      VERSION_RANK[s.cvssVersion] > VERSION_RANK[best.v] ||
      (s.cvssVersion === best.v && s.score > best.score)
    ) {
      best = { v: s.cvssVersion, score: s.score, vector: s.vector, recordId: r.id };
    }
  }
  return best
    ? { version: best.v, vector: best.vector, score: best.score, recordId: best.recordId }
    : undefined;
}

function vendorRating(records: readonly OsvRecord[]): { rating: Rating; source: string } | undefined {
  let best: { rating: Rating; source: string } | undefined;
  for (const r of records) {
    const s = r.summarySeverity;
    if (s.ratingSource === 'cvss' || s.ratingSource === 'none' || s.rating === 'unknown') continue;
    if (!best || compareRatings(s.rating, best.rating) > 0)
      best = { rating: s.rating, source: s.ratingSource };
  }
  return best;
}

/**
 * Decide the severity. `own` are merged records for the package's ecosystem, `other` the rest of the
 * merged records, `related` a lazy lookup of records that share the finding's CVE ids.
 */
export function decideSeverity(
  own: readonly OsvRecord[],
  other: readonly OsvRecord[],
  related: () => readonly OsvRecord[],
  option: SeveritySourceOption,
): SeverityResult {
  const merged = [...own, ...other];
  let cvss: (Cvss & { recordId: string }) | undefined = bestCvss(merged);
  let cvssSource = 'cvss';
  const relatedCvss = (): typeof cvss => {
    const c = bestCvss(related());
    if (c) cvssSource = `cvss:${c.recordId}`;
    return c;
  };
  const plain = (c: Cvss & { recordId: string }): Cvss => ({
    version: c.version,
    vector: c.vector,
    score: c.score,
  });
  const fromCvss = (c: Cvss & { recordId: string }): SeverityResult => ({
    severity: ratingFromScore(c.score, c.version as CvssVersion),
    source: cvssSource,
    cvss: plain(c),
  });
  if (option !== 'cvss') {
    const vendor = vendorRating(own) ?? vendorRating(other);
    if (vendor) {
      cvss ??= option === 'auto' ? relatedCvss() : undefined;
      return { severity: vendor.rating, source: vendor.source, ...(cvss ? { cvss: plain(cvss) } : {}) };
    }
    if (option === 'vendor')
      return { severity: 'unknown', source: 'none', ...(cvss ? { cvss: plain(cvss) } : {}) };
  }
  cvss ??= relatedCvss();
  return cvss ? fromCvss(cvss) : { severity: 'unknown', source: 'none' };
}
