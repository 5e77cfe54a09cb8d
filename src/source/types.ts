/**
 * The source stage: something Bulwark can read (an image in one of its formats, or a folder), walked
 * exactly once as a sequence of layers of file entries. Every later stage (catalog, secrets, config
 * checks) consumes the same walk through a {@link LayerVisitor}, so each layer is read and decompressed
 * once per scan, no matter how many scanners look at it.
 */

/** One layer of an image (or the single pseudo-layer of a folder). */
export interface LayerRef {
  /** 0-based position in the image's layer list. */
  readonly index: number;
  /** Digest of the blob as stored (compressed), `sha256:…`. Empty for folders. */
  readonly digest: string;
  /** Digest of the uncompressed tar (the config's `rootfs.diff_ids`). Empty for folders. */
  readonly diffId: string;
  /** Blob media type as declared by the manifest. */
  readonly mediaType: string;
  /** Blob size in bytes as declared by the manifest (0 when unknown). */
  readonly size: number;
  /** The history entry that produced this layer (empty-layer entries skipped), e.g. `RUN apt-get …`. */
  readonly createdBy?: string;
  readonly created?: string;
  readonly comment?: string;
}

export type EntryType =
  | 'file'
  | 'dir'
  | 'symlink'
  | 'hardlink'
  | 'char'
  | 'block'
  | 'fifo'
  /** A `.wh.<name>` whiteout: `path` is the path it deletes. */
  | 'whiteout'
  /** A `.wh..wh..opq` marker: `path` is the directory whose lower-layer content is hidden. */
  | 'opaque';

/** One version of a file as written by one layer (for catalogers that ask for history). */
export interface FileVersion {
  readonly layer?: LayerRef;
  readonly content: Buffer;
}

/** One entry of a layer, already normalised: absolute path, no `.`/`..`, no trailing slash. */
export interface EntryHeader {
  /** Absolute normalised path inside the image root, e.g. `/usr/lib/os-release`; the root is `/`. */
  readonly path: string;
  readonly type: EntryType;
  /** Content length for regular files, 0 otherwise. */
  readonly size: number;
  /** Permission and special bits (`mode & 0o7777`: setuid 0o4000, setgid 0o2000, sticky 0o1000). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch, when known. */
  readonly mtime?: number;
  /**
   * Symlinks: the target exactly as written (relative or absolute).
   * Hard links: the absolute normalised path of the linked file.
   */
  readonly linkTarget?: string;
}

/** Receives the bytes of one regular file, in order. */
export interface ContentSink {
  write(chunk: Uint8Array): void;
  /**
   * The file is complete. A consumer may answer `'discarded'` when it did not keep the bytes (e.g. an
   * executable without the marker its cataloger looks for): replaying the entry without its content
   * then gives the same result, so the layer cache need not store them. Sources ignore the answer.
   */
  end(): void | 'discarded';
  /** The layer stream failed before this file was complete. */
  abort?(err: Error): void;
}

/** A problem with one entry or layer that is reported and skipped, not fatal. */
export interface SourceProblem {
  readonly layer?: LayerRef;
  readonly path?: string;
  readonly reason: string;
}

/**
 * A consumer of the single pass. All callbacks are synchronous so that several consumers can share
 * one decompression stream without buffering it.
 */
export interface LayerStartInfo {
  /**
   * False when the layer's blob is not known to be the one verified before (new, or its file changed
   * since): results remembered for this layer must not be used, the layer is read and verified again.
   */
  readonly reusable: boolean;
}

export interface LayerVisitor {
  /** Return `'skip'` when this layer's results are already known (cache hit): it is not read at all. */
  layerStart?(layer: LayerRef, info?: LayerStartInfo): void | 'skip';
  /** Called for every entry of a read layer; return a sink to receive a regular file's content. */
  entry(layer: LayerRef, header: EntryHeader): ContentSink | undefined | void;
  layerEnd?(layer: LayerRef): void;
  problem?(problem: SourceProblem): void;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface HistoryEntry {
  readonly created?: string;
  readonly createdBy?: string;
  readonly comment?: string;
  readonly emptyLayer: boolean;
}

/** The runtime configuration of an image (the `config` object of the OCI image config). */
export interface ImageRuntimeConfig {
  readonly user?: string;
  /** `NAME=value` strings exactly as in the config; values may be secrets — never print them. */
  readonly env: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly exposedPorts: readonly string[];
  readonly volumes: readonly string[];
  readonly stopSignal?: string;
  readonly healthcheck?: { readonly test?: readonly string[] };
}

export type ImageFormat = 'docker-archive' | 'oci-layout' | 'oci-archive' | 'registry' | 'docker-daemon';

export interface ImageMetadata {
  readonly format: ImageFormat;
  /** Tags naming this image in its archive or registry, e.g. `debian12-node:latest`. */
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  /** Digest of the image manifest; empty for docker-archives that record none (older `docker save`, skopeo). */
  readonly manifestDigest: string;
  readonly manifestMediaType: string;
  readonly configDigest: string;
  readonly platform: Platform;
  readonly created?: string;
  readonly config: ImageRuntimeConfig;
  readonly history: readonly HistoryEntry[];
  readonly layers: readonly LayerRef[];
  /** Platforms of the index the image was selected from, when it came from an index. */
  readonly indexPlatforms?: readonly Platform[];
  /**
   * The image manifest's annotations (OCI), e.g. `org.opencontainers.image.base.name`; absent when the
   * manifest has none (docker-archives record no manifest).
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

export type SourceDescription =
  | { readonly kind: 'image'; readonly target: string; readonly image: ImageMetadata }
  | { readonly kind: 'directory'; readonly target: string; readonly path: string };

/**
 * Remembers which blobs were read and verified, by stamp (digest, location, size, inode, mtime, ctime):
 * lets a warm cache be trusted without re-hashing unchanged blobs. Implemented by the cache.
 */
export interface BlobTrust {
  isVerified(stamp: string): boolean;
  recordVerified(stamp: string): void;
}

export interface WalkOptions {
  readonly signal?: AbortSignal;
  /** With a cache: which blobs are known good (a changed blob makes its layer `reusable: false`). */
  readonly trust?: BlobTrust;
  /** Called as compressed bytes are consumed; `total` is 0 when unknown. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Something Bulwark can scan, walked once. */
export interface Source {
  readonly description: SourceDescription;
  walk(visitor: LayerVisitor, options?: WalkOptions): Promise<void>;
  /**
   * Cheaply check (stat, no hashing) that every layer blob is present, of the recorded size, and unchanged
   * since it was last verified. Throws the input error of a missing or wrongly sized blob; false when some
   * blob was never verified or changed (results cached for the whole image must not be used then).
   * Sources without local blobs (folders, registries) omit it.
   */
  blobsVerified?(trust: BlobTrust): Promise<boolean>;
  close(): Promise<void>;
}
