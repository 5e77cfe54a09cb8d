/**
 * OCI image layouts: a folder (`oci-dir://`) or the same tree inside a tar (`oci-archive`). The layout's
 * `index.json` lists images, optionally named by `org.opencontainers.image.ref.name`.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError, fsError } from '../../util/errors.js';
import type { ImageFormat, Platform } from '../types.js';
import { blobPath, fileStamp, readLayoutBlob, type BlobRef, type BlobStore } from './blob-store.js';
import { openResolvedImage, resolveManifest, type ImageSource } from './image-source.js';
import { MAX_MANIFEST_BYTES, indexSchema, parseJson, validate, type Descriptor } from './oci.js';
import type { LayerLimits } from '../layer/read-layer.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

export interface OpenImageOptions {
  readonly platform?: Platform;
  /** Tag or name:tag selecting one image of several. */
  readonly ref?: string;
  readonly limits?: LayerLimits;
}

/** A folder holding an OCI layout. */
export class DirBlobStore implements BlobStore {
  constructor(
    readonly dir: string,
    readonly name: string = dir,
  ) {}

  async readFile(rel: string, maxBytes: number, what: string): Promise<Buffer> {
    const path = join(this.dir, rel);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new InputError('E_MISSING_BLOB', `${what}: ${rel} is missing from ${this.name}`);
      }
      throw fsError(err, path);
    }
    try {
      const { size } = await fh.stat();
      if (size > maxBytes)
        throw new InputError('E_TOO_LARGE', `${what}: ${size} bytes exceeds the ${maxBytes}-byte limit`);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  readBlob(ref: BlobRef, maxBytes: number, what: string): Promise<Buffer> {
    return readLayoutBlob(this, ref, maxBytes, what);
  }

  async blobStamp(ref: BlobRef): Promise<string> {
    const path = join(this.dir, blobPath(ref.digest));
    // A size different from the descriptor's simply never matches a verified stamp: the layer is read
    // again and the reader reports what is wrong with it (truncated, digest mismatch).
    try {
      return await fileStamp(resolve(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new InputError('E_MISSING_BLOB', `blob ${ref.digest} is missing from ${this.name}`);
      }
      throw fsError(err, path);
    }
  }

  async openBlob(ref: BlobRef): Promise<Readable> {
    const rel = blobPath(ref.digest);
    const path = join(this.dir, rel);
    try {
      await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new InputError('E_MISSING_BLOB', `blob ${ref.digest} is missing from ${this.name}`);
      }
      throw fsError(err, path);
    }
    return createReadStream(path, { highWaterMark: 1024 * 1024 });
  }
}

/** Anything that can read the layout's top-level files and blobs. */
export interface LayoutStore extends BlobStore {
  readFile(rel: string, maxBytes: number, what: string): Promise<Buffer>;
}

function refNames(d: Descriptor): string[] {
  return [d.annotations?.[REF_NAME], d.annotations?.[CONTAINERD_NAME]].filter((x): x is string => !!x);
}

/** Does a user's ref (`tag`, `name:tag`, `name`) select an image named `names`? */
export function refMatches(wanted: string, names: readonly string[]): boolean {
  const w = wanted.trim();
  for (const n of names) {
    if (n === w) return true;
    const tagOf = (s: string): string => {
      const at = s.lastIndexOf(':');
      return at > s.lastIndexOf('/') ? s.slice(at + 1) : 'latest';
    };
    const nameOf = (s: string): string => {
      const at = s.lastIndexOf(':');
      return at > s.lastIndexOf('/') ? s.slice(0, at) : s;
    };
    const strip = (s: string): string => s.replace(/^(docker\.io\/)?(library\/)?/, '');
    // "latest" selects an OCI ref name "latest"; "debian:12" selects "docker.io/library/debian:12".
    if (!n.includes(':') && !n.includes('/') && n === w) return true;
    if (w.includes(':') || w.includes('/')) {
      if (strip(nameOf(n)) === strip(nameOf(w)) && tagOf(n) === tagOf(w)) return true;
    } else if (strip(nameOf(n)) === w && tagOf(n) === 'latest') {
      return true;
    }
  }
  return false;
}

export async function openOciLayout(
  store: LayoutStore,
  format: ImageFormat,
  target: string,
  options: OpenImageOptions = {},
): Promise<ImageSource> {
  const where = store.name;
  const indexBytes = await store.readFile('index.json', MAX_MANIFEST_BYTES, `${where}: index.json`);
  const index = validate(indexSchema, parseJson(indexBytes, `${where}: index.json`), `${where}: index.json`);
  let candidates = index.manifests;
  if (options.ref) {
    candidates = candidates.filter((d) => refMatches(options.ref!, refNames(d)));
    if (candidates.length === 0) {
      const names = index.manifests.flatMap(refNames);
      throw new InputError(
        'E_IMAGE_NOT_FOUND',
        `${where}: no image named "${options.ref}"${names.length ? `; available: ${[...new Set(names)].sort().join(', ')}` : ''}`,
      );
    }
  }
  // Several named images (not platforms of one image): the user must choose.
  const named = [...new Set(candidates.flatMap(refNames))];
  const distinctDigests = new Set(candidates.map((d) => d.digest));
  if (distinctDigests.size > 1 && !candidates.some((d) => d.platform)) {
    throw new InputError(
      'E_AMBIGUOUS_IMAGE',
      `${where}: holds ${distinctDigests.size} images; pick one with ${target}:<name> (available: ${named.sort().join(', ') || 'unnamed'})`,
    );
  }
  const start =
    candidates.length === 1
      ? {
          doc: parseJson(
            await store.readBlob(
              candidates[0]!,
              MAX_MANIFEST_BYTES,
              `${where}: manifest ${candidates[0]!.digest}`,
            ),
            `${where}: manifest`,
          ),
          digest: candidates[0]!.digest,
          mediaType: candidates[0]!.mediaType,
        }
      : {
          doc: { ...index, manifests: candidates },
          digest: '',
          mediaType: index.mediaType ?? 'application/vnd.oci.image.index.v1+json',
        };
  const resolved = await resolveManifest(store, start, options.platform, where);
  return openResolvedImage(store, resolved, where, {
    format,
    target,
    repoTags: candidates.flatMap(refNames),
    limits: options.limits,
  });
}
