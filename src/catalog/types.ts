/**
 * The catalog stage: turn the files of a {@link Source} into packages (an SBOM).
 *
 * Catalogers never walk a tree themselves. Each declares which paths it needs ({@link Cataloger.match});
 * the core buffers exactly those files during the single pass over the source, builds the final
 * filesystem view (whiteouts applied, symlinks resolvable), and hands each cataloger its files.
 */
import type { EntryHeader, FileVersion, LayerRef, SourceDescription } from '../source/types.js';

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

/** One version of a file as written by one layer (defined with the layer merge, in source/). */
export type { FileVersion };

/** A file handed to a cataloger. */
export interface CatalogFile {
  /** Absolute path in the final filesystem, e.g. `/var/lib/dpkg/status`. */
  readonly path: string;
  /** The layer that wrote the final version (undefined for folders). */
  readonly layer?: LayerRef;
  readonly size: number;
  readonly mode: number;
  /** The file's bytes (buffered during the pass for images, read lazily for folders). */
  read(): Promise<Buffer>;
  /**
   * Every version of the file still visible in the final image, oldest first, starting after the
   * last deletion. Only for catalogers with `history: true`; otherwise just the final version.
   */
  history(): Promise<FileVersion[]>;
}

/** The final filesystem as seen by catalogers. */
export interface FileView {
  /** Files this cataloger matched, sorted by path. */
  files(): readonly CatalogFile[];
  /**
   * Any file matched by some cataloger, by absolute path; symlinks are followed inside the root.
   * Undefined if it does not exist or its content was not requested by any cataloger.
   */
  get(path: string): CatalogFile | undefined;
  /** Metadata of any path in the final filesystem (symlinks followed), matched or not. */
  stat(path: string): EntryHeader | undefined;
}

export interface CatalogContext {
  readonly source: SourceDescription;
  readonly distro?: Distro;
}

export interface CatalogResult {
  packages: Package[];
  relationships?: Relationship[];
  unknowns?: Unknown[];
}

/** A cataloger plugin: one ecosystem or database format. */
export interface Cataloger {
  /** Stable kebab-case id, e.g. `dpkg-db`. */
  readonly id: string;
  /** Bump when output changes: folded into cache keys. */
  readonly version: number;
  /** Cheap test on every path during the pass (absolute normalised path). */
  match(path: string): boolean;
  /** Keep every layer's version of matched files (OS package databases, for layer attribution). */
  readonly history?: boolean;
  /** Per-file cap in bytes for this cataloger (default: the scan's cap, 64 MiB). */
  readonly maxFileSize?: number;
  /**
   * Byte strings of which a matched file must contain at least one to be kept (checked while the file
   * streams by). Lets binary catalogers match every executable by path without holding them all in memory.
   */
  readonly contentMarkers?: readonly Uint8Array[];
  catalog(view: FileView, ctx: CatalogContext): Promise<CatalogResult> | CatalogResult;
}
