/**
 * Bulwark's own SBOM document: the output of the catalog stage and the input of every later stage.
 * Serialised as-is by `--format json` (schema documented in docs/sbom-json.md); versioned by `schema`.
 */
import type { BaseImage } from './base-image.js';
import type { Distro, Package, Relationship, Unknown } from './package.js';
import type { SourceDescription } from '../source/types.js';

export const SBOM_SCHEMA = 'bulwark-sbom/v1' as const;

export interface Sbom {
  readonly schema: typeof SBOM_SCHEMA;
  readonly tool: { readonly name: 'bulwark'; readonly version: string };
  /** What was scanned. For images, env values are removed (names only): they may hold secrets. */
  readonly source: SourceDescription;
  readonly distro?: Distro;
  /** Sorted by type, name, version, first location, id. */
  readonly packages: readonly Package[];
  /** Sorted by from, type, to. */
  readonly relationships: readonly Relationship[];
  /** Files that could not be cataloged, sorted by path then reason. */
  readonly unknowns: readonly Unknown[];
  /** Catalogers that ran, with their versions (part of the cache key). */
  readonly catalogers: readonly { readonly id: string; readonly version: number }[];
  /** The detected base image of an image (absent when none was detected, and for folders). */
  readonly baseImage?: BaseImage;
}
