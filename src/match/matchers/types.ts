/**
 * A matcher turns one installed package into the database queries that find its advisories: the OSV
 * ecosystem, the name the advisories are keyed by, and the version to compare. One matcher per
 * ecosystem or distro family, listed in ./index.ts. When a package cannot be looked up at all (no
 * advisory ecosystem for its OS, no version…), the matcher says why instead: such a package is
 * reported as not evaluated, never as "not affected".
 */
import type { Distro, Package, PackageType } from '../../model/package.js';
import type { OsvAffected } from '../../db/types.js';
import type { NotEvaluatedReason } from '../types.js';

/** One database query: ecosystem + name to look up, and the installed version to evaluate. */
export interface MatchQuery {
  /** OSV ecosystem, with a release where the data is per release (`Debian:12`, `Alpine:v3.20`). */
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  /**
   * Narrows the affected entries a query accepts beyond ecosystem and name (Red Hat product streams,
   * the release's `elN` dist tag). Entries it rejects are ignored, fixed versions included.
   */
  readonly accepts?: (entry: OsvAffected) => boolean;
  /** Shown with the match: what `accepts` keeps, e.g. `enterprise_linux:9 streams`. */
  readonly scope?: string;
}

/** Why a package has no queries. */
export interface Skip {
  readonly reason: NotEvaluatedReason;
  /** Package-specific explanation. */
  readonly detail: string;
  /** The cause without package specifics (e.g. `no advisory ecosystem for amzn 2023`); default `detail`. */
  readonly group?: string;
}

/** Queries for a package, or why it cannot be matched. */
export type MatchPlan = { readonly queries: readonly MatchQuery[] } | { readonly skip: Skip };

export interface MatchContext {
  /** The scanned system's distro (from os-release, or from the SBOM being read). */
  readonly distro?: Distro;
}

export interface Matcher {
  /** Stable id shown in every match, e.g. `dpkg-source`, `npm`. */
  readonly id: string;
  /** Package types this matcher handles. */
  readonly types: readonly PackageType[];
  /** Queries for the package, or why it cannot be matched (unknown distro release, no version…). */
  plan(pkg: Package, ctx: MatchContext): MatchPlan;
}

/** The queries of a plan (none when it is a skip). */
export function queriesOf(plan: MatchPlan): readonly MatchQuery[] {
  return 'queries' in plan ? plan.queries : [];
}

export function skip(reason: NotEvaluatedReason, detail: string, group?: string): MatchPlan {
  return { skip: { reason, detail, ...(group !== undefined ? { group } : {}) } };
}
