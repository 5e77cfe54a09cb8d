/**
 * The vulnerability records Bulwark stores: OSV records (https://ossf.github.io/osv-schema/) validated and
 * normalised at import, with CVSS scores already computed. The matcher reads these from {@link VulnDatabase}.
 */

export type RangeType = 'ECOSYSTEM' | 'SEMVER' | 'GIT';
export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface OsvEvent {
  readonly kind: EventKind;
  readonly version: string;
}

export interface OsvRange {
  readonly type: RangeType;
  /** The repository of a GIT range. */
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
}

export interface OsvPackage {
  /** Full ecosystem as written in the record, e.g. `Debian:12`, `PyPI`. */
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
}

/** CVSS versions we score. */
export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

/** One OSV `severity` entry. CVSS vectors carry a computed base score; other types keep their text. */
export interface SeverityEntry {
  /** OSV severity type: `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, … */
  readonly type: string;
  /** The vector (CVSS) or the source's word (e.g. Ubuntu priority). */
  readonly score: string;
  readonly cvssVersion?: CvssVersion;
  /** CVSS base score computed from the vector, 0–10. */
  readonly baseScore?: number;
}

export interface OsvAffected {
  /** Absent only for records that describe a repository (GIT ranges) rather than a package. */
  readonly package?: OsvPackage;
  readonly ranges: readonly OsvRange[];
  readonly versions: readonly string[];
  readonly severity: readonly SeverityEntry[];
  readonly ecosystemSpecific?: Readonly<Record<string, unknown>>;
  readonly databaseSpecific?: Readonly<Record<string, unknown>>;
}

export interface OsvReference {
  readonly type: string;
  readonly url: string;
}

/** Qualitative severity, lowest to highest; `unknown` when neither a rating nor a score is known. */
export const RATINGS = ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'] as const;
export type Rating = (typeof RATINGS)[number];

/** The severity Bulwark reports for a record; precedence is documented in docs/database.md. */
export interface SeveritySummary {
  readonly rating: Rating;
  /** Where the rating came from: `cvss` (derived from the score) or the source's own field. */
  readonly ratingSource: 'cvss' | 'ghsa' | 'database_specific' | 'distro' | 'ubuntu' | 'summary' | 'none';
  /** The source's rating word as written (e.g. `MODERATE`, `Important`, `unimportant`). */
  readonly sourceRating?: string;
  readonly score?: number;
  readonly vector?: string;
  readonly cvssVersion?: CvssVersion;
}

export interface OsvRecord {
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly schemaVersion?: string;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  readonly upstream: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity: readonly SeverityEntry[];
  readonly affected: readonly OsvAffected[];
  readonly references: readonly OsvReference[];
  readonly databaseSpecific?: Readonly<Record<string, unknown>>;
  /** Computed at import from `severity`, per-affected severities and the source's own ratings. */
  readonly summarySeverity: SeveritySummary;
}

/** A CISA Known Exploited Vulnerabilities entry. */
export interface KevEntry {
  readonly cve: string;
  readonly vendor?: string;
  readonly product?: string;
  readonly name?: string;
  readonly dateAdded: string;
  readonly dueDate?: string;
  /** `Known` or `Unknown` in the feed: true only for `Known`. */
  readonly ransomware: boolean;
  readonly requiredAction?: string;
  readonly shortDescription?: string;
  readonly notes?: string;
}

/** A FIRST EPSS score. */
export interface EpssEntry {
  readonly cve: string;
  /** Probability of exploitation in the next 30 days, 0–1. */
  readonly score: number;
  readonly percentile: number;
  /** Score date (YYYY-MM-DD) from the CSV header. */
  readonly date: string;
}
