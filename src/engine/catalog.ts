/**
 * Catalog a target into an SBOM. Images go through the per-layer cache (unchanged layers are not
 * cataloged again) and the whole-image SBOM cache (the very same image with the same catalogers is read
 * back whole); `sbom://FILE` targets are read by the SBOM readers.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectBaseImage } from '../baseimage/detect.js';
import { KnownBaseStore, knownBaseName } from '../cache/known-bases.js';
import { LayerCache, catalogerKey } from '../cache/layer-cache.js';
import { SbomCache, imageKey } from '../cache/sbom-cache.js';
import { DEFAULT_MAX_FILE_SIZE } from '../catalog/collector.js';
import { DEFAULT_CATALOGERS } from '../catalog/registry.js';
import { catalogSource } from '../catalog/run.js';
import { combineKnownBases, type KnownBases } from '../model/base-image.js';
import type { Sbom } from '../model/sbom.js';
import { redactSbom } from '../sbom/format/redact.js';
import { readSbomFile } from '../sbom/read/index.js';
import { maskSecretsInBytes } from '../secrets/metadata.js';
import type { LayerVisitor, Source } from '../source/types.js';
import { layerCacheDir } from '../util/cache-dir.js';
import { InputError, UsageError, fsError } from '../util/errors.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import type { EngineEvents } from './events.js';
import { openTarget, toTarget, type OpenTargetOptions, type Target } from './target.js';

export { layerCacheDir };

export interface CatalogTargetOptions extends OpenTargetOptions, Pick<EngineEvents, 'onProgress'> {
  /** Environment: where the cache lives (`BULWARK_CACHE_DIR`, XDG); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Largest single file read for cataloging, in bytes (default 64 MiB). */
  readonly maxFileSize?: number;
  /** Read and write the per-layer and whole-image caches (default true). */
  readonly cache?: boolean;
  /** The cache folder (default `<cache dir>/layers`, the one `bulwark cache` manages). */
  readonly cacheDir?: string;
  /** Accept `sbom://FILE` targets (default true); when false they are a usage error. */
  readonly sbomFiles?: boolean;
  /**
   * Further consumers of the same single pass over an image (secret scanner, image checks), or a
   * function making them once the source is open (e.g. from the image's metadata).
   */
  readonly visitors?: readonly LayerVisitor[] | ((source: Source) => readonly LayerVisitor[]);
  /**
   * Further known base images for base-image detection (e.g. the approved catalogue), besides the
   * images scanned before (remembered with the cache unless `cache` is false).
   */
  readonly knownBases?: KnownBases;
  /** The Dockerfile the image was built from (relative to `cwd`): its final FROM names the base. */
  readonly dockerfile?: string;
  /** How this image is remembered as a possible base for later scans (default `scanned`). */
  readonly rememberAs?: 'scanned' | 'pulled';
}

/** Largest Dockerfile read for base-image detection. */
const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/** Read `--dockerfile FILE` (relative to `cwd`) with a one-line error. */
export function readDockerfile(file: string, cwd: string): { text: string; name: string } {
  const path = resolve(cwd, file);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw fsError(err, file);
  }
  if (buf.length > MAX_DOCKERFILE_BYTES)
    throw new InputError('E_TOO_LARGE', `${file}: a Dockerfile larger than 1 MiB is not read`);
  return { text: buf.toString('utf8'), name: file };
}

export interface CatalogRun {
  readonly sbom: Sbom;
  /** Layers served from the cache (image targets with the cache on). */
  readonly cachedLayers: number;
  readonly catalogMs: number;
  /**
   * Set when the SBOM is an image's, read from or stored in the image SBOM cache: that cache's key and
   * folder, for caches of results derived from this SBOM alone (the match cache).
   */
  readonly imageCache?: { readonly key: string; readonly dir: string };
}

/** Read a target into an SBOM: `sbom://FILE` through the SBOM readers, anything else through the catalog. */
export async function catalogTarget(
  input: string | Target,
  options: CatalogTargetOptions = {},
): Promise<CatalogRun> {
  const t0 = performance.now();
  const target = toTarget(input);
  const cwd = options.cwd ?? process.cwd();
  if (target.kind === 'sbom' && options.sbomFiles !== false) {
    if (!target.rest) throw new UsageError('sbom:// needs a file, e.g. sbom://bom.cdx.json');
    return {
      sbom: redactSbom(readSbomFile(target.rest, cwd, target.text)),
      cachedLayers: 0,
      catalogMs: performance.now() - t0,
    };
  }
  // Read before opening the target: a missing Dockerfile fails fast.
  const dockerfile = options.dockerfile ? readDockerfile(options.dockerfile, cwd) : undefined;
  const source = await openTarget(target, options);
  let visitors: readonly LayerVisitor[];
  try {
    const extra = options.visitors ?? [];
    visitors = typeof extra === 'function' ? extra(source) : extra;
  } catch (err) {
    await source.close();
    throw err;
  }
  const dir = options.cacheDir ?? layerCacheDir(options.env);
  const layerCache = options.cache === false ? undefined : new LayerCache(dir);
  const knownStore = layerCache ? new KnownBaseStore(dir) : undefined;
  // The base image is detected on every path (a whole-image cache hit too: what is known changes).
  const withBase = (sbom: Sbom): Sbom => {
    const desc = source.description;
    if (desc.kind !== 'image') return sbom;
    const known = combineKnownBases(options.knownBases, knownStore);
    const baseImage = detectBaseImage(desc.image, {
      knownBases: known,
      ...(dockerfile ? { dockerfile } : {}),
    });
    knownStore?.record({
      name: knownBaseName(desc.image, target.text),
      ...(desc.image.manifestDigest ? { digest: desc.image.manifestDigest } : {}),
      diffIds: desc.image.layers.map((l) => l.diffId),
      origin: options.rememberAs ?? 'scanned',
    });
    const { baseImage: _stale, ...rest } = sbom;
    return baseImage ? { ...rest, baseImage } : rest;
  };
  try {
    // A re-scan of the very same image with the same catalogers reads its SBOM back whole.
    const desc = source.description;
    let imageCache: { cache: SbomCache; key: string } | undefined;
    if (layerCache && desc.kind === 'image' && visitors.length === 0) {
      const key = imageKey(
        desc.image,
        catalogerKey(DEFAULT_CATALOGERS, options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, 'distro'),
        BULWARK_VERSION,
      );
      imageCache = { cache: new SbomCache(dir), key };
      // Only for blobs still present and unchanged since they were verified (a stat each): a missing
      // blob fails here, a changed one sends the scan through the layers, which reads it again.
      const trusted = (await source.blobsVerified?.(layerCache.verified)) !== false;
      const hit = trusted ? imageCache.cache.read(key) : undefined;
      if (hit)
        return {
          sbom: withBase(redactSbom({ ...hit, source: desc })),
          cachedLayers: desc.image.layers.length,
          catalogMs: performance.now() - t0,
          imageCache: { key, dir },
        };
    }
    const onProgress = options.onProgress;
    const { sbom } = await catalogSource(source, {
      ...(options.maxFileSize ? { maxFileSize: options.maxFileSize } : {}),
      ...(layerCache ? { layerCache, scrubCachedContent: maskSecretsInBytes } : {}),
      ...(visitors.length ? { visitors } : {}),
      ...(onProgress ? { walk: { onProgress: (d: number, total: number) => onProgress(d, total) } } : {}),
    });
    // Image metadata may hold secrets (env values, build arguments, commands): from here on, in every
    // report and in the image cache, only its redacted form exists.
    const redacted = redactSbom(sbom);
    imageCache?.cache.write(imageCache.key, redacted);
    return {
      sbom: withBase(redacted),
      cachedLayers: layerCache?.stats.hits ?? 0,
      catalogMs: performance.now() - t0,
      ...(imageCache ? { imageCache: { key: imageCache.key, dir } } : {}),
    };
  } finally {
    await source.close();
  }
}
