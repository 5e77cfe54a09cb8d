/**
 * An image as a {@link Source}: resolved metadata plus a way to open each layer blob. Shared by every
 * image format; walking streams each layer exactly once through the visitor.
 */
import type { Readable } from 'node:stream';
import { InputError } from '../../util/errors.js';
import { readLayer, assertLayerMediaType, type LayerLimits } from '../layer/read-layer.js';
import type {
  BlobTrust,
  ImageMetadata,
  LayerRef,
  LayerVisitor,
  Source,
  SourceDescription,
  WalkOptions,
} from '../types.js';
import type { BlobStore } from './blob-store.js';
import {
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  configPlatform,
  configSchema,
  documentKind,
  indexSchema,
  layerHistory,
  manifestSchema,
  parseJson,
  runtimeConfig,
  toHistory,
  validate,
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
} from './oci.js';
import { selectPlatform } from './platform.js';
import type { Platform } from '../types.js';

export interface LayerBlob {
  readonly layer: LayerRef;
  /** Verify the stored bytes against this digest (undefined when the format does not record one). */
  readonly expectedDigest?: string;
  readonly expectedDiffId: string;
  readonly blobName: string;
  open(): Promise<Readable>;
  /** See {@link BlobStore.blobStamp}; absent where no local file backs the blob. */
  stamp?(): Promise<string | undefined>;
}

export class ImageSource implements Source {
  constructor(
    readonly description: SourceDescription & { kind: 'image' },
    private readonly layers: readonly LayerBlob[],
    private readonly store?: BlobStore,
    private readonly limits?: LayerLimits,
  ) {}

  get image(): ImageMetadata {
    return this.description.image;
  }

  async walk(visitor: LayerVisitor, options: WalkOptions = {}): Promise<void> {
    const total = this.layers.reduce((n, l) => n + l.layer.size, 0);
    let done = 0;
    for (const blob of this.layers) {
      options.signal?.throwIfAborted();
      // Stat the blob even when a cache knows the layer: a missing or resized blob fails the scan, and
      // one changed since it was last verified is read again instead of served from the cache.
      const stamp = await blob.stamp?.();
      const key = stamp === undefined ? undefined : trustKey(blob, stamp);
      const reusable = key === undefined || options.trust === undefined || options.trust.isVerified(key);
      if (visitor.layerStart?.(blob.layer, { reusable }) === 'skip') {
        done += blob.layer.size;
        options.onProgress?.(done, total);
        continue;
      }
      const stream = await blob.open();
      await readLayer(stream, blob.layer, visitor, {
        blobName: blob.blobName,
        ...(blob.expectedDigest ? { expectedDigest: blob.expectedDigest } : {}),
        expectedDiffId: blob.expectedDiffId,
        ...(this.limits ? { limits: this.limits } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onBytes: (n) => {
          done += n;
          options.onProgress?.(done, total);
        },
      });
      if (key !== undefined) options.trust?.recordVerified(key);
      visitor.layerEnd?.(blob.layer);
    }
  }

  async blobsVerified(trust: BlobTrust): Promise<boolean> {
    let all = true;
    for (const blob of this.layers) {
      const stamp = await blob.stamp?.();
      if (stamp !== undefined && !trust.isVerified(trustKey(blob, stamp))) all = false;
    }
    return all;
  }

  async close(): Promise<void> {
    await this.store?.close?.();
  }
}

/** What was verified: the digests checked while reading, at this place and state of the blob. */
function trustKey(blob: LayerBlob, stamp: string): string {
  return `${blob.expectedDigest ?? ''}\0${blob.expectedDiffId}\0${stamp}`;
}

export interface ResolvedManifest {
  readonly manifest: ImageManifest;
  readonly digest: string;
  readonly mediaType: string;
  readonly indexPlatforms?: Platform[];
}

/**
 * Follow an index (or nested indexes) down to one image manifest, choosing by platform.
 * `doc` is the parsed starting document (index.json of a layout, or a registry answer).
 */
export async function resolveManifest(
  store: BlobStore,
  start: { doc: unknown; digest: string; mediaType?: string },
  platform: Platform | undefined,
  where: string,
): Promise<ResolvedManifest> {
  let current = start;
  let indexPlatforms: Platform[] | undefined;
  for (let depth = 0; depth < 5; depth++) {
    const kind = documentKind(current.doc, current.mediaType);
    if (kind === 'schema1') {
      throw new InputError(
        'E_SCHEMA1',
        `${where}: Docker schema 1 manifests are not supported (deprecated format); re-push the image with a current tool`,
      );
    }
    if (kind === 'manifest') {
      const manifest = validate(manifestSchema, current.doc, `${where}: manifest ${current.digest}`);
      return {
        manifest,
        digest: current.digest,
        mediaType: manifest.mediaType ?? current.mediaType ?? '',
        ...(indexPlatforms ? { indexPlatforms } : {}),
      };
    }
    if (kind !== 'index')
      throw new InputError(
        'E_NOT_IMAGE',
        `${where}: ${current.digest || 'document'} is neither an image manifest nor an index`,
      );
    const index = validate(indexSchema, current.doc, `${where}: index ${current.digest}`);
    if (index.manifests.length === 0)
      throw new InputError('E_NOT_IMAGE', `${where}: the image index lists no manifests`);
    const entries = index.manifests.filter((m) => m.mediaType !== 'application/vnd.in-toto+json');
    const hasPlatforms = entries.some((m) => m.platform);
    const chosen: Descriptor =
      hasPlatforms || entries.length > 1 ? selectPlatform(entries, platform, where) : entries[0]!;
    if (hasPlatforms) {
      indexPlatforms = entries
        .filter((m) => m.platform && !(m.platform.os === 'unknown' && m.platform.architecture === 'unknown'))
        .map((m) => ({
          os: m.platform!.os,
          architecture: m.platform!.architecture,
          ...(m.platform!.variant ? { variant: m.platform!.variant } : {}),
        }));
    }
    const bytes = await store.readBlob(chosen, MAX_MANIFEST_BYTES, `${where}: manifest ${chosen.digest}`);
    current = {
      doc: parseJson(bytes, `${where}: manifest ${chosen.digest}`),
      digest: chosen.digest,
      mediaType: chosen.mediaType,
    };
  }
  throw new InputError('E_NOT_IMAGE', `${where}: image indexes nested too deeply`);
}

export async function readConfig(store: BlobStore, desc: Descriptor, where: string): Promise<ImageConfig> {
  const bytes = await store.readBlob(desc, MAX_CONFIG_BYTES, `${where}: config ${desc.digest}`);
  return validate(
    configSchema,
    parseJson(bytes, `${where}: config ${desc.digest}`),
    `${where}: config ${desc.digest}`,
  );
}

/** Build layer references (with `created_by` from history, empty layers skipped) for a manifest + config. */
export function layerRefs(manifest: ImageManifest, config: ImageConfig, where: string): LayerRef[] {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new InputError(
      'E_BAD_DOCUMENT',
      `${where}: manifest lists ${manifest.layers.length} layers but the config has ${diffIds.length} diff IDs`,
    );
  }
  const history = layerHistory(config);
  return manifest.layers.map((d, index) => {
    assertLayerMediaType(d.mediaType, `${where}: layer ${d.digest}`);
    const h = history.length === diffIds.length ? history[index] : undefined;
    return {
      index,
      digest: d.digest,
      diffId: diffIds[index]!,
      mediaType: d.mediaType,
      size: d.size,
      ...(h?.createdBy !== undefined ? { createdBy: h.createdBy } : {}),
      ...(h?.created !== undefined ? { created: h.created } : {}),
      ...(h?.comment !== undefined ? { comment: h.comment } : {}),
    };
  });
}

/** Assemble ImageMetadata from resolved documents. */
export function imageMetadata(input: {
  format: ImageMetadata['format'];
  repoTags: string[];
  repoDigests?: string[];
  manifestDigest: string;
  manifestMediaType: string;
  configDigest: string;
  config: ImageConfig;
  layers: LayerRef[];
  indexPlatforms?: Platform[];
  annotations?: Record<string, string>;
}): ImageMetadata {
  return {
    format: input.format,
    repoTags: [...new Set(input.repoTags)].sort(),
    repoDigests: [...new Set(input.repoDigests ?? [])].sort(),
    manifestDigest: input.manifestDigest,
    manifestMediaType: input.manifestMediaType,
    configDigest: input.configDigest,
    platform: configPlatform(input.config),
    ...(input.config.created ? { created: input.config.created } : {}),
    config: runtimeConfig(input.config),
    history: (input.config.history ?? []).map(toHistory),
    layers: input.layers,
    ...(input.indexPlatforms ? { indexPlatforms: input.indexPlatforms } : {}),
    ...(input.annotations && Object.keys(input.annotations).length > 0
      ? { annotations: sortedRecord(input.annotations) }
      : {}),
  };
}

/** A record with its keys in order (deterministic output). */
function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

/** How an image that {@link openResolvedImage} opens is named and read. */
export interface ResolvedImageOptions {
  readonly format: ImageMetadata['format'];
  /** The target as the user wrote it. */
  readonly target: string;
  readonly repoTags: string[];
  readonly repoDigests?: string[];
  readonly limits?: LayerLimits;
}

/**
 * Open the image of a resolved manifest whose config and layers are blobs of `store` (OCI layouts and
 * registries; a docker-archive has no such manifest and names its layer files itself).
 */
export async function openResolvedImage(
  store: BlobStore,
  resolved: ResolvedManifest,
  where: string,
  options: ResolvedImageOptions,
): Promise<ImageSource> {
  const config = await readConfig(store, resolved.manifest.config, where);
  const layers = layerRefs(resolved.manifest, config, where);
  const blobs: LayerBlob[] = layers.map((layer) => ({
    layer,
    expectedDigest: layer.digest,
    expectedDiffId: layer.diffId,
    blobName: `layer ${layer.digest} of ${where}`,
    open: () => store.openBlob({ digest: layer.digest, size: layer.size }),
    ...(store.blobStamp ? { stamp: () => store.blobStamp!({ digest: layer.digest, size: layer.size }) } : {}),
  }));
  const meta = imageMetadata({
    format: options.format,
    repoTags: options.repoTags,
    repoDigests: options.repoDigests,
    manifestDigest: resolved.digest,
    manifestMediaType: resolved.mediaType,
    configDigest: resolved.manifest.config.digest,
    config,
    layers,
    ...(resolved.indexPlatforms ? { indexPlatforms: resolved.indexPlatforms } : {}),
    ...(resolved.manifest.annotations ? { annotations: resolved.manifest.annotations } : {}),
  });
  return new ImageSource(
    { kind: 'image', target: options.target, image: meta },
    blobs,
    store,
    options.limits,
  );
}
