/**
 * Reads one layer blob in a single streaming pass: hash the stored bytes (blob digest), decompress
 * (gzip or zstd, sniffed from the bytes), hash the tar (diff ID), parse the tar, and hand normalised
 * entries (whiteouts translated) to the visitor. Nothing is written to disk.
 */
import { createHash } from 'node:crypto';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BulwarkError, InputError, oneLine } from '../../util/errors.js';
import { baseName, normalizeEntryPath, parentOf } from '../paths.js';
import { TarFormatError, TarReader, type TarHeader } from '../tar/reader.js';
import type { EntryHeader, EntryType, LayerRef, LayerVisitor } from '../types.js';
import { createZstdDecoder, ZstdFormatError } from './zstd.js';

export interface LayerLimits {
  /** Maximum decompressed bytes of one layer (default 32 GiB). */
  readonly maxLayerBytes: number;
  /**
   * Decompression-bomb guard: once more than `bombThresholdBytes` came out, the ratio of decompressed to
   * compressed bytes may not exceed `maxRatio`.
   */
  readonly maxRatio: number;
  readonly bombThresholdBytes: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxLayerBytes: 32 * 1024 ** 3,
  maxRatio: 1000,
  bombThresholdBytes: 1024 ** 3,
};

export interface ReadLayerOptions {
  /** Name used in error messages, e.g. `sha256:ab12… in image.tar`. */
  readonly blobName: string;
  /** Verify the stored bytes against this digest (`sha256:…`). */
  readonly expectedDigest?: string;
  /** Verify the decompressed tar against this diff ID. */
  readonly expectedDiffId?: string;
  readonly limits?: LayerLimits;
  readonly signal?: AbortSignal;
  /** Called with the number of stored bytes consumed since the last call. */
  readonly onBytes?: (n: number) => void;
}

const SUPPORTED_LAYER_TYPE =
  /(^application\/vnd\.(oci\.image|docker\.image\.rootfs)\.(layer|foreign\.diff|diff)[\w.+-]*$)|(^$)/;

/** Throw unless the media type is a tar layer we can read (tar, tar+gzip, tar+zstd, Docker and OCI names). */
export function assertLayerMediaType(mediaType: string, blobName: string): void {
  const ok =
    SUPPORTED_LAYER_TYPE.test(mediaType) &&
    !/\+(bzip2|xz|lz4)\b/.test(mediaType) &&
    !mediaType.endsWith('.encrypted');
  if (!ok) {
    throw new InputError(
      'E_UNSUPPORTED_MEDIA_TYPE',
      `${blobName}: unsupported layer media type "${mediaType}"`,
    );
  }
}

function entryType(h: TarHeader): EntryType | undefined {
  switch (h.kind) {
    case 'file':
      return 'file';
    case 'dir':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'hardlink':
      return 'hardlink';
    case 'char':
      return 'char';
    case 'block':
      return 'block';
    case 'fifo':
      return 'fifo';
    default:
      return undefined;
  }
}

/**
 * Streams a layer's entries to `visitor.entry`. Resolves when the whole blob was read and verified.
 * The caller calls `layerStart`/`layerEnd` (it may skip a layer without opening its blob).
 */
export async function readLayer(
  input: Readable,
  layer: LayerRef,
  visitor: LayerVisitor,
  options: ReadLayerOptions,
): Promise<void> {
  const limits = options.limits ?? DEFAULT_LAYER_LIMITS;
  const blobHash = createHash('sha256');
  const tarHash = createHash('sha256');
  let stored = 0;
  let unpacked = 0;
  let compressed = true;

  const tar = new TarReader({
    onEntry: (h) => {
      const norm = normalizeEntryPath(h.name);
      if (!norm.ok) {
        visitor.problem?.({ layer, path: h.name, reason: norm.reason });
        return undefined;
      }
      const path = norm.path;
      const base = baseName(path);
      if (base.startsWith('.wh.')) {
        if (base === '.wh..wh..opq') {
          visitor.entry(layer, { path: parentOf(path), type: 'opaque', size: 0, mode: 0, uid: 0, gid: 0 });
        } else if (!base.startsWith('.wh..wh.')) {
          const target = `${parentOf(path) === '/' ? '' : parentOf(path)}/${base.slice(4)}`;
          visitor.entry(layer, { path: target, type: 'whiteout', size: 0, mode: 0, uid: 0, gid: 0 });
        }
        return undefined; // other .wh..wh. names are aufs bookkeeping, not content
      }
      const type = entryType(h);
      if (h.kind === 'sparse') {
        // Sparse files are rare in images (Docker and buildkit never write them); their stored data
        // is not the file, so it is skipped and the file reported rather than read wrongly.
        visitor.problem?.({
          layer,
          path,
          reason: `GNU sparse file (${h.size} bytes) skipped: sparse tar entries are not read`,
        });
        return undefined;
      }
      if (!type) {
        visitor.problem?.({ layer, path, reason: `unsupported tar entry type "${h.typeflag}" skipped` });
        return undefined;
      }
      let linkTarget: string | undefined;
      if (type === 'hardlink') {
        const t = normalizeEntryPath(h.linkName);
        if (!t.ok) {
          visitor.problem?.({ layer, path, reason: `hard link target: ${t.reason}` });
          return undefined;
        }
        linkTarget = t.path;
      } else if (type === 'symlink') {
        linkTarget = h.linkName;
      }
      const header: EntryHeader = {
        path,
        type,
        size: h.size,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        mtime: h.mtime,
        ...(linkTarget !== undefined ? { linkTarget } : {}),
      };
      return visitor.entry(layer, header) ?? undefined;
    },
  });

  const consume = (chunk: Buffer): void => {
    unpacked += chunk.length;
    if (unpacked > limits.maxLayerBytes) {
      throw new InputError(
        'E_LAYER_TOO_LARGE',
        `${options.blobName}: layer expands beyond ${limits.maxLayerBytes} bytes`,
      );
    }
    if (unpacked > limits.bombThresholdBytes && unpacked > stored * limits.maxRatio) {
      throw new InputError(
        'E_DECOMPRESSION_BOMB',
        `${options.blobName}: decompression bomb suspected (${unpacked} bytes from ${stored} stored bytes)`,
      );
    }
    // An uncompressed blob is its own tar: hash it once (the blob digest is the diff ID).
    if (compressed) tarHash.update(chunk);
    tar.write(chunk);
  };
  const tarSink = new Writable({
    highWaterMark: 4 * 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      const run = (): void => {
        try {
          consume(chunk);
          cb();
        } catch (err) {
          cb(err as Error);
        }
      };
      // Decompressed data is handled on the next turn of the event loop: zlib's callback then returns
      // at once and queues the next inflate in the thread pool, so inflating and parsing overlap instead
      // of taking turns. Backpressure holds: the callback comes after the chunk was handled.
      if (compressed) setImmediate(run);
      else run();
    },
  });

  try {
    // Sniff the compression from the first bytes: media types in docker-archives are not reliable.
    const iterator = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new InputError('E_EMPTY_LAYER', `${options.blobName}: layer blob is empty`);
    const firstChunk = first.value;
    const hashed = async function* (): AsyncGenerator<Buffer> {
      let chunk: Buffer | undefined = firstChunk;
      while (chunk) {
        blobHash.update(chunk);
        stored += chunk.length;
        options.onBytes?.(chunk.length);
        yield chunk;
        const next = await iterator.next();
        chunk = next.done ? undefined : next.value;
      }
    };
    const decompressor = pickDecompressor(firstChunk);
    compressed = decompressor !== undefined;
    if (decompressor) await pipeline(hashed(), decompressor, tarSink, { signal: options.signal });
    else await pipeline(hashed(), tarSink, { signal: options.signal });
    tar.end();
  } catch (err) {
    input.destroy();
    throw layerError(err, options.blobName);
  }
  const digest = `sha256:${blobHash.digest('hex')}`;
  if (options.expectedDigest && options.expectedDigest !== digest) {
    throw new InputError(
      'E_DIGEST_MISMATCH',
      `${options.blobName}: digest mismatch: manifest says ${options.expectedDigest}, content is ${digest}`,
    );
  }
  const diffId = compressed ? `sha256:${tarHash.digest('hex')}` : digest;
  if (options.expectedDiffId && options.expectedDiffId !== diffId) {
    throw new InputError(
      'E_DIFFID_MISMATCH',
      `${options.blobName}: diff ID mismatch: config says ${options.expectedDiffId}, uncompressed content is ${diffId}`,
    );
  }
}

function pickDecompressor(first: Buffer): Transform | undefined {
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b)
    return createGunzip({ chunkSize: 256 * 1024 });
  if (first.length >= 4 && first.readUInt32LE(0) === 0xfd2fb528) return createZstdDecoder();
  return undefined;
}

function layerError(err: unknown, blobName: string): Error {
  // Typed errors from the blob's source (a registry timing out: kind network) keep their kind.
  if (err instanceof BulwarkError) return err;
  if (err instanceof TarFormatError) {
    return new InputError('E_CORRUPT_TAR', `${blobName}: corrupt tar: ${err.message}`, { cause: err });
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end of file/i.test(oneLine(err))) {
    return new InputError(
      'E_CORRUPT_COMPRESSION',
      `${blobName}: truncated or corrupt gzip stream (${oneLine(err)})`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof ZstdFormatError || /^ZSTD_/.test(String(code ?? ''))) {
    const msg = oneLine(err);
    const zcode = err instanceof ZstdFormatError ? err.code : 'E_CORRUPT_COMPRESSION';
    return new InputError(zcode, `${blobName}: ${/^zstd:/.test(msg) ? msg : `zstd: ${msg}`}`, {
      cause: err,
    });
  }
  if (/^zstd:/.test(oneLine(err))) {
    return new InputError('E_CORRUPT_COMPRESSION', `${blobName}: ${oneLine(err)}`, { cause: err });
  }
  if ((err as Error | undefined)?.name === 'AbortError') return err as Error;
  return new InputError('E_READ', `${blobName}: ${oneLine(err)}`, { cause: err });
}
