/**
 * Image archives: docker-archive (`docker save`, skopeo) and OCI archives (a tarred OCI layout),
 * detected by content, plain or gzip-compressed.
 *
 * Plain tars are indexed by their headers and each blob is streamed straight from its offset. Gzip
 * cannot seek, so a compressed archive is read once for its small documents and then once per layer
 * (outer decompression only; each layer is still parsed once).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { BulwarkError, InputError, fsError, oneLine } from '../../util/errors.js';
import { normalizeEntryPath, resolveLinkTarget } from '../paths.js';
import { indexTarFile, type TarMember } from '../tar/index-file.js';
import { TarFormatError, TarReader } from '../tar/reader.js';
import { blobPath, fileStamp, readLayoutBlob, sha256, type BlobRef } from './blob-store.js';
import { ImageSource, imageMetadata, layerRefs, type LayerBlob } from './image-source.js';
import {
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  configSchema,
  parseJson,
  validate,
  type ImageManifest,
} from './oci.js';
import { openOciLayout, refMatches, type LayoutStore, type OpenImageOptions } from './oci-layout.js';
import { assertLayerMediaType } from '../layer/read-layer.js';

/** Members at most this large are kept in memory during the first pass over a compressed archive. */
const SMALL_MEMBER = 4 * 1024 * 1024;
const SMALL_TOTAL = 64 * 1024 * 1024;

/** Member access shared by plain and compressed archives. */
export interface ArchiveStore extends LayoutStore {
  has(name: string): boolean;
  openMember(name: string): Promise<Readable>;
  /** See {@link BlobStore.blobStamp}: the archive file's stamp plus the member's place in it. */
  memberStamp?(name: string): Promise<string>;
}

function missing(store: { name: string }, what: string, name: string): InputError {
  return new InputError('E_MISSING_BLOB', `${what}: ${name} is missing from ${store.name}`);
}

/** An uncompressed tar, indexed by headers; members are streamed from their offsets. */
class TarFileStore implements ArchiveStore {
  constructor(
    readonly path: string,
    readonly name: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  has(name: string): boolean {
    return this.resolve(name) !== undefined;
  }

  /** Follow member symlinks/hardlinks (docker save links identical layers). */
  private resolve(name: string): TarMember | undefined {
    let current = name.replace(/^\.?\//, '');
    for (let i = 0; i < 16; i++) {
      const m = this.members.get(current);
      if (!m) return undefined;
      if (m.typeflag === '2') current = resolveLinkTarget(`/${current}`, m.linkName).slice(1);
      else if (m.typeflag === '1') {
        const n = normalizeEntryPath(m.linkName);
        if (!n.ok) return undefined;
        current = n.path.slice(1);
      } else return m;
    }
    return undefined;
  }

  async readFile(rel: string, maxBytes: number, what: string): Promise<Buffer> {
    const m = this.resolve(rel);
    if (!m) throw missing(this, what, rel);
    if (m.size > maxBytes)
      throw new InputError('E_TOO_LARGE', `${what}: ${m.size} bytes exceeds the ${maxBytes}-byte limit`);
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      const { bytesRead } = await fh.read(buf, 0, m.size, m.offset);
      if (bytesRead < m.size)
        throw new InputError('E_TRUNCATED', `${what}: ${rel} is truncated in ${this.name}`);
      return buf;
    } finally {
      await fh.close();
    }
  }

  async openMember(name: string): Promise<Readable> {
    const m = this.resolve(name);
    if (!m) throw missing(this, 'blob', name);
    if (m.size === 0) return PassThrough.from([]) as unknown as Readable;
    return createReadStream(this.path, {
      start: m.offset,
      end: m.offset + m.size - 1,
      highWaterMark: 1024 * 1024,
    });
  }

  readBlob(ref: BlobRef, maxBytes: number, what: string): Promise<Buffer> {
    return readLayoutBlob(this, ref, maxBytes, what);
  }

  openBlob(ref: BlobRef): Promise<Readable> {
    return this.openMember(blobPath(ref.digest));
  }

  async memberStamp(name: string): Promise<string> {
    const m = this.resolve(name);
    if (!m) throw missing(this, 'blob', name);
    return fileStamp(resolve(this.path), `${name}@${m.offset}+${m.size}`);
  }

  async blobStamp(ref: BlobRef): Promise<string> {
    return this.memberStamp(blobPath(ref.digest));
  }
}

/**
 * A tar that can only be read from the start (gzip-compressed file, Docker daemon export): small members
 * cached from a first pass, large ones streamed by a new pass each.
 */
export class StreamTarStore implements ArchiveStore {
  private small = new Map<string, Buffer>();
  private links = new Map<string, string>();
  private names = new Set<string>();

  private constructor(
    readonly name: string,
    /** Opens the tar from its start (decompressed); a pass may be aborted through `signal`. */
    private readonly openTar: (signal: AbortSignal) => Promise<Readable>,
    /** Names the source in errors about its byte stream. */
    private readonly streamName: string,
  ) {}

  /** A gzip-compressed archive file. */
  static gzipFile(path: string, name: string): Promise<StreamTarStore> {
    return StreamTarStore.load(
      name,
      async (signal) => {
        const gunzip = createGunzip();
        pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), gunzip, { signal }).catch(
          (err: unknown) => gunzip.destroy(err as Error),
        );
        return gunzip;
      },
      'gzip stream',
    );
  }

  static async load(
    name: string,
    openTar: (signal: AbortSignal) => Promise<Readable>,
    streamName: string,
  ): Promise<StreamTarStore> {
    const store = new StreamTarStore(name, openTar, streamName);
    let total = 0;
    await store.pass(
      (member, size) => {
        store.names.add(member);
        if (size > SMALL_MEMBER || total + size > SMALL_TOTAL) return undefined;
        total += size;
        const chunks: Buffer[] = [];
        return {
          write: (c) => void chunks.push(Buffer.from(c)),
          end: () => void store.small.set(member, Buffer.concat(chunks)),
        };
      },
      (member, target) => store.links.set(member, target),
    );
    return store;
  }

  /** One pass over the decompressed archive; `onMember` may return a sink; returning 'stop' ends early. */
  private async pass(
    onMember: (
      name: string,
      size: number,
    ) => { write(c: Uint8Array): boolean | void; end(): void; stop?: boolean } | undefined,
    onLink?: (name: string, target: string) => void,
    controller?: AbortController,
  ): Promise<void> {
    let waitFor: PassThrough | undefined;
    const tar = new TarReader({
      onEntry: (h) => {
        const n = normalizeEntryPath(h.name);
        if (!n.ok || n.path === '/') return undefined;
        const member = n.path.slice(1);
        if (h.kind === 'symlink') onLink?.(member, resolveLinkTarget(n.path, h.linkName).slice(1));
        if (h.kind === 'hardlink') {
          const t = normalizeEntryPath(h.linkName);
          if (t.ok) onLink?.(member, t.path.slice(1));
        }
        if (h.kind !== 'file') return undefined;
        const sink = onMember(member, h.size);
        if (!sink) return undefined;
        return {
          write: (c) => {
            if (sink.write(c) === false) waitFor = sink as unknown as PassThrough;
          },
          end: () => sink.end(),
        };
      },
    });
    const writer = new Writable({
      write(chunk: Buffer, _enc, cb) {
        try {
          tar.write(chunk);
        } catch (err) {
          cb(err as Error);
          return;
        }
        const w = waitFor;
        waitFor = undefined;
        if (w && !w.destroyed) {
          const done = (): void => {
            w.off('drain', done);
            w.off('close', done);
            cb();
          };
          w.on('drain', done);
          w.on('close', done);
        } else cb();
      },
    });
    const ctl = controller ?? new AbortController();
    try {
      await pipeline(await this.openTar(ctl.signal), writer, { signal: ctl.signal });
      tar.end();
    } catch (err) {
      if (ctl.signal.aborted) return;
      if (err instanceof TarFormatError)
        throw new InputError('E_CORRUPT_TAR', `${this.name}: corrupt tar: ${err.message}`);
      if (err instanceof BulwarkError) throw err;
      throw new InputError(
        'E_CORRUPT_COMPRESSION',
        `${this.name}: truncated or corrupt ${this.streamName} (${oneLine(err)})`,
        { cause: err },
      );
    }
  }

  private canonical(name: string): string {
    let n = name.replace(/^\.?\//, '');
    for (let i = 0; i < 16 && this.links.has(n); i++) n = this.links.get(n)!;
    return n;
  }

  has(name: string): boolean {
    return this.names.has(this.canonical(name));
  }

  async readFile(rel: string, maxBytes: number, what: string): Promise<Buffer> {
    const n = this.canonical(rel);
    const cached = this.small.get(n);
    if (cached) {
      if (cached.length > maxBytes)
        throw new InputError('E_TOO_LARGE', `${what}: exceeds the ${maxBytes}-byte limit`);
      return cached;
    }
    if (!this.names.has(n)) throw missing(this, what, rel);
    throw new InputError(
      'E_TOO_LARGE',
      `${what}: ${rel} is larger than the ${SMALL_MEMBER}-byte document limit`,
    );
  }

  async openMember(name: string): Promise<Readable> {
    const n = this.canonical(name);
    if (!this.names.has(n)) throw missing(this, 'blob', name);
    const cached = this.small.get(n);
    if (cached) return PassThrough.from([cached]) as unknown as Readable;
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    const controller = new AbortController();
    out.on('close', () => controller.abort());
    this.pass(
      (member) => {
        if (member !== n) return undefined;
        return {
          write: (c: Uint8Array) => out.write(c),
          end: () => {
            out.end();
            controller.abort();
          },
        };
      },
      undefined,
      controller,
    ).catch((err: unknown) => out.destroy(err as Error));
    return out;
  }

  readBlob(ref: BlobRef, maxBytes: number, what: string): Promise<Buffer> {
    return readLayoutBlob(this, ref, maxBytes, what);
  }

  openBlob(ref: BlobRef): Promise<Readable> {
    return this.openMember(blobPath(ref.digest));
  }
}

const dockerManifestSchema = z.array(
  z.object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);

async function sniff(path: string): Promise<'gzip' | 'zstd' | 'other'> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fsError(err, path);
  }
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead === 0) throw new InputError('E_NOT_IMAGE', `${path}: empty file, not an image archive`);
    if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'other';
  } finally {
    await fh.close();
  }
}

/** Open `path` as a docker-archive or OCI archive, picking `options.ref` when it holds several images. */
export async function openArchive(
  path: string,
  target: string,
  options: OpenImageOptions = {},
): Promise<ImageSource> {
  const kind = await sniff(path);
  if (kind === 'zstd') {
    throw new InputError(
      'E_UNSUPPORTED_ARCHIVE',
      `${path}: zstd-compressed archives are not supported; decompress it first`,
    );
  }
  let store: ArchiveStore;
  if (kind === 'gzip') {
    store = await StreamTarStore.gzipFile(path, path);
  } else {
    let members: Map<string, TarMember>;
    try {
      members = await indexTarFile(path);
    } catch (err) {
      if (err instanceof TarFormatError)
        throw new InputError('E_NOT_IMAGE', `${path}: not an image archive (${err.message})`);
      throw fsError(err, path);
    }
    store = new TarFileStore(path, path, members);
  }
  return openArchiveStore(store, target, options);
}

/** Open the image in an archive store: docker-archive when it has manifest.json, else an OCI layout. */
export async function openArchiveStore(
  store: ArchiveStore,
  target: string,
  options: OpenImageOptions,
  format: 'docker-archive' | 'docker-daemon' = 'docker-archive',
): Promise<ImageSource> {
  if (store.has('manifest.json')) return openDockerArchive(store, target, options, format);
  if (store.has('index.json'))
    return openOciLayout(store, format === 'docker-daemon' ? format : 'oci-archive', target, options);
  throw new InputError(
    'E_NOT_IMAGE',
    `${store.name}: not an image archive (no manifest.json or index.json inside)`,
  );
}

async function openDockerArchive(
  store: ArchiveStore,
  target: string,
  options: OpenImageOptions,
  format: 'docker-archive' | 'docker-daemon',
): Promise<ImageSource> {
  const where = store.name;
  const raw = parseJson(
    await store.readFile('manifest.json', MAX_MANIFEST_BYTES, `${where}: manifest.json`),
    `${where}: manifest.json`,
  );
  const entries = validate(dockerManifestSchema, raw, `${where}: manifest.json`);
  if (entries.length === 0) throw new InputError('E_NOT_IMAGE', `${where}: manifest.json lists no images`);
  let chosen = entries;
  if (options.ref) {
    chosen = entries.filter((e) => refMatches(options.ref!, e.RepoTags ?? []));
    if (chosen.length === 0) {
      throw new InputError(
        'E_IMAGE_NOT_FOUND',
        `${where}: no image tagged "${options.ref}"; available: ${
          entries
            .flatMap((e) => e.RepoTags ?? [])
            .sort()
            .join(', ') || 'untagged images only'
        }`,
      );
    }
  }
  if (chosen.length > 1) {
    throw new InputError(
      'E_AMBIGUOUS_IMAGE',
      `${where}: holds ${chosen.length} images; pick one with ${target}:<name:tag> (available: ${chosen
        .flatMap((e) => e.RepoTags ?? [])
        .sort()
        .join(', ')})`,
    );
  }
  const entry = chosen[0]!;
  const configBytes = await store.readFile(
    entry.Config,
    MAX_CONFIG_BYTES,
    `${where}: config ${entry.Config}`,
  );
  const configDigest = sha256(configBytes);
  const declared = /(?:^|\/)(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(entry.Config)?.[1];
  if (declared && `sha256:${declared}` !== configDigest) {
    throw new InputError(
      'E_DIGEST_MISMATCH',
      `${where}: config ${entry.Config}: digest mismatch: content is ${configDigest}`,
    );
  }
  const config = validate(
    configSchema,
    parseJson(configBytes, `${where}: config`),
    `${where}: config ${entry.Config}`,
  );
  // Docker archives carry no manifest: derive one so layer handling is shared with OCI.
  const layerDigest = (p: string): string | undefined => {
    const m = /^blobs\/(sha256)\/([a-f0-9]{64})$/.exec(p.replace(/^\.?\//, ''));
    return m ? `${m[1]}:${m[2]}` : undefined;
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: configDigest,
      size: configBytes.length,
    },
    layers: entry.Layers.map((p, i) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
      digest: layerDigest(p) ?? config.rootfs.diff_ids[i] ?? 'sha256:0',
      size: 0,
    })),
  };
  const layers = layerRefs(manifest, config, where);
  for (const l of layers) assertLayerMediaType(l.mediaType, where);
  const blobs: LayerBlob[] = layers.map((layer, i) => {
    const memberPath = entry.Layers[i]!;
    if (!store.has(memberPath)) throw missing(store, `layer ${i}`, memberPath);
    return {
      layer,
      ...(layerDigest(memberPath) ? { expectedDigest: layerDigest(memberPath)! } : {}),
      expectedDiffId: layer.diffId,
      blobName: `layer ${memberPath} of ${where}`,
      open: () => store.openMember(memberPath),
      ...(store.memberStamp ? { stamp: () => store.memberStamp!(memberPath) } : {}),
    };
  });
  // Docker 25+ also writes an OCI index.json: take the real manifest digest from it when present.
  let manifestDigest = '';
  let manifestMediaType = '';
  if (store.has('index.json')) {
    try {
      const idx = parseJson(
        await store.readFile('index.json', MAX_MANIFEST_BYTES, 'index.json'),
        'index.json',
      ) as {
        manifests?: { digest?: string; mediaType?: string }[];
      };
      for (const d of idx.manifests ?? []) {
        if (!d.digest) continue;
        const doc = parseJson(
          await store.readBlob({ digest: d.digest }, MAX_MANIFEST_BYTES, 'manifest'),
          'manifest',
        ) as {
          config?: { digest?: string };
        };
        if (doc.config?.digest === configDigest) {
          manifestDigest = d.digest;
          manifestMediaType = d.mediaType ?? '';
        }
      }
    } catch {
      // The derived manifest is enough; index.json is an optional extra of newer Docker versions.
    }
  }
  const meta = imageMetadata({
    format,
    repoTags: entry.RepoTags ?? [],
    manifestDigest,
    manifestMediaType,
    configDigest,
    config,
    layers,
  });
  return new ImageSource({ kind: 'image', target, image: meta }, blobs, store, options.limits);
}
