/**
 * Whole-image catalog results: when an image is scanned again with the same catalogers (same config
 * digest, same layer diff IDs), its SBOM is read back instead of replaying every layer and re-running
 * every cataloger. This sits above the per-layer cache: a changed image misses here and still reuses its
 * unchanged layers there.
 *
 * File: "BWSBOM\0\0" | u32 format | u32 header length | header JSON `{ key, payloadBytes,
 * payloadSha256, rawBytes }` | raw-deflate(JSON Sbom). Invalid files are misses (and removed).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Sbom } from '../model/sbom.js';
import { SBOM_SCHEMA } from '../model/sbom.js';
import type { ImageMetadata } from '../source/types.js';

export const SBOM_CACHE_FORMAT = 1;
const MAGIC = Buffer.from('BWSBOM\0\0', 'latin1');
const MAX_BYTES = 256 * 1024 * 1024;
const MAX_HEADER = 64 * 1024;

/** Key of an image's catalog result: config, layers, catalogers (their key) and the tool version. */
export function imageKey(image: ImageMetadata, catalogerKey: string, toolVersion: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        f: SBOM_CACHE_FORMAT,
        config: image.configDigest,
        layers: image.layers.map((l) => l.diffId),
        catalogerKey,
        toolVersion,
      }),
    )
    .digest('hex');
}

/** Image SBOMs in `<cache dir>/layers` (same folder: `cache clean` and `cache status` cover both). */
export class SbomCache {
  constructor(readonly dir: string) {}

  private pathFor(key: string): string {
    return join(this.dir, `${key}.bws`);
  }

  read(key: string): Sbom | undefined {
    const path = this.pathFor(key);
    let buf: Buffer;
    try {
      if (statSync(path).size > MAX_BYTES) throw new Error('too large');
      buf = readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(path, { force: true });
      return undefined;
    }
    const sbom = decode(buf, key);
    if (!sbom) rmSync(path, { force: true });
    return sbom;
  }

  write(key: string, sbom: Sbom): boolean {
    const raw = Buffer.from(JSON.stringify(sbom), 'utf8');
    if (raw.length > MAX_BYTES) return false;
    const payload = deflateRawSync(raw, { level: 1 });
    const header = Buffer.from(
      JSON.stringify({
        key,
        payloadBytes: payload.length,
        payloadSha256: createHash('sha256').update(payload).digest('hex'),
        rawBytes: raw.length,
      }),
      'utf8',
    );
    const head = Buffer.alloc(16);
    MAGIC.copy(head, 0);
    head.writeUInt32BE(SBOM_CACHE_FORMAT, 8);
    head.writeUInt32BE(header.length, 12);
    const path = this.pathFor(key);
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        for (const part of [head, header, payload]) writeAll(fd, part);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
      return true;
    } catch {
      rmSync(tmp, { force: true });
      return false;
    }
  }
}

function decode(buf: Buffer, key: string): Sbom | undefined {
  try {
    if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC) || buf.readUInt32BE(8) !== SBOM_CACHE_FORMAT)
      return undefined;
    const hlen = buf.readUInt32BE(12);
    if (hlen > MAX_HEADER || 16 + hlen > buf.length) return undefined;
    const header = JSON.parse(buf.subarray(16, 16 + hlen).toString('utf8')) as Record<string, unknown>;
    const payload = buf.subarray(16 + hlen);
    if (header.key !== key || header.payloadBytes !== payload.length) return undefined;
    if (typeof header.rawBytes !== 'number' || header.rawBytes > MAX_BYTES) return undefined;
    if (createHash('sha256').update(payload).digest('hex') !== header.payloadSha256) return undefined;
    const raw = inflateRawSync(payload, { maxOutputLength: MAX_BYTES });
    if (raw.length !== header.rawBytes) return undefined;
    const sbom = JSON.parse(raw.toString('utf8')) as Sbom;
    if (
      sbom?.schema !== SBOM_SCHEMA ||
      !Array.isArray(sbom.packages) ||
      !Array.isArray(sbom.relationships) ||
      !Array.isArray(sbom.unknowns)
    )
      return undefined;
    return sbom;
  } catch {
    return undefined;
  }
}

/** writeSync may write less than asked: loop until the buffer is out. */
function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
}
