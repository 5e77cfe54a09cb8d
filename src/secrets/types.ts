/**
 * Secret scanning: rule and finding types shared by the engine, the targets (files, git, images) and
 * the reports. A finding never holds the raw secret — only a {@link RedactedSecret}.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for `--fail-on` comparisons: higher is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

/** Checks a candidate offline (checksum, structure); returns false to drop it. */
export type SecretValidator = (secret: string) => boolean;

/** A detection rule, as data. Built-in rules live in ./rules/<family>.ts. */
export interface SecretRule {
  /** Stable kebab-case id, e.g. `github-pat-classic`. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Family the rule belongs to, e.g. `cloud` (for docs and grouping). */
  readonly family: string;
  /**
   * Lower-case literals, at least one of which occurs near every match. The engine searches all rules'
   * keywords in one pass and runs a rule's regex only around its keyword hits.
   */
  readonly keywords: readonly string[];
  /** The pattern. A named group `secret` marks the secret inside the match; else the whole match is. */
  readonly regex: RegExp;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  readonly minEntropy?: number;
  readonly validate?: SecretValidator;
  /** Must also match somewhere in the same window (the surrounding line), e.g. `sv=` for SAS tokens. */
  readonly requires?: RegExp;
  /** Candidates whose secret matches one of these are not findings. */
  readonly allowlist?: readonly RegExp[];
  /** Generic rules yield to specific ones: dropped when a specific finding overlaps them. */
  readonly generic?: boolean;
  /** How far (characters) the match may extend past the keyword's line; for multi-line material. */
  readonly span?: number;
  /**
   * Test examples as templates (see test-support/fake.ts): `{A:36}` 36 random base62 characters, etc.
   * The contract test expands every positive example and checks the rule finds it; the placeholder
   * must not be reported. Templates keep real-looking tokens out of the source tree.
   */
  readonly examples: readonly string[];
  readonly placeholder: string;
}

/** What may be printed about a secret: never the value itself. */
export interface RedactedSecret {
  /** The first few characters (at most 4, fewer for short secrets) followed by `…`. */
  readonly preview: string;
  readonly length: number;
  /** sha256(rule id, NUL, secret), hex, truncated to 16 characters: stable across runs and machines. */
  readonly fingerprint: string;
}

/** A finding inside one text (file, diff, config value); positions are 1-based, columns in UTF-16 units. */
export interface TextFinding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly secret: RedactedSecret;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface CommitInfo {
  readonly id: string;
  readonly author: string;
  readonly email: string;
  readonly date: string;
}

export interface LayerInfo {
  readonly index: number;
  readonly diffId: string;
  readonly createdBy?: string;
}

/** Where a secret lives in an image relative to the final filesystem. */
export type LayerStatus = 'present' | 'deleted' | 'overwritten';

/** A finding with its place: a file of a folder, a commit, a layer or the image config. */
export interface RedactedFinding extends TextFinding {
  /** Path relative to the scan root (forward slashes), an absolute image path, or `config:Env/NAME`. */
  readonly path: string;
  readonly commit?: CommitInfo;
  readonly layer?: LayerInfo;
  readonly status?: LayerStatus;
  /** The layer that deleted or overwrote the file, when status is not `present`. */
  readonly removedIn?: LayerInfo;
}

/** A file or object that could not be scanned (reported, never fatal). */
export interface ScanProblem {
  readonly path: string;
  readonly reason: string;
}

/** Files skipped on purpose (binary, generated, ignored) are counted, not listed. */
export interface ScanStats {
  files: number;
  bytes: number;
  skippedBinary: number;
  skippedGenerated: number;
  skippedAllowlisted: number;
}

export interface SecretScanResult {
  readonly findings: RedactedFinding[];
  readonly problems: ScanProblem[];
  readonly stats: ScanStats;
}
