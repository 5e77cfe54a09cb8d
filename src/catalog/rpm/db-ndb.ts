/**
 * rpmdb in rpm's own "ndb" format (`Packages.db`, SUSE): a 32-byte header, pages of 16-byte slots
 * (`Slot` magic, package index, block offset, block count) and blobs addressed in 16-byte blocks,
 * each framed by a `BlbS` head and a `BlbE` tail carrying an Adler-32 checksum. All little-endian.
 */
import { RpmDbError } from './db-sqlite.js';

const DB_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const HEAD_MAGIC = 0x53626c42; // "BlbS"
const TAIL_MAGIC = 0x45626c42; // "BlbE"
const PAGE = 4096;
const SLOT = 16;
const BLK = 16;
const HEADER = 32;
const HEAD = 16;
const TAIL = 12;

export interface NdbResult {
  readonly values: Buffer[];
  readonly problems: string[];
}

/** Every package blob of an ndb `Packages.db`, by package index. Throws {@link RpmDbError} when it is not one. */
export function readNdbBlobs(file: Buffer): NdbResult {
  if (file.length < HEADER || file.readUInt32LE(0) !== DB_MAGIC)
    throw new RpmDbError('not an rpm ndb database');
  const version = file.readUInt32LE(4);
  if (version !== 0) throw new RpmDbError(`unsupported ndb version ${version}`);
  const slotPages = file.readUInt32LE(12);
  if (slotPages < 1 || slotPages * PAGE > file.length)
    throw new RpmDbError(`ndb slot area of ${slotPages} pages exceeds the file`);
  const fileBlocks = Math.floor(file.length / BLK);
  const firstBlob = (slotPages * PAGE) / BLK;

  const slots: { pkgidx: number; blkoff: number; blkcnt: number }[] = [];
  const problems: string[] = [];
  for (let at = HEADER; at < slotPages * PAGE; at += SLOT) {
    if (file.readUInt32LE(at) !== SLOT_MAGIC) throw new RpmDbError(`bad slot magic at offset ${at}`);
    const pkgidx = file.readUInt32LE(at + 4);
    const blkoff = file.readUInt32LE(at + 8);
    const blkcnt = file.readUInt32LE(at + 12);
    if (blkoff === 0) continue; // free slot
    if (pkgidx === 0 || blkcnt === 0 || blkoff < firstBlob || blkoff + blkcnt > fileBlocks) {
      problems.push(`slot at offset ${at}: blob outside the file`);
      continue;
    }
    slots.push({ pkgidx, blkoff, blkcnt });
  }
  slots.sort((a, b) => a.pkgidx - b.pkgidx);

  const values: Buffer[] = [];
  for (const s of slots) {
    const start = s.blkoff * BLK;
    const end = start + s.blkcnt * BLK;
    if (file.readUInt32LE(start) !== HEAD_MAGIC || file.readUInt32LE(start + 4) !== s.pkgidx) {
      problems.push(`package ${s.pkgidx}: bad blob head`);
      continue;
    }
    const len = file.readUInt32LE(start + 12);
    if (Math.ceil((HEAD + len + TAIL) / BLK) !== s.blkcnt) {
      problems.push(`package ${s.pkgidx}: blob length ${len} does not match its ${s.blkcnt} blocks`);
      continue;
    }
    const tail = end - TAIL;
    if (file.readUInt32LE(tail + 4) !== len || file.readUInt32LE(tail + 8) !== TAIL_MAGIC) {
      problems.push(`package ${s.pkgidx}: bad blob tail`);
      continue;
    }
    if (adler32(file.subarray(start, tail)) !== file.readUInt32LE(tail)) {
      problems.push(`package ${s.pkgidx}: checksum mismatch`);
      continue;
    }
    values.push(file.subarray(start + HEAD, start + HEAD + len));
  }
  return { values, problems };
}

/** Adler-32 (RFC 1950), as ndb computes it over a blob's head, data and padding. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const CHUNK = 5552; // largest run before the sums can overflow 2^32
  for (let i = 0; i < data.length;) {
    const stop = Math.min(i + CHUNK, data.length);
    for (; i < stop; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
