/**
 * The package model: what every stage after the source says about software — packages, the OS they run
 * on, how they relate and what could not be read. The bottom of the pipeline's data: the catalog
 * produces it, the SBOM formats, the cache, the matcher and the reports consume it.
 */
import type { LayerRef } from '../source/types.js';

/** Package types as used in PURLs (`pkg:<type>/…`), plus `binary` for runtimes found by file. */
export type PackageType =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'golang'
  | 'cargo'
  | 'gem'
  | 'composer'
  | 'nuget'
  | 'binary';

/** Every {@link PackageType}, in the order the union declares them. */
export const PACKAGE_TYPES: readonly PackageType[] = [
  'deb',
  'apk',
  'rpm',
  'npm',
  'pypi',
  'maven',
  'golang',
  'cargo',
  'gem',
  'composer',
  'nuget',
  'binary',
];

/** The operating system of an image or root filesystem, from os-release and fallbacks. */
export interface Distro {
  /** os-release `ID`, lower case: `debian`, `alpine`, `rhel`, `almalinux`, `ubuntu`, … or `unknown`. */
  readonly id: string;
  /** os-release `VERSION_ID`, e.g. `12`, `3.20.1`, `9.4`; may be absent (e.g. Debian sid). */
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly name?: string;
  readonly prettyName?: string;
  readonly idLike: readonly string[];
  /** Where it was read from, e.g. `/etc/os-release`. */
  readonly foundIn?: string;
}

/** Where a package was found: a path in the image and the layer that wrote that file. */
export interface Location {
  readonly path: string;
  readonly layer?: LayerRef;
}

export type DependencyScope = 'prod' | 'dev' | 'optional' | 'peer';

/** One package. `id` is assigned by the core: a stable hash of the package's identity. */
export interface Package {
  id: string;
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  cpes?: string[];
  /** SPDX ids or expressions where the declared licence maps to one; else the text as declared. */
  licenses: string[];
  /** Source package (dpkg `Source:`, apk origin, rpm source rpm) — distro advisories are keyed by it. */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** Where the package's metadata lives (its database file, manifest or lock file). */
  locations: Location[];
  /** The layer that introduced this name+version (for images). */
  layer?: LayerRef;
  /** Cataloger id that found it. */
  foundBy: string;
  /** Files owned by the package (OS packages), absolute paths. */
  files?: string[];
  /** Lock files and manifests: whether the project depends on it directly. */
  direct?: boolean;
  scope?: DependencyScope;
  /** Type-specific details (maintainer, installed size, checksums, …); JSON-serialisable. */
  metadata?: Record<string, unknown>;
}

export type RelationshipType =
  /** `from` (an OS package) owns the files where `to` (a language package) was found. */
  | 'ownership-by-file-overlap'
  /** `from` depends on `to` (from lock files and manifests). */
  | 'depends-on'
  /** `from` (e.g. a jar) contains `to` (e.g. a nested jar). */
  | 'contains';

/** Relationships point at packages by their `id`. Catalogers may use their own temporary ids for
 * `from`/`to` that match {@link Package.id} values they set; the core re-keys them. */
export interface Relationship {
  from: string;
  to: string;
  type: RelationshipType;
}

/** A file that could not be cataloged (malformed, too large, …): reported, never fatal. */
export interface Unknown {
  path: string;
  layer?: LayerRef;
  reason: string;
  cataloger?: string;
}
