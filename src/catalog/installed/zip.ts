/**
 * A small, bounded ZIP reader for archives held in memory (jars, eggs). It reads the central
 * directory (zip64 included, prefixed self-executing archives tolerated) and extracts single entries
 * with a hard cap on output: inflation stops as soon as an entry exceeds its declared size or the
 * caller's budget, so neither a lying header nor a zip bomb can exhaust memory or CPU.
 */
import { Inflate } from 'fflate';
import { rethrowIfInternal } from '../../util/errors.js';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly encrypted: boolean;
  /** Offset of the local file header, already corrected for any prefix before the archive. */
  readonly localOffset: number;
}

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(buf: Buffer, off: number): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip64 value out of range');
  return Number(v);
}

function need(buf: Buffer, off: number, len: number): void {
  if (off < 0 || off + len > buf.length) throw new ZipError('truncated zip archive');
}

/** True when the buffer starts like a zip (local header or empty archive). */
export function looksLikeZip(buf: Uint8Array): boolean {
  return (
    buf.length >= 4 &&
    buf[0] === 0x50 &&
    buf[1] === 0x4b &&
    (buf[2] === 3 || buf[2] === 5) &&
    (buf[3] === 4 || buf[3] === 6)
  );
}

/** List the entries of a zip archive; at most `maxEntries` (more is reported as an error). */
export function listZip(buf: Buffer, maxEntries: number): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  let cdEnd = eocd;
  if (eocd >= 20 && buf.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
    const z = u64(buf, eocd - 12);
    need(buf, z, 56);
    if (buf.readUInt32LE(z) === EOCD64) {
      count = u64(buf, z + 32);
      cdSize = u64(buf, z + 40);
      cdOffset = u64(buf, z + 48);
      cdEnd = z;
    }
  }
  if (count > maxEntries) throw new ZipError(`zip archive has ${count} entries (limit ${maxEntries})`);
  // Bytes prepended to the archive (launch scripts of executable jars) shift every offset.
  const shift = cdEnd - (cdOffset + cdSize);
  if (shift < 0) throw new ZipError('truncated zip archive (central directory beyond end)');
  let p = cdOffset + shift;
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    need(buf, p, 46);
    if (buf.readUInt32LE(p) !== CENTRAL) throw new ZipError('corrupt zip central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    need(buf, p + 46, nameLen + extraLen);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // Zip64 extended information: only the fields saturated in the fixed header are present, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const end = q + len;
        if (size === 0xffffffff && q + 8 <= end) {
          size = u64(buf, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= end) {
          compressedSize = u64(buf, q);
          q += 8;
        }
        if (localOffset === 0xffffffff && q + 8 <= end) localOffset = u64(buf, q);
      }
      e += 4 + len;
    }
    out.push({
      name,
      method,
      compressedSize,
      size,
      encrypted: (flags & 1) === 1,
      localOffset: localOffset + shift,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * Extract one entry. Fails when the entry is encrypted, uses an unsupported method, or inflates past
 * `min(declared size, limit)` bytes.
 */
export function readZipEntry(buf: Buffer, entry: ZipEntry, limit: number): Buffer {
  if (entry.encrypted) throw new ZipError(`${entry.name}: encrypted entry`);
  if (entry.size > limit)
    throw new ZipError(`${entry.name}: entry of ${entry.size} bytes exceeds the limit of ${limit}`);
  const p = entry.localOffset;
  need(buf, p, 30);
  if (buf.readUInt32LE(p) !== LOCAL) throw new ZipError(`${entry.name}: corrupt local header`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  need(buf, start, entry.compressedSize);
  const data = buf.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method !== 8) throw new ZipError(`${entry.name}: unsupported compression method ${entry.method}`);
  const cap = entry.size;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inf = new Inflate((chunk) => {
    total += chunk.length;
    if (total > cap) over = true;
    else chunks.push(chunk);
  });
  const STEP = 16 * 1024;
  try {
    for (let i = 0; i < data.length && !over; i += STEP)
      inf.push(data.subarray(i, i + STEP), i + STEP >= data.length);
    if (data.length === 0) inf.push(new Uint8Array(0), true);
  } catch (err) {
    rethrowIfInternal(err);
    throw new ZipError(
      `${entry.name}: corrupt deflate data (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (over) throw new ZipError(`${entry.name}: inflates beyond its declared size of ${cap} bytes`);
  return Buffer.concat(chunks);
}
