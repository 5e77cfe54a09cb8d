/**
 * The one ZIP reader: bounded, for archives held in memory (jars, eggs, nested jars) and for large
 * archives on disk (the OSV export's `all.zip`, read through positioned reads with a small window, so
 * memory follows one entry, never the archive). It reads the central directory (zip64 included,
 * prefixed self-executing archives tolerated) entry by entry and extracts single entries with a hard
 * cap on output: inflation stops as soon as an entry exceeds its declared size or the caller's budget,
 * and an entry that inflates to anything but its declared size is refused, so neither a lying header
 * nor a zip bomb can exhaust memory or CPU.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { rethrowIfInternal } from './errors.js';

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

/** Random access to the bytes of an archive: a buffer in memory or a file on disk. */
export interface ZipBytes {
  readonly size: number;
  /** Exactly `length` bytes at `offset` (the result may be a view that the next read overwrites). */
  read(offset: number, length: number): Buffer;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The smallest read of a file on disk (the size of its read windows). */
const STEP = 64 * 1024;

function u64(buf: Buffer, off: number): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip64 value out of range');
  return Number(v);
}

function need(size: number, off: number, len: number): void {
  if (off < 0 || len < 0 || off + len > size) throw new ZipError('truncated zip archive');
}

/** An archive held in memory. */
export function bufferBytes(buf: Buffer): ZipBytes {
  return {
    size: buf.length,
    read(offset, length) {
      need(buf.length, offset, length);
      return buf.subarray(offset, offset + length);
    },
  };
}

/**
 * An archive on disk, read through two windows of {@link STEP} bytes or more (the central directory and
 * the entry data are read in alternation; one window each keeps both sequential); `close()` releases
 * the file. A refill allocates a new window, so a view returned earlier stays valid.
 */
export function openZipFile(path: string): ZipBytes & { close(): void } {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  // Most recently used first.
  const windows: { at: number; buf: Buffer }[] = [];
  return {
    size,
    read(offset, length) {
      need(size, offset, length);
      for (let i = 0; i < windows.length; i++) {
        const w = windows[i]!;
        if (offset >= w.at && offset + length <= w.at + w.buf.length) {
          if (i > 0) windows.unshift(windows.splice(i, 1)[0]!);
          return w.buf.subarray(offset - w.at, offset - w.at + length);
        }
      }
      const buf = Buffer.allocUnsafe(Math.min(Math.max(length, STEP), size - offset));
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, offset + got);
        if (n === 0) throw new ZipError('truncated zip archive');
        got += n;
      }
      windows.unshift({ at: offset, buf });
      if (windows.length > 2) windows.pop();
      return buf.subarray(0, length);
    },
    close() {
      closeSync(fd);
    },
  };
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

/** The central directory of an archive: its entry count, and its entries read one at a time. */
export interface ZipDirectory {
  readonly count: number;
  entries(): Generator<ZipEntry>;
}

/** Locate the central directory (end record, zip64 included); entries are parsed lazily. */
export function readZipDirectory(src: ZipBytes): ZipDirectory {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  const tailStart = Math.max(0, src.size - 22 - 65535);
  const tail = Buffer.from(src.read(tailStart, src.size - tailStart));
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  let cdEnd = tailStart + eocd;
  if (cdEnd >= 20 && src.read(cdEnd - 20, 4).readUInt32LE(0) === EOCD64_LOCATOR) {
    const z = u64(src.read(cdEnd - 12, 8), 0);
    need(src.size, z, 56);
    const rec = Buffer.from(src.read(z, 56));
    if (rec.readUInt32LE(0) === EOCD64) {
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
      cdEnd = z;
    }
  }
  // Bytes prepended to the archive (launch scripts of executable jars) shift every offset.
  const shift = cdEnd - (cdOffset + cdSize);
  if (shift < 0) throw new ZipError('truncated zip archive (central directory beyond end)');
  return { count, entries: () => centralEntries(src, cdOffset + shift, count, shift) };
}

function* centralEntries(src: ZipBytes, start: number, count: number, shift: number): Generator<ZipEntry> {
  let p = start;
  for (let i = 0; i < count; i++) {
    const head = src.read(p, 46);
    if (head.readUInt32LE(0) !== CENTRAL) throw new ZipError('corrupt zip central directory');
    const flags = head.readUInt16LE(8);
    const method = head.readUInt16LE(10);
    let compressedSize = head.readUInt32LE(20);
    let size = head.readUInt32LE(24);
    const nameLen = head.readUInt16LE(28);
    const extraLen = head.readUInt16LE(30);
    const commentLen = head.readUInt16LE(32);
    let localOffset = head.readUInt32LE(42);
    const rest = src.read(p + 46, nameLen + extraLen);
    const name = rest.toString('utf8', 0, nameLen);
    // Zip64 extended information: only the fields saturated in the fixed header are present, in order.
    let e = nameLen;
    const extraEnd = nameLen + extraLen;
    while (e + 4 <= extraEnd) {
      const id = rest.readUInt16LE(e);
      const len = rest.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const end = Math.min(q + len, extraEnd);
        if (size === 0xffffffff && q + 8 <= end) {
          size = u64(rest, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= end) {
          compressedSize = u64(rest, q);
          q += 8;
        }
        if (localOffset === 0xffffffff && q + 8 <= end) localOffset = u64(rest, q);
      }
      e += 4 + len;
    }
    yield {
      name,
      method,
      compressedSize,
      size,
      encrypted: (flags & 1) === 1,
      localOffset: localOffset + shift,
    };
    p += 46 + nameLen + extraLen + commentLen;
  }
}

/** List the entries of a zip archive in memory; at most `maxEntries` (more is reported as an error). */
export function listZip(buf: Buffer, maxEntries: number): ZipEntry[] {
  const dir = readZipDirectory(bufferBytes(buf));
  if (dir.count > maxEntries)
    throw new ZipError(`zip archive has ${dir.count} entries (limit ${maxEntries})`);
  return [...dir.entries()];
}

/**
 * Extract one entry (from a buffer or a {@link ZipBytes}). Fails when the entry is encrypted, uses an
 * unsupported method, or inflates to anything but its declared size, which must be within `limit`.
 */
export function readZipEntry(archive: Buffer | ZipBytes, entry: ZipEntry, limit: number): Buffer {
  const src = Buffer.isBuffer(archive) ? bufferBytes(archive) : archive;
  if (entry.encrypted) throw new ZipError(`${entry.name}: encrypted entry`);
  if (entry.size > limit)
    throw new ZipError(`${entry.name}: entry of ${entry.size} bytes exceeds the limit of ${limit}`);
  const p = entry.localOffset;
  const local = src.read(p, 30);
  if (local.readUInt32LE(0) !== LOCAL) throw new ZipError(`${entry.name}: corrupt local header`);
  const start = p + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  need(src.size, start, entry.compressedSize);
  const cap = entry.size;
  if (entry.method === 0) {
    if (entry.compressedSize !== cap)
      throw new ZipError(
        `${entry.name}: stored size ${entry.compressedSize} differs from its declared size ${cap}`,
      );
    return Buffer.from(src.read(start, cap));
  }
  if (entry.method !== 8) throw new ZipError(`${entry.name}: unsupported compression method ${entry.method}`);
  // Deflate never grows data by more than a few bytes per block: a larger compressed size is a lie that
  // would only make us read more than the entry can hold.
  const length = entry.compressedSize;
  if (length > cap + Math.ceil(cap / 64) + 4096)
    throw new ZipError(
      `${entry.name}: compressed size ${length} is implausible for its declared size ${cap}`,
    );
  let out: Buffer;
  try {
    // zlib stops as soon as the output passes maxOutputLength, so a bomb costs at most `cap + 1` bytes.
    out = inflateRawSync(src.read(start, length), { maxOutputLength: cap + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ZipError(`${entry.name}: inflates beyond its declared size of ${cap} bytes`);
    rethrowIfInternal(err);
    throw new ZipError(
      `${entry.name}: corrupt deflate data (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (out.length > cap)
    throw new ZipError(`${entry.name}: inflates beyond its declared size of ${cap} bytes`);
  if (out.length !== cap)
    throw new ZipError(`${entry.name}: inflates to ${out.length} bytes, not its declared ${cap}`);
  return out;
}
