/**
 * The catalog stage: turn the files of a {@link Source} into packages (an SBOM).
 *
 * Catalogers never walk a tree themselves. Each declares which paths it needs ({@link Cataloger.match});
 * the core buffers exactly those files during the single pass over the source, builds the final
 * filesystem view (whiteouts applied, symlinks resolvable), and hands each cataloger its files.
 */
import type { EntryHeader, FileVersion, LayerRef, SourceDescription } from '../source/types.js';
import type { Distro, Package, Relationship, Unknown } from '../model/package.js';

// The package model lives in ../model/; catalogers keep importing it from here.
export { PACKAGE_TYPES } from '../model/package.js';
export type {
  DependencyScope,
  Distro,
  Location,
  Package,
  PackageType,
  Relationship,
  RelationshipType,
  Unknown,
} from '../model/package.js';

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
