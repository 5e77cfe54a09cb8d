/**
 * Streaming zstd decompression with bounded memory.
 *
 * Node 22.15+/23.8+ ships a native streaming zstd decoder in zlib (which honours back-pressure and caps
 * the window like the reference `zstd` CLI); Node 20 has none, so we fall back to fzstd. fzstd's
 * `Decompress.push` decodes *every* block of the bytes it is given before returning, and a zstd block
 * of 4 stored bytes (an RLE block) can stand for 128 KiB of output: one 64 KiB read of a hostile layer
 * would come out as ~2 GiB in one synchronous call, before any guard downstream could look at it. So
 * the fallback walks the frame and block headers itself and feeds fzstd at most
 * {@link MAX_BLOCKS_PER_PUSH} blocks at a time, handing their output downstream (and waiting for it to be
 * consumed) before decoding more. It also refuses frames whose window is larger than the limit before
 * fzstd allocates it (fzstd would otherwise allocate up to 2 GiB per frame on the word of the header).
 */
import { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';

/**
 * Largest window accepted by the native decoder: the reference `zstd` CLI's default decompression memory
 * limit (`--memory=128MB`, windowLog 27).
 */
export const DEFAULT_MAX_ZSTD_WINDOW = 128 * 1024 * 1024;
/**
 * Largest window accepted by the fzstd fallback. fzstd slides its whole window buffer after every block
 * (a memmove of the window size), so decoding costs window/128 KiB times the output: fine at 8 MiB (the
 * largest window of `zstd` levels 1–19, and RFC 9659's limit for zstd over HTTP), minutes per
 * gigabyte at 128 MiB. Streams made with `--ultra`/`--long` need Node ≥ 22.15 (native zstd).
 */
export const FALLBACK_MAX_ZSTD_WINDOW = 8 * 1024 * 1024;
/**
 * Decoding work allowed (bytes moved by fzstd's window slide) beyond {@link WORK_PER_OUTPUT_BYTE} per
 * byte of output: a stream of tiny blocks with a large window would otherwise burn CPU without ever
 * producing enough output for the decompression-bomb guard to notice.
 */
export const FALLBACK_BASE_WORK = 4 * 1024 ** 3;
/** Full 128 KiB blocks with an 8 MiB window cost 64 bytes of window slide per output byte. */
export const WORK_PER_OUTPUT_BYTE = 64;
/** Output of one push is at most this many blocks (each ≤ 128 KiB): ≤ 1 MiB in flight per step. */
export const MAX_BLOCKS_PER_PUSH = 8;
const MAX_BLOCK = 128 * 1024;

/**
 * A malformed zstd stream (`E_CORRUPT_COMPRESSION`), or one refused because decoding it would take
 * unbounded memory or time (`E_DECOMPRESSION_BOMB`). The message starts with `zstd:`.
 */
export class ZstdFormatError extends Error {
  override readonly name = 'ZstdFormatError';
  constructor(
    message: string,
    readonly code: 'E_CORRUPT_COMPRESSION' | 'E_DECOMPRESSION_BOMB' = 'E_CORRUPT_COMPRESSION',
  ) {
    super(`zstd: ${message}`);
  }
}

type ScanState =
  | { kind: 'magic' }
  | { kind: 'frameHeader'; need: number }
  | { kind: 'skippableSize' }
  | { kind: 'skip'; remaining: number; then: 'magic' | 'block' }
  | { kind: 'block' };

/**
 * Walks zstd frame and block headers over a stream of compressed bytes (without decoding them) to find
 * where blocks end, and validates the window and block sizes. Exported for tests.
 */
export class ZstdFrameScanner {
  private state: ScanState = { kind: 'magic' };
  /** Bytes of an incomplete header carried over to the next chunk. */
  private carry = Buffer.alloc(0);
  private blockMax = MAX_BLOCK;
  private checksum = false;
  private lastBlock = false;
  private window = 0;
  /** Sum over the blocks seen of their frame's window size: what fzstd's window slide costs. */
  work = 0;

  constructor(private readonly maxWindow = DEFAULT_MAX_ZSTD_WINDOW) {}

  /** True when the bytes fed so far end exactly between frames. */
  get atFrameBoundary(): boolean {
    return this.state.kind === 'magic' && this.carry.length === 0;
  }

  /**
   * Feed the next chunk; returns the offsets (within `chunk`, ascending) just after each block or frame
   * that ends inside it, each with the value of {@link work} once the decoder got that far.
   */
  feed(chunk: Buffer): { end: number; work: number }[] {
    const cuts: { end: number; work: number }[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const st = this.state;
      if (st.kind === 'skip') {
        const n = Math.min(st.remaining, chunk.length - pos);
        st.remaining -= n;
        pos += n;
        if (st.remaining === 0) {
          this.state = st.then === 'block' ? { kind: 'block' } : { kind: 'magic' };
          cuts.push({ end: pos, work: this.work });
        }
        continue;
      }
      const need =
        st.kind === 'magic' ? 4 : st.kind === 'frameHeader' ? st.need : st.kind === 'skippableSize' ? 4 : 3;
      const take = Math.min(need - this.carry.length, chunk.length - pos);
      this.carry = Buffer.concat([this.carry, chunk.subarray(pos, pos + take)]);
      pos += take;
      if (this.carry.length < need) break;
      const h = this.carry;
      this.carry = Buffer.alloc(0);
      switch (st.kind) {
        case 'magic': {
          const magic = h.readUInt32LE(0);
          if (magic === 0xfd2fb528) {
            // The frame header descriptor decides how long the rest of the header is; read it first.
            this.state = { kind: 'frameHeader', need: 1 };
          } else if (magic >>> 4 === 0x184d2a5) {
            this.state = { kind: 'skippableSize' };
          } else {
            throw new ZstdFormatError('not a zstd frame (bad magic number)');
          }
          break;
        }
        case 'frameHeader': {
          if (st.need === 1) {
            const fhd = h[0]!;
            if (fhd & 0x08) throw new ZstdFormatError('reserved bit set in a frame header');
            const single = (fhd >> 5) & 1;
            const fcsBytes = [single ? 1 : 0, 2, 4, 8][fhd >> 6]!;
            const dictBytes = [0, 1, 2, 4][fhd & 3]!;
            const rest = (single ? 0 : 1) + dictBytes + fcsBytes;
            this.carry = h; // keep the descriptor: the full header is parsed at once below
            // rest ≥ 1: either the window descriptor or (single segment) the content size follows.
            this.state = { kind: 'frameHeader', need: 1 + rest };
            break;
          }
          this.frameHeader(h);
          break;
        }
        case 'skippableSize':
          this.state = { kind: 'skip', remaining: h.readUInt32LE(0), then: 'magic' };
          if (h.readUInt32LE(0) === 0) {
            this.state = { kind: 'magic' };
            cuts.push({ end: pos, work: this.work });
          }
          break;
        case 'block': {
          const b = h[0]! | (h[1]! << 8) | (h[2]! << 16);
          this.lastBlock = (b & 1) === 1;
          const type = (b >> 1) & 3;
          const size = b >>> 3;
          if (type === 3) throw new ZstdFormatError('reserved block type');
          // Raw and RLE blocks regenerate `size` bytes; a compressed block stores `size` bytes and may
          // not be larger than the maximum block either (format spec, "Block_Size").
          if (size > this.blockMax)
            throw new ZstdFormatError(`block of ${size} bytes exceeds the ${this.blockMax}-byte maximum`);
          this.work += this.window;
          const stored = type === 1 ? 1 : size;
          const after = this.lastBlock ? (this.checksum ? 4 : 0) : 0;
          if (stored + after === 0) {
            this.state = this.lastBlock ? { kind: 'magic' } : { kind: 'block' };
            cuts.push({ end: pos, work: this.work });
          } else if (stored === 0) {
            this.state = { kind: 'skip', remaining: after, then: 'magic' };
          } else {
            // A block's checksum tail (last block) is part of the same skip.
            this.state = {
              kind: 'skip',
              remaining: stored + after,
              then: this.lastBlock ? 'magic' : 'block',
            };
          }
          break;
        }
      }
    }
    return cuts;
  }

  private frameHeader(h: Buffer): void {
    const fhd = h[0]!;
    const single = (fhd >> 5) & 1;
    this.checksum = ((fhd >> 2) & 1) === 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = [single ? 1 : 0, 2, 4, 8][fhd >> 6]!;
    let off = 1;
    let window: number;
    if (!single) {
      const wd = h[off++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    } else {
      window = 0;
    }
    off += dictBytes;
    if (single) {
      let fcs = 0;
      for (let i = fcsBytes - 1; i >= 0; i--) fcs = fcs * 256 + h[off + i]!;
      if (fcsBytes === 2) fcs += 256;
      window = fcs;
    }
    if (window > this.maxWindow) {
      throw new ZstdFormatError(
        `frame window of ${window} bytes exceeds the ${this.maxWindow}-byte limit of this decoder`,
        'E_DECOMPRESSION_BOMB',
      );
    }
    this.window = window;
    this.blockMax = Math.min(MAX_BLOCK, Math.max(window, 1));
    this.state = { kind: 'block' };
  }
}

/** Whether this Node has a native streaming zstd decoder (zlib, Node ≥ 22.15 / 23.8). */
export function nativeZstdAvailable(): boolean {
  return typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
}

export interface ZstdDecoderOptions {
  /** Largest frame window accepted (default {@link DEFAULT_MAX_ZSTD_WINDOW}). */
  readonly maxWindow?: number;
  /** Use fzstd even where zlib has zstd (tests exercise both). */
  readonly forceFallback?: boolean;
}

/**
 * A Transform from zstd-compressed bytes to decompressed bytes that holds at most about 1 MiB of output
 * beyond the readable buffer, and decodes only while the consumer keeps up.
 */
export function createZstdDecoder(options: ZstdDecoderOptions = {}): Transform {
  if (!options.forceFallback && nativeZstdAvailable()) {
    const maxWindow = options.maxWindow ?? DEFAULT_MAX_ZSTD_WINDOW;
    type Native = (o: zlib.ZlibOptions & { params?: Record<number, number> }) => Transform;
    const create = (zlib as unknown as { createZstdDecompress: Native }).createZstdDecompress;
    const windowLogMax = (zlib.constants as Record<string, number>).ZSTD_d_windowLogMax;
    return create({
      chunkSize: 256 * 1024,
      ...(windowLogMax !== undefined ? { params: { [windowLogMax]: Math.floor(Math.log2(maxWindow)) } } : {}),
    });
  }
  return fzstdTransform(options.maxWindow ?? FALLBACK_MAX_ZSTD_WINDOW);
}

function fzstdTransform(maxWindow: number): Transform {
  const scanner = new ZstdFrameScanner(maxWindow);
  let pending: Buffer[] = [];
  let produced = 0;
  const dec = new Decompress((data: Uint8Array) => {
    // fzstd hands each block over once (a fresh array): it can be passed on without a copy.
    produced += data.byteLength;
    if (data.byteLength > 0) pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  let resume: (() => void) | undefined;
  const out: Transform = new Transform({
    // Small buffer: a paused consumer stops decoding after about one step.
    readableHighWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _enc, cb) {
      let cuts: { end: number; work: number }[];
      try {
        cuts = scanner.feed(chunk);
      } catch (err) {
        cb(err as Error);
        return;
      }
      // Split the chunk after every MAX_BLOCKS_PER_PUSH-th block; the tail (an incomplete block) is
      // pushed too: fzstd keeps it until the rest arrives.
      const pieces: { bytes: Buffer; work: number }[] = [];
      let start = 0;
      for (let i = MAX_BLOCKS_PER_PUSH - 1; i < cuts.length; i += MAX_BLOCKS_PER_PUSH) {
        pieces.push({ bytes: chunk.subarray(start, cuts[i]!.end), work: cuts[i]!.work });
        start = cuts[i]!.end;
      }
      if (start < chunk.length) pieces.push({ bytes: chunk.subarray(start), work: scanner.work });
      let i = 0;
      const step = (): void => {
        try {
          while (i < pieces.length) {
            const piece = pieces[i++]!;
            dec.push(piece.bytes);
            if (piece.work > FALLBACK_BASE_WORK + WORK_PER_OUTPUT_BYTE * produced) {
              throw new ZstdFormatError(
                `decoding ${produced} bytes took ${piece.work} bytes of window work (tiny blocks in a large window)`,
                'E_DECOMPRESSION_BOMB',
              );
            }
            const ready = pending;
            pending = [];
            let more = true;
            for (const b of ready) more = out.push(b) && more;
            if (!more) {
              // The consumer is behind: continue when it reads again (`read` below).
              resume = step;
              return;
            }
          }
          cb();
        } catch (err) {
          cb(err instanceof ZstdFormatError ? err : new ZstdFormatError(String((err as Error).message)));
        }
      };
      step();
    },
    flush(cb) {
      try {
        if (!scanner.atFrameBoundary) throw new ZstdFormatError('truncated stream (frame not complete)');
        dec.push(new Uint8Array(0), true);
        for (const b of pending) out.push(b);
        pending = [];
        cb();
      } catch (err) {
        cb(
          err instanceof ZstdFormatError
            ? err
            : new ZstdFormatError(`truncated or corrupt stream (${(err as Error).message})`),
        );
      }
    },
  });
  // Transform calls _read when the consumer wants more; resume a paused step first.
  const read = out._read.bind(out);
  out._read = (size: number): void => {
    const r = resume;
    if (r) {
      resume = undefined;
      r();
      return;
    }
    read(size);
  };
  return out;
}
