/**
 * A push-based streaming tar reader (POSIX ustar, GNU and PAX extensions). Bytes are pushed in with
 * {@link TarReader.write}; each entry header is offered to a callback that may return a sink for the
 * entry's content. Nothing is buffered beyond one 512-byte block and the (bounded) extension headers.
 *
 * Hand-written rather than taken from a library so that hostile archives are handled on our terms:
 * bounded PAX/long-name sizes, checksum verification, and a precise error for truncation.
 */
import type { ContentSink } from '../types.js';

export type TarEntryKind =
  | 'file'
  | 'hardlink'
  | 'symlink'
  | 'char'
  | 'block'
  | 'dir'
  | 'fifo'
  /** A GNU sparse file (old GNU `S` entries or PAX `GNU.sparse.*`): its data is a map, not the file. */
  | 'sparse'
  | 'other';

export interface TarHeader {
  /** The name exactly as stored (after PAX/GNU long-name overrides), not normalised. */
  readonly name: string;
  readonly kind: TarEntryKind;
  /** Content size of a regular file; the logical (expanded) size of a sparse file; 0 otherwise. */
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly linkName: string;
  /** Typeflag character, for diagnostics. */
  readonly typeflag: string;
}

export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

export const BLOCK = 512;
/** PAX and GNU long-name records are metadata: cap them so a hostile archive cannot make us buffer GBs. */
export const MAX_META_BYTES = 1024 * 1024;

type State =
  | { kind: 'header' }
  | { kind: 'data'; remaining: number; padding: number; sink: ContentSink | undefined }
  | {
      kind: 'meta';
      remaining: number;
      padding: number;
      chunks: Buffer[];
      type: 'pax' | 'gpax' | 'longname' | 'longlink';
    }
  | { kind: 'padding'; remaining: number }
  /** GNU sparse extension headers (512-byte blocks) between an `S` header and its data. */
  | { kind: 'sparseExt'; then: State }
  | { kind: 'done' };

export function parseOctal(buf: Buffer, off: number, len: number): number {
  // GNU base-256 encoding for large values: high bit of the first byte set.
  const first = buf[off] ?? 0;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = 1; i < len; i++) value = value * 256 + (buf[off + i] ?? 0);
    return value;
  }
  let i = off;
  const end = off + len;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x37) break;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : value;
}

export function cString(buf: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString('utf8', off, end);
}

export function checksumOk(block: Buffer): boolean {
  const stored = parseOctal(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function kindOf(flag: string): TarEntryKind {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
    case '':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
    case 'D': // GNU incremental dump directory: a directory whose data lists its names
      return 'dir';
    case 'S':
      return 'sparse';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

/** Parse PAX extended header records: "<len> <key>=<value>\n". */
export function parsePax(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < buf.length) {
    const sp = buf.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number.parseInt(buf.toString('ascii', pos, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > buf.length) break;
    const record = buf.toString('utf8', sp + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

export interface TarReaderOptions {
  /** Offered each entry; return a sink to receive the content of regular files. */
  onEntry(header: TarHeader): ContentSink | undefined | void;
}

export class TarReader {
  private state: State = { kind: 'header' };
  private pending: Buffer | undefined;
  private pax = new Map<string, string>();
  private globalPax = new Map<string, string>();
  private longName: string | undefined;
  private longLink: string | undefined;
  private zeroBlocks = 0;
  private entries = 0;

  constructor(private readonly options: TarReaderOptions) {}

  /** Number of entries seen so far. */
  get entryCount(): number {
    return this.entries;
  }

  /** True once the end-of-archive marker was read. */
  get finished(): boolean {
    return this.state.kind === 'done';
  }

  write(input: Uint8Array): void {
    let chunk = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let pos = 0;
    while (pos < chunk.length) {
      const st = this.state;
      switch (st.kind) {
        case 'done':
          return; // trailing bytes after the end marker are ignored (tar writers pad to records)
        case 'header': {
          if (chunk.length - pos < BLOCK) {
            this.pending = chunk.subarray(pos);
            return;
          }
          this.header(chunk.subarray(pos, pos + BLOCK));
          pos += BLOCK;
          break;
        }
        case 'data': {
          const n = Math.min(st.remaining, chunk.length - pos);
          if (n > 0) {
            st.sink?.write(chunk.subarray(pos, pos + n));
            st.remaining -= n;
            pos += n;
          }
          if (st.remaining === 0) {
            st.sink?.end();
            this.state = st.padding > 0 ? { kind: 'padding', remaining: st.padding } : { kind: 'header' };
          }
          break;
        }
        case 'meta': {
          const n = Math.min(st.remaining, chunk.length - pos);
          st.chunks.push(Buffer.from(chunk.subarray(pos, pos + n)));
          st.remaining -= n;
          pos += n;
          if (st.remaining === 0) {
            this.finishMeta(st.type, Buffer.concat(st.chunks));
            this.state = st.padding > 0 ? { kind: 'padding', remaining: st.padding } : { kind: 'header' };
          }
          break;
        }
        case 'sparseExt': {
          if (chunk.length - pos < BLOCK) {
            this.pending = chunk.subarray(pos);
            return;
          }
          // Byte 504 of each extension block says whether another one follows.
          const more = chunk[pos + 504] !== 0;
          pos += BLOCK;
          if (!more) this.state = st.then;
          break;
        }
        case 'padding': {
          const n = Math.min(st.remaining, chunk.length - pos);
          st.remaining -= n;
          pos += n;
          if (st.remaining === 0) this.state = { kind: 'header' };
          break;
        }
      }
    }
  }

  /** Signal end of input. Throws when the archive is truncated. */
  end(): void {
    const st = this.state;
    if (st.kind === 'data') {
      const err = new TarFormatError(`unexpected end of archive (${st.remaining} bytes of an entry missing)`);
      st.sink?.abort?.(err);
      throw err;
    }
    if (st.kind === 'meta') throw new TarFormatError('unexpected end of archive inside an extended header');
    if (st.kind === 'sparseExt') throw new TarFormatError('unexpected end of archive inside a sparse map');
    if (this.pending && this.pending.length > 0 && !this.pending.every((b) => b === 0)) {
      throw new TarFormatError('unexpected end of archive inside a header block');
    }
    // A missing end-of-archive marker is tolerated (many writers omit it) once at least one entry was read;
    // an input with no entries at all is not a tar.
    if (this.entries === 0 && this.zeroBlocks === 0)
      throw new TarFormatError('not a tar archive (no entries)');
  }

  private header(block: Buffer): void {
    if (isZeroBlock(block)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.state = { kind: 'done' };
      return;
    }
    if (this.zeroBlocks > 0) this.zeroBlocks = 0;
    if (!checksumOk(block)) {
      throw new TarFormatError(`invalid tar header checksum after ${this.entries} entries`);
    }
    const typeflag = String.fromCharCode(block[156] ?? 0);
    const size = parseOctal(block, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('invalid entry size');
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;

    // Extension headers: buffered (bounded) and applied to the next real entry.
    const metaType =
      typeflag === 'x'
        ? 'pax'
        : typeflag === 'g'
          ? 'gpax'
          : typeflag === 'L'
            ? 'longname'
            : typeflag === 'K'
              ? 'longlink'
              : undefined;
    if (metaType) {
      if (size > MAX_META_BYTES)
        throw new TarFormatError(`extended header of ${size} bytes exceeds the limit`);
      this.state =
        size > 0
          ? { kind: 'meta', remaining: size, padding, chunks: [], type: metaType }
          : { kind: 'header' };
      if (size === 0) this.finishMeta(metaType, Buffer.alloc(0));
      return;
    }

    let name = cString(block, 0, 100);
    // POSIX ustar ("ustar\0" + "00") has a name prefix at 345. GNU headers ("ustar  \0") use those
    // bytes for atime, ctime, the multi-volume offset and the sparse map: reading them as a prefix
    // would turn an incremental archive's "etc/passwd" into "14736260712/etc/passwd".
    const gnu = block.toString('ascii', 257, 263) === 'ustar ';
    if (!gnu && block.toString('ascii', 257, 262) === 'ustar') {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let linkName = cString(block, 157, 100);
    let realSize = size;
    let mtime = parseOctal(block, 136, 12);
    let uid = parseOctal(block, 108, 8);
    let gid = parseOctal(block, 116, 8);
    const pax =
      this.pax.size > 0 || this.globalPax.size > 0 ? new Map([...this.globalPax, ...this.pax]) : undefined;
    if (this.longName !== undefined) name = this.longName;
    if (this.longLink !== undefined) linkName = this.longLink;
    if (pax) {
      const p = pax.get('path');
      if (p !== undefined) name = p;
      const l = pax.get('linkpath');
      if (l !== undefined) linkName = l;
      const s = pax.get('size');
      if (s !== undefined && /^\d+$/.test(s)) realSize = Number(s);
      const m = pax.get('mtime');
      if (m !== undefined && Number.isFinite(Number(m))) mtime = Math.floor(Number(m));
      const u = pax.get('uid');
      if (u !== undefined && /^\d+$/.test(u)) uid = Number(u);
      const g = pax.get('gid');
      if (g !== undefined && /^\d+$/.test(g)) gid = Number(g);
    }
    let kind = kindOf(typeflag);
    // The stored size (what follows the header) is skipped as such; `logicalSize` is the file's size.
    let logicalSize = realSize;
    let sparseExtension = false;
    if (kind === 'sparse') {
      logicalSize = parseOctal(block, 483, 12);
      sparseExtension = block[482] !== 0;
    } else if (
      pax &&
      (pax.has('GNU.sparse.major') || pax.has('GNU.sparse.map') || pax.has('GNU.sparse.numblocks'))
    ) {
      // PAX sparse formats 0.x and 1.0: the data holds the map (1.0) and the non-hole chunks.
      kind = 'sparse';
      const sparseName = pax.get('GNU.sparse.name');
      if (sparseName !== undefined) name = sparseName;
      const sz = pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size');
      if (sz !== undefined && /^\d+$/.test(sz)) logicalSize = Number(sz);
    }
    this.pax = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    if (!Number.isSafeInteger(realSize) || realSize < 0) throw new TarFormatError('invalid entry size');

    // The size field is authoritative for skipping whatever follows the header (GNU sparse and unknown
    // types included); only regular files hand their data to a sink.
    const dataSize = realSize;
    const header: TarHeader = {
      name,
      kind,
      size: kind === 'file' ? realSize : kind === 'sparse' ? logicalSize : 0,
      mode: parseOctal(block, 100, 8) & 0o7777,
      uid,
      gid,
      mtime,
      linkName,
      typeflag,
    };
    this.entries++;
    const sink = this.options.onEntry(header) ?? undefined;
    const pad = (BLOCK - (dataSize % BLOCK)) % BLOCK;
    let next: State;
    if (dataSize > 0) {
      next = {
        kind: 'data',
        remaining: dataSize,
        padding: pad,
        sink: kind === 'file' ? sink : undefined,
      };
    } else {
      sink?.end();
      next = { kind: 'header' };
    }
    this.state = sparseExtension ? { kind: 'sparseExt', then: next } : next;
  }

  private finishMeta(type: 'pax' | 'gpax' | 'longname' | 'longlink', buf: Buffer): void {
    switch (type) {
      case 'pax':
        this.pax = parsePax(buf);
        break;
      case 'gpax':
        this.globalPax = parsePax(buf);
        break;
      case 'longname':
        this.longName = cString(buf, 0, buf.length);
        break;
      case 'longlink':
        this.longLink = cString(buf, 0, buf.length);
        break;
    }
  }
}
