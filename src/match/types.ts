/**
 * The match stage's output: findings. One finding per (vulnerability, package instance); records that
 * are aliases of each other (GHSA, CVE, DEBIAN-CVE, DSA…) are merged into one finding listing every id.
 * Persisted and printed values are string unions; the shape is versioned by the report schema.
 */
import type { Package } from '../model/package.js';
import type { Rating } from '../db/types.js';

export type Severity = Rating; // 'unknown' | 'negligible' | 'low' | 'medium' | 'high' | 'critical'

/** `fixed`: a fixed version exists; `not-fixed`: none yet; `wont-fix`: the source says it will not be fixed. */
export type FixState = 'fixed' | 'not-fixed' | 'wont-fix';

/** How a finding was made, so users can see why it was reported. */
export interface MatchDetail {
  /** Matcher id, e.g. `dpkg-source`, `npm`, `pypi`. */
  readonly matcher: string;
  /** The advisory record that matched (an OSV id). */
  readonly recordId: string;
  /** The ecosystem and name searched in the database (e.g. `Debian:12` / `openssl`, the source package). */
  readonly searchedBy: { readonly ecosystem: string; readonly name: string; readonly version: string };
  /** The range evaluation, e.g. `introduced 0, fixed 3.0.13-1~deb12u1: 3.0.11-1~deb12u2 is in [0, 3.0.13-1~deb12u1)`. */
  readonly reason: string;
}

export interface Cvss {
  readonly version: string;
  readonly vector: string;
  readonly score: number;
}

export interface Suppression {
  /** `config` for .bulwark.yaml ignore entries, `vex` for VEX statements. */
  readonly kind: 'config' | 'vex';
  /** The rule or statement: file path plus index or statement id. */
  readonly source: string;
  readonly reason: string;
  /** VEX status (`not_affected`, `fixed`) or `ignored`. */
  readonly status: string;
  readonly justification?: string;
  readonly expires?: string;
}

/** The OS package that owns a language package's files (see `ownedBy`). */
export interface OsOwner {
  readonly name: string;
  readonly version: string;
  /** `deb`, `rpm` or `apk`. */
  readonly type: string;
  readonly purl: string;
}

export interface Finding {
  /** Stable id: hash of (primary vulnerability id, package id). */
  readonly id: string;
  /** The id shown to users: the CVE when there is one, else the record id. */
  readonly vulnerabilityId: string;
  /** Every id and alias of the merged records, sorted (CVE-…, GHSA-…, DEBIAN-CVE-…, DSA-…). */
  readonly aliases: readonly string[];
  readonly package: Package;
  readonly severity: Severity;
  /** Where the severity came from (e.g. `ghsa`, `cvss`, `distro`). */
  readonly severitySource: string;
  readonly cvss?: Cvss;
  readonly fixState: FixState;
  /** The nearest fixed version above the installed one, when fixable. */
  readonly fixedVersion?: string;
  /** Every fixed version the records name for this package, sorted by the version scheme. */
  readonly fixedVersions: readonly string[];
  readonly epss?: { readonly score: number; readonly percentile: number; readonly date: string };
  readonly kev?: { readonly dateAdded: string; readonly ransomware: boolean; readonly dueDate?: string };
  readonly published?: string;
  readonly modified?: string;
  readonly summary?: string;
  readonly references: readonly string[];
  /** One entry per record that matched (several when aliases were merged). */
  readonly matches: readonly MatchDetail[];
  /** Risk score used for ordering (documented in docs/scan.md). */
  readonly risk: number;
  /**
   * Set when the package's files belong to an OS package: matched by its upstream version only because
   * `--include-os-owned` asked for it (the distribution may have backported the fix).
   */
  readonly ownedBy?: OsOwner;
  /** Set when an ignore rule or VEX statement suppresses the finding; suppressed findings stay in JSON. */
  suppressed?: Suppression;
}

/** An ignore entry or VEX statement whose expiry has passed: reported, no longer applied. */
export interface ExpiredSuppression {
  readonly source: string;
  readonly id: string;
  readonly expires: string;
  readonly reason: string;
}

/**
 * Why a package was not (fully) evaluated against the advisories. A package that was not evaluated is
 * never reported as "not affected": every output says so, counted, and `--fail-on-not-evaluated`
 * turns it into a failure.
 * - `no-advisory-ecosystem`: its OS release has no OSV advisory ecosystem (Amazon Linux, Oracle Linux,
 *   CentOS, Fedora, …);
 * - `unknown-os`: an OS package on a system whose release was not recognised;
 * - `no-advisory-data`: the ecosystem exists but the database holds no advisory for it at all;
 * - `no-advisory-source`: a runtime found by file whose project publishes no advisories in OSV;
 * - `no-version` / `no-package-name`: nothing to look up or compare (e.g. a `(devel)` Go main module,
 *   a jar without a Maven groupId);
 * - `unparseable-version`: the installed version does not parse in the ecosystem's version scheme;
 * - `unparseable-range`: a range event of an advisory for the package does not parse (the advisory
 *   ids are listed).
 */
export type NotEvaluatedReason =
  | 'no-advisory-ecosystem'
  | 'unknown-os'
  | 'no-advisory-data'
  | 'no-advisory-source'
  | 'no-version'
  | 'no-package-name'
  | 'unparseable-version'
  | 'unparseable-range';

/** One package the match stage could not (fully) evaluate, and why. */
export interface NotEvaluated {
  readonly package: Package;
  readonly reason: NotEvaluatedReason;
  /** Why, for this package, e.g. `"1.2.3~garbage" is not a valid dpkg version`. */
  readonly detail: string;
  /** The same cause without package specifics, to group by, e.g. `no advisory ecosystem for amzn 2023`. */
  readonly group: string;
  /** Advisories that could not be evaluated (`unparseable-range`), sorted. */
  readonly records?: readonly string[];
}

/** How many packages were evaluated, and the not-evaluated ones grouped by cause (largest group first). */
export interface Coverage {
  readonly packages: number;
  readonly evaluated: number;
  readonly notEvaluated: number;
  readonly groups: readonly {
    readonly reason: NotEvaluatedReason;
    readonly group: string;
    readonly packages: number;
  }[];
}
