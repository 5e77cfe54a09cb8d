/**
 * Where an image's blobs come from. Each image format (OCI layout folder, tar archive, registry) provides
 * a BlobStore; the image resolution and layer walking on top of it are shared.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError } from '../../util/errors.js';

export interface BlobRef {
  readonly digest: string;
  readonly size?: number;
  /** The descriptor's media type, when known: registries serve manifests and blobs from different endpoints. */
  readonly mediaType?: string;
}

export interface BlobStore {
  /** Human name used in messages, e.g. the archive path. */
  readonly name: string;
  /** Read a small blob (manifest, config) fully, at most `maxBytes`; the digest is verified. */
  readBlob(ref: BlobRef, maxBytes: number, what: string): Promise<Buffer>;
  /** Stream a blob (a layer). The caller verifies the digest while reading. */
  openBlob(ref: BlobRef): Promise<Readable>;
  /**
   * A cheap identity of the stored blob (location, size, inode, mtime, ctime; no hashing), which changes
   * whenever its bytes could have. Throws the input error of a missing blob. Undefined where no local
   * file backs the blob.
   */
  blobStamp?(ref: BlobRef): Promise<string | undefined>;
  close?(): Promise<void>;
}

/** Verify a fully read blob against its digest (sha256 and sha512 supported). */
export function verifyDigest(bytes: Buffer, digest: string, what: string): void {
  const colon = digest.indexOf(':');
  const alg = digest.slice(0, colon);
  if (alg !== 'sha256' && alg !== 'sha512') {
    throw new InputError('E_UNSUPPORTED_DIGEST', `${what}: unsupported digest algorithm "${alg}"`);
  }
  const actual = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
  if (actual !== digest) {
    throw new InputError(
      'E_DIGEST_MISMATCH',
      `${what}: digest mismatch: expected ${digest}, content is ${actual}`,
    );
  }
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The relative path of a blob in an OCI layout: `blobs/<alg>/<hex>`; refuses hostile digests. */
export function blobPath(digest: string): string {
  const m = /^([a-z0-9]+):([a-f0-9]{32,128})$/.exec(digest);
  if (!m) throw new InputError('E_BAD_DIGEST', `invalid digest "${digest}"`);
  return `blobs/${m[1]}/${m[2]}`;
}

/**
 * Read a small blob of an OCI layout from its file `blobs/<alg>/<hex>` through `store` (a folder or a
 * tar holding the layout) and verify it against its digest.
 */
export async function readLayoutBlob(
  store: { readFile(rel: string, maxBytes: number, what: string): Promise<Buffer> },
  ref: BlobRef,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  const bytes = await store.readFile(blobPath(ref.digest), maxBytes, what);
  verifyDigest(bytes, ref.digest, what);
  return bytes;
}

/** Stamp of a local file (see {@link BlobStore.blobStamp}); `part` names a member inside it. */
export async function fileStamp(path: string, part = ''): Promise<string> {
  const st = await stat(path, { bigint: true });
  return `${path}\0${part}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}
