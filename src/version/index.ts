/**
 * The version-scheme registry: one module per scheme, listed explicitly, plus the mapping from OSV
 * ecosystem names to schemes. Versions of different schemes never compare; trying is a
 * {@link VersionSchemeMismatchError}.
 */

import { apk } from './apk/index.js';
import { composer } from './composer/index.js';
import { dpkg } from './dpkg/index.js';
import { go } from './go/index.js';
import { maven } from './maven/index.js';
import { nuget } from './nuget/index.js';
import { pep440 } from './pep440/index.js';
import { rpm } from './rpm/index.js';
import { rubygems } from './rubygems/index.js';
import { semver } from './semver/index.js';
import { semverLoose } from './semver-loose/index.js';
import { VersionSchemeMismatchError, type VersionScheme, type VersionSchemeId } from './types.js';

export { InvalidVersionError, VersionSchemeMismatchError } from './types.js';
export type { VersionScheme, VersionSchemeId } from './types.js';

const SCHEMES: Readonly<Record<VersionSchemeId, VersionScheme>> = {
  apk,
  composer,
  dpkg,
  go,
  maven,
  nuget,
  pep440,
  rpm,
  rubygems,
  semver,
  'semver-loose': semverLoose,
};

/** Every registered scheme, sorted by id. */
export function listSchemes(): VersionScheme[] {
  return Object.keys(SCHEMES)
    .sort()
    .map((id) => SCHEMES[id as VersionSchemeId]);
}

/** The scheme with this id. Throws on an unknown id (a bug: ids are a closed union). */
export function getScheme(id: VersionSchemeId): VersionScheme {
  const scheme = Object.hasOwn(SCHEMES, id) ? SCHEMES[id] : undefined;
  if (!scheme) throw new Error(`unknown version scheme "${String(id)}"`);
  return scheme;
}

/** Compare two versions of one scheme: -1, 0 or 1; throws InvalidVersionError on a bad version. */
export function compareVersions(id: VersionSchemeId, a: string, b: string): -1 | 0 | 1 {
  return getScheme(id).compare(a, b);
}

/** A version tagged with its scheme. */
export interface SchemedVersion {
  readonly scheme: VersionSchemeId;
  readonly v: string;
}

/** Compare two tagged versions; versions of different schemes throw {@link VersionSchemeMismatchError}. */
export function compareAcross(a: SchemedVersion, b: SchemedVersion): -1 | 0 | 1 {
  if (a.scheme !== b.scheme) throw new VersionSchemeMismatchError(a.scheme, b.scheme);
  return compareVersions(a.scheme, a.v, b.v);
}

/**
 * OSV ecosystem name (before any `:suffix` such as `Debian:12` or `Alpine:v3.19`) → scheme.
 * Keep docs/version-schemes.md in step with this table.
 */
const ECOSYSTEMS: Readonly<Record<string, VersionSchemeId>> = {
  // Debian-family distributions
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Echo: 'dpkg',
  // apk-based distributions
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  MinimOS: 'apk',
  Alpaquita: 'apk',
  'BellSoft Hardened Containers': 'apk',
  CleanStart: 'apk',
  // RPM-based distributions
  AlmaLinux: 'rpm',
  'Rocky Linux': 'rpm',
  'Red Hat': 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  Mageia: 'rpm',
  'Photon OS': 'rpm',
  'Azure Linux': 'rpm',
  openEuler: 'rpm',
  // language ecosystems
  npm: 'semver',
  'crates.io': 'semver',
  Pub: 'semver',
  Hex: 'semver',
  // Bitnami publishes dates with leading zeros (minio `2021.03.04`) next to plain SemVer
  Bitnami: 'semver-loose',
  SwiftURL: 'semver',
  Go: 'go',
  PyPI: 'pep440',
  Maven: 'maven',
  RubyGems: 'rubygems',
  NuGet: 'nuget',
  Packagist: 'composer',
};

/**
 * The version scheme of an OSV ecosystem name such as `Debian:12`, `Alpine:v3.19`, `Red Hat:rhel_aus:8.4::appstream`
 * or `PyPI`; undefined for ecosystems whose versions have no supported order (e.g. `GIT`, `Hackage`).
 */
export function schemeForEcosystem(ecosystem: string): VersionSchemeId | undefined {
  const colon = ecosystem.indexOf(':');
  const base = (colon >= 0 ? ecosystem.slice(0, colon) : ecosystem).trim();
  return Object.hasOwn(ECOSYSTEMS, base) ? ECOSYSTEMS[base] : undefined;
}

/** All ecosystem names with a known scheme, sorted, for documentation and tests. */
export function knownEcosystems(): [string, VersionSchemeId][] {
  return Object.entries(ECOSYSTEMS).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
