/**
 * Bounds-checked little/big-endian reads over a Buffer. Every read past the end throws a
 * {@link TruncatedError}, so a truncated or hostile binary yields one clear reason, never garbage.
 */

export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
}

export class ByteReader {
  constructor(
    readonly buf: Buffer,
    readonly littleEndian: boolean,
  ) {}

  private check(off: number, len: number): void {
    if (!Number.isSafeInteger(off) || off < 0 || len < 0 || off + len > this.buf.length) {
      throw new TruncatedError(
        `truncated binary: read of ${len} bytes at offset ${off} beyond ${this.buf.length}`,
      );
    }
  }

  u8(off: number): number {
    this.check(off, 1);
    return this.buf[off]!;
  }

  u16(off: number): number {
    this.check(off, 2);
    return this.littleEndian ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }

  u32(off: number): number {
    this.check(off, 4);
    return this.littleEndian ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  /** 64-bit read as a JS number; values beyond 2^53 throw (no real file is that large). */
  u64(off: number): number {
    this.check(off, 8);
    const v = this.littleEndian ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new TruncatedError(`64-bit value out of range at offset ${off}`);
    return Number(v);
  }

  /** A pointer-sized unsigned value. */
  ptr(off: number, size: 4 | 8): number {
    return size === 8 ? this.u64(off) : this.u32(off);
  }

  slice(off: number, len: number): Buffer {
    this.check(off, len);
    return this.buf.subarray(off, off + len);
  }

  /** A NUL-terminated (or fixed-width, NUL-padded) ASCII string of at most `max` bytes. */
  cstr(off: number, max: number): string {
    this.check(off, 0);
    const end = Math.min(this.buf.length, off + max);
    let i = off;
    while (i < end && this.buf[i] !== 0) i++;
    return this.buf.toString('latin1', off, i);
  }
}
