/**
 * A matcher turns one installed package into the database queries that find its advisories: the OSV
 * ecosystem, the name the advisories are keyed by, and the version to compare. One matcher per
 * ecosystem or distro family, listed in ./index.ts.
 */
import type { Distro, Package, PackageType } from '../../model/package.js';

/** One database query: ecosystem + name to look up, and the installed version to evaluate. */
export interface MatchQuery {
  /** OSV ecosystem, with a release where the data is per release (`Debian:12`, `Alpine:v3.20`). */
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
}

export interface MatchContext {
  /** The scanned system's distro (from os-release, or from the SBOM being read). */
  readonly distro?: Distro;
}

export interface Matcher {
  /** Stable id shown in every match, e.g. `dpkg-source`, `npm`. */
  readonly id: string;
  /** Package types this matcher handles. */
  readonly types: readonly PackageType[];
  /** Queries for the package; empty when it cannot be matched (unknown distro release, no version). */
  queries(pkg: Package, ctx: MatchContext): MatchQuery[];
}
