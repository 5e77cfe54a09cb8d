/**
 * rpmdb in Berkeley DB (`/var/lib/rpm/Packages`, RHEL ≤ 8, CentOS 7, older SUSE): a hash database
 * whose values are header blobs. Read by walking the pages directly (no libdb): every hash page's
 * key/data pairs, following overflow-page chains for large values. Both byte orders are supported
 * (the database is written in the byte order of the machine that created it).
 */
import { RpmDbError } from './db-sqlite.js';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export interface BdbResult {
  /** Values in page order. */
  readonly values: Buffer[];
  /** Items that could not be read (broken overflow chains, bad offsets). */
  readonly problems: string[];
}

/** Every value stored in a Berkeley DB hash database. Throws {@link RpmDbError} when it is not one. */
export function readBdbHashValues(file: Buffer): BdbResult {
  if (file.length < 512) throw new RpmDbError('not a Berkeley DB file (too short)');
  let le: boolean;
  if (file.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (file.readUInt32BE(12) === HASH_MAGIC) le = false;
  else throw new RpmDbError('not a Berkeley DB hash database');
  const u16 = (at: number): number => (le ? file.readUInt16LE(at) : file.readUInt16BE(at));
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));

  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw new RpmDbError(`implausible page size ${pageSize}`);
  if (file[25] !== P_HASHMETA) throw new RpmDbError('first page is not a hash metadata page');
  if (file[24] !== 0) throw new RpmDbError('encrypted Berkeley DB databases are not supported');
  const lastPgno = u32(32);
  const pages = Math.min(lastPgno + 1, Math.floor(file.length / pageSize));

  const values: Buffer[] = [];
  const problems: string[] = [];
  for (let pgno = 1; pgno < pages; pgno++) {
    const base = pgno * pageSize;
    const type = file[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) {
      problems.push(`page ${pgno}: implausible entry count ${entries}`);
      continue;
    }
    const offsets: number[] = [];
    for (let i = 0; i < entries; i++) offsets.push(u16(base + PAGE_HEADER + 2 * i));
    // Entries alternate key, data; items are packed from the end of the page towards the index.
    for (let i = 1; i < entries; i += 2) {
      const off = offsets[i]!;
      const end = offsets[i - 1]!;
      if (off < PAGE_HEADER + entries * 2 || off >= pageSize || end > pageSize || end <= off) {
        problems.push(`page ${pgno}: item ${i} has a bad offset`);
        continue;
      }
      const itemType = file[base + off];
      if (itemType === H_KEYDATA) {
        values.push(file.subarray(base + off + 1, base + end));
      } else if (itemType === H_OFFPAGE) {
        if (off + 12 > pageSize) {
          problems.push(`page ${pgno}: truncated off-page item`);
          continue;
        }
        const value = readOverflow(file, u16, u32, pageSize, pages, u32(base + off + 4), u32(base + off + 8));
        if (typeof value === 'string') problems.push(`page ${pgno}: ${value}`);
        else values.push(value);
      }
      // Duplicate sets (H_DUPLICATE, H_OFFDUP) are never used by rpm's Packages database.
    }
  }
  return { values, problems };
}

/** Follow an overflow chain; returns an error text when the chain is broken or inconsistent. */
function readOverflow(
  file: Buffer,
  u16: (at: number) => number,
  u32: (at: number) => number,
  pageSize: number,
  pages: number,
  first: number,
  total: number,
): Buffer | string {
  // The value cannot be longer than the pages that could hold it: bounds the allocation.
  if (total > pages * (pageSize - PAGE_HEADER)) return `overflow value of ${total} bytes exceeds the file`;
  const out = Buffer.alloc(total);
  let filled = 0;
  let pgno = first;
  for (let hops = 0; pgno !== 0; hops++) {
    if (pgno >= pages || hops >= pages) return `overflow chain from page ${first} is broken`;
    const base = pgno * pageSize;
    if (file[base + 25] !== P_OVERFLOW) return `page ${pgno} in an overflow chain is not an overflow page`;
    const len = u16(base + 22);
    if (len > pageSize - PAGE_HEADER || filled + len > total)
      return `overflow page ${pgno} holds more than the value's length`;
    file.copy(out, filled, base + PAGE_HEADER, base + PAGE_HEADER + len);
    filled += len;
    pgno = u32(base + 16);
  }
  if (filled !== total) return `overflow chain from page ${first} holds ${filled} of ${total} bytes`;
  return out;
}
