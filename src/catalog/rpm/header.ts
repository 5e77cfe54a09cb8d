/**
 * The RPM header blob as stored in every rpmdb backend: a big-endian index count and data length,
 * then that many 16-byte index entries (tag, type, offset, count) and the data store they point into.
 * Everything is bounds-checked before use: hostile counts or offsets give an error, never an
 * out-of-range read or an allocation larger than the blob itself.
 */

export const TagType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** The header tags this package reads (numbers from rpmtag.h). */
export const Tag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

/** rpm's own sanity limits (hdrchkTags / hdrchkData). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;
const ENTRY_SIZE = 16;
const FIXED_SIZE: Partial<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

export class RpmHeaderError extends Error {
  override readonly name = 'RpmHeaderError';
}

interface Entry {
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

/** A parsed header: typed accessors that return undefined for absent or mistyped tags. */
export class RpmHeader {
  private constructor(
    private readonly data: Buffer,
    private readonly entries: ReadonlyMap<number, Entry>,
  ) {}

  /** Parse a header blob (without the 8-byte magic used in package files). Throws {@link RpmHeaderError}. */
  static parse(blob: Buffer): RpmHeader {
    if (blob.length < 8) throw new RpmHeaderError(`header blob too short (${blob.length} bytes)`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il < 1 || il > MAX_TAGS) throw new RpmHeaderError(`implausible header index count ${il}`);
    if (dl > MAX_DATA) throw new RpmHeaderError(`implausible header data length ${dl}`);
    const dataStart = 8 + il * ENTRY_SIZE;
    if (dataStart + dl > blob.length)
      throw new RpmHeaderError(`header claims ${dataStart + dl} bytes but the blob has ${blob.length}`);
    const data = blob.subarray(dataStart, dataStart + dl);
    const entries = new Map<number, Entry>();
    for (let i = 0; i < il; i++) {
      const at = 8 + i * ENTRY_SIZE;
      const tag = blob.readUInt32BE(at);
      const type = blob.readUInt32BE(at + 4);
      const offset = blob.readUInt32BE(at + 8);
      const count = blob.readUInt32BE(at + 12);
      if (type > TagType.I18NSTRING) throw new RpmHeaderError(`tag ${tag}: unknown type ${type}`);
      if (offset > dl)
        throw new RpmHeaderError(`tag ${tag}: offset ${offset} outside the data (${dl} bytes)`);
      const fixed = FIXED_SIZE[type];
      // Each string is at least its NUL byte, so a count above the remaining bytes is impossible.
      const minBytes = fixed !== undefined ? fixed * count : type === TagType.NULL ? 0 : count;
      if (minBytes > dl - offset)
        throw new RpmHeaderError(`tag ${tag}: ${count} values do not fit in the data`);
      if (!entries.has(tag)) entries.set(tag, { type, offset, count });
    }
    return new RpmHeader(data, entries);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** STRING, or the first value of STRING_ARRAY / I18NSTRING. */
  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (
      !e ||
      (e.type !== TagType.STRING && e.type !== TagType.STRING_ARRAY && e.type !== TagType.I18NSTRING) ||
      e.count < 1
    )
      return undefined;
    return this.readStrings(tag, e, 1)[0];
  }

  strings(tag: number): string[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    if (e.type === TagType.STRING) return this.readStrings(tag, e, 1);
    if (e.type !== TagType.STRING_ARRAY && e.type !== TagType.I18NSTRING) return [];
    return this.readStrings(tag, e, e.count);
  }

  /** Integer values of an INT8/16/32/64 or CHAR tag (INT64 beyond 2^53 is rejected). */
  ints(tag: number): number[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    const out: number[] = new Array<number>(e.count);
    const d = this.data;
    for (let i = 0; i < e.count; i++) {
      switch (e.type) {
        case TagType.CHAR:
        case TagType.INT8:
          out[i] = d.readUInt8(e.offset + i);
          break;
        case TagType.INT16:
          out[i] = d.readUInt16BE(e.offset + 2 * i);
          break;
        case TagType.INT32:
          out[i] = d.readUInt32BE(e.offset + 4 * i);
          break;
        case TagType.INT64: {
          const v = d.readBigUInt64BE(e.offset + 8 * i);
          if (v > BigInt(Number.MAX_SAFE_INTEGER))
            throw new RpmHeaderError(`tag ${tag}: 64-bit value out of range`);
          out[i] = Number(v);
          break;
        }
        default:
          return [];
      }
    }
    return out;
  }

  int(tag: number): number | undefined {
    const e = this.entries.get(tag);
    return e && e.count > 0 ? this.ints(tag)[0] : undefined;
  }

  private readStrings(tag: number, e: Entry, count: number): string[] {
    const out: string[] = [];
    let pos = e.offset;
    for (let i = 0; i < count; i++) {
      const end = this.data.indexOf(0, pos);
      if (end < 0) throw new RpmHeaderError(`tag ${tag}: unterminated string`);
      out.push(this.data.toString('utf8', pos, end));
      pos = end + 1;
    }
    return out;
  }
}
