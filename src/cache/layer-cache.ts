/**
 * Per-layer cache of catalog input: for one layer (by diff ID, the digest of its uncompressed tar), the
 * entry headers it contained, the bytes of the files catalogers asked for, and the problems found while
 * reading it. Replaying these into the catalog collector is equivalent to reading the layer again, so
 * a warm scan does not open, decompress or hash cached layers at all.
 *
 * The key folds in the cataloger ids and versions (and the per-file cap): bumping a cataloger's version
 * changes which files are kept, so old entries simply stop being found.
 *
 * File format (version {@link CACHE_FORMAT}), written atomically (temp file + rename):
 *   "BWLAYER\0" | u32 format | u32 header length | header JSON | payload
 * header: `{ key, diffId, created, payloadBytes, payloadSha256 }`; payload: `u32 json length | JSON
 * { entries, lengths, problems } | file contents back to back`, uncompressed: the kept files are mostly
 * executables (compressing them cost more time than a cold scan's whole catalog stage, for half the
 * size), and a warm scan then costs one read and one checksum. Every read checks the
 * magic, format, key, sizes and checksum and validates the JSON; anything wrong means "miss" (the file
 * is removed and rewritten by the scan), never an error.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { BlobTrust, EntryHeader, EntryType } from '../source/types.js';

export const CACHE_FORMAT = 1;
const MAGIC = Buffer.from('BWLAYER\0', 'latin1');
/** Largest layer record we write or read (uncompressed). */
export const MAX_LAYER_RECORD_BYTES = 256 * 1024 * 1024;
/** Oldest files are evicted once the cache grows beyond this. */
export const DEFAULT_CACHE_LIMIT_BYTES = 2 * 1024 * 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
const SUFFIX = '.bwl';

const TYPES: readonly EntryType[] = [
  'file',
  'dir',
  'symlink',
  'hardlink',
  'char',
  'block',
  'fifo',
  'whiteout',
  'opaque',
];

/** One recorded entry; `content` is the index into {@link LayerRecord.contents}, or -1. */
export interface RecordedEntry {
  readonly header: EntryHeader;
  content: number;
}

export interface LayerRecord {
  readonly entries: RecordedEntry[];
  readonly contents: Buffer[];
  readonly problems: { readonly path?: string; readonly reason: string }[];
}

export interface LayerCacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Cache files that failed validation (ignored and removed). */
  corrupt: number;
}

/** `sha256` of the cataloger set: part of every layer key. */
export function catalogerKey(
  catalogers: readonly { id: string; version: number }[],
  maxFileSize: number,
  extra = '',
): string {
  const ids = catalogers.map((c) => `${c.id}@${c.version}`).sort();
  return createHash('sha256')
    .update(JSON.stringify({ format: CACHE_FORMAT, ids, maxFileSize, extra }))
    .digest('hex');
}

type Packed = [string, number, number, number, number, number, number | null, string | null, number];

function pack(e: RecordedEntry): Packed {
  const h = e.header;
  return [
    h.path,
    TYPES.indexOf(h.type),
    h.size,
    h.mode,
    h.uid,
    h.gid,
    h.mtime ?? null,
    h.linkTarget ?? null,
    e.content,
  ];
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

function unpack(p: unknown, contents: number): RecordedEntry | undefined {
  if (!Array.isArray(p) || p.length !== 9) return undefined;
  const [path, type, size, mode, uid, gid, mtime, link, content] = p as unknown[];
  if (typeof path !== 'string' || !path.startsWith('/')) return undefined;
  if (!isInt(type) || type < 0 || type >= TYPES.length) return undefined;
  if (!isInt(size) || size < 0 || !isInt(mode) || !isInt(uid) || !isInt(gid)) return undefined;
  if (mtime !== null && typeof mtime !== 'number') return undefined;
  if (link !== null && typeof link !== 'string') return undefined;
  if (!isInt(content) || content < -1 || content >= contents) return undefined;
  const header: EntryHeader = {
    path,
    type: TYPES[type]!,
    size,
    mode,
    uid,
    gid,
    ...(mtime !== null ? { mtime } : {}),
    ...(link !== null ? { linkTarget: link } : {}),
  };
  return { header, content };
}

export interface LayerCacheOptions {
  readonly limitBytes?: number;
}

const VERIFIED_SUFFIX = '.bwv';

/**
 * Blobs known good: an empty `<sha256 of the stamp>.bwv` file per layer blob that was read with its
 * digest and diff ID verified, where the stamp is the blob's digests, location, size, inode, mtime and
 * ctime. A warm scan trusts a cached layer only when its blob's current stamp is one of these, so
 * checking costs one stat per layer; any change to the blob file (even a same-size edit with the mtime
 * put back, which still moves the ctime) makes the layer be read and verified again.
 */
export class VerifiedBlobs implements BlobTrust {
  constructor(readonly dir: string) {}

  private pathFor(stamp: string): string {
    return join(this.dir, `${createHash('sha256').update(stamp).digest('hex')}${VERIFIED_SUFFIX}`);
  }

  isVerified(stamp: string): boolean {
    return existsSync(this.pathFor(stamp));
  }

  recordVerified(stamp: string): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(this.pathFor(stamp), '', { mode: 0o600 });
    } catch {
      // Not remembering only costs a re-read next time.
    }
  }
}

/** The cache folder `<cache dir>/layers`. */
export class LayerCache {
  readonly stats: LayerCacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0 };
  /** Which layer blobs were verified (see {@link VerifiedBlobs}); pass as the walk's `trust`. */
  readonly verified: VerifiedBlobs;
  private readonly limit: number;

  constructor(
    readonly dir: string,
    options: LayerCacheOptions = {},
  ) {
    this.limit = options.limitBytes ?? DEFAULT_CACHE_LIMIT_BYTES;
    this.verified = new VerifiedBlobs(dir);
  }

  private fileKey(diffId: string, key: string): string {
    return createHash('sha256').update(`${diffId}\u0000${key}`).digest('hex');
  }

  private pathFor(fileKey: string): string {
    return join(this.dir, `${fileKey}${SUFFIX}`);
  }

  /** The cached record of a layer, or undefined (miss, or an invalid file, which is removed). */
  read(diffId: string, key: string): LayerRecord | undefined {
    const fk = this.fileKey(diffId, key);
    const path = this.pathFor(fk);
    let buf: Buffer;
    try {
      if (statSync(path).size > MAX_LAYER_RECORD_BYTES + MAX_HEADER_BYTES) throw new Error('too large');
      buf = readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.discard(path);
      this.stats.misses++;
      return undefined;
    }
    const record = this.decode(buf, fk, diffId);
    if (!record) {
      this.discard(path);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return record;
  }

  private discard(path: string): void {
    this.stats.corrupt++;
    rmSync(path, { force: true });
  }

  private decode(buf: Buffer, fk: string, diffId: string): LayerRecord | undefined {
    try {
      if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) return undefined;
      if (buf.readUInt32BE(8) !== CACHE_FORMAT) return undefined;
      const hlen = buf.readUInt32BE(12);
      if (hlen > MAX_HEADER_BYTES || 16 + hlen > buf.length) return undefined;
      const header = JSON.parse(buf.subarray(16, 16 + hlen).toString('utf8')) as Record<string, unknown>;
      const payload = buf.subarray(16 + hlen);
      if (header.key !== fk || header.diffId !== diffId || header.payloadBytes !== payload.length)
        return undefined;
      if (createHash('sha256').update(payload).digest('hex') !== header.payloadSha256) return undefined;
      const raw = payload;
      if (raw.length < 4) return undefined;
      const jlen = raw.readUInt32BE(0);
      if (4 + jlen > raw.length) return undefined;
      const doc = JSON.parse(raw.subarray(4, 4 + jlen).toString('utf8')) as {
        entries?: unknown;
        lengths?: unknown;
        problems?: unknown;
      };
      if (!Array.isArray(doc.entries) || !Array.isArray(doc.lengths) || !Array.isArray(doc.problems))
        return undefined;
      const contents: Buffer[] = [];
      let at = 4 + jlen;
      for (const n of doc.lengths as unknown[]) {
        if (!isInt(n) || n < 0 || at + n > raw.length) return undefined;
        contents.push(raw.subarray(at, at + n));
        at += n;
      }
      if (at !== raw.length) return undefined;
      const entries: RecordedEntry[] = [];
      for (const p of doc.entries as unknown[]) {
        const e = unpack(p, contents.length);
        if (!e) return undefined;
        entries.push(e);
      }
      const problems: LayerRecord['problems'] = [];
      for (const p of doc.problems as unknown[]) {
        if (typeof p !== 'object' || p === null) return undefined;
        const { path, reason } = p as { path?: unknown; reason?: unknown };
        if (typeof reason !== 'string' || (path !== undefined && typeof path !== 'string')) return undefined;
        problems.push(path !== undefined ? { path, reason } : { reason });
      }
      return { entries, contents, problems };
    } catch {
      return undefined;
    }
  }

  /** Store a layer's record atomically. Oversized records are not cached; write failures are ignored. */
  write(diffId: string, key: string, record: LayerRecord): boolean {
    const contentBytes = record.contents.reduce((n, c) => n + c.length, 0);
    const json = Buffer.from(
      JSON.stringify({
        entries: record.entries.map(pack),
        lengths: record.contents.map((c) => c.length),
        problems: record.problems,
      }),
      'utf8',
    );
    const rawBytes = 4 + json.length + contentBytes;
    if (rawBytes > MAX_LAYER_RECORD_BYTES) return false;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    // Hashed and written part by part: no second copy of the file contents.
    const parts = [len, json, ...record.contents];
    const hash = createHash('sha256');
    for (const p of parts) hash.update(p);
    const fk = this.fileKey(diffId, key);
    const header = Buffer.from(
      JSON.stringify({
        key: fk,
        diffId,
        created: new Date().toISOString(),
        payloadBytes: rawBytes,
        payloadSha256: hash.digest('hex'),
      }),
      'utf8',
    );
    const head = Buffer.alloc(16);
    MAGIC.copy(head, 0);
    head.writeUInt32BE(CACHE_FORMAT, 8);
    head.writeUInt32BE(header.length, 12);
    const path = this.pathFor(fk);
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        for (const part of [head, header, ...parts]) writeAll(fd, part);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs speed.
      rmSync(tmp, { force: true });
      return false;
    }
    this.stats.writes++;
    this.evict();
    return true;
  }

  /** Files and total size of the cache (`layers`/`images`: per-layer and whole-image records). */
  status(): { files: number; bytes: number; dir: string; layers: number; images: number } {
    const files = this.list();
    return {
      files: files.length,
      bytes: files.reduce((n, f) => n + f.size, 0),
      dir: this.dir,
      layers: files.filter((f) => f.path.endsWith(SUFFIX)).length,
      images: files.filter((f) => f.path.endsWith('.bws')).length,
    };
  }

  /** Remove every cache file; returns what was removed. */
  clean(): { files: number; bytes: number } {
    // Verification marks (empty files) go too, without being counted as cache files.
    for (const f of this.list(true)) if (f.path.endsWith(VERIFIED_SUFFIX)) rmSync(f.path, { force: true });
    const files = this.list();
    for (const f of files) rmSync(f.path, { force: true });
    return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
  }

  private list(withVerified = false): { path: string; size: number; mtime: number }[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: { path: string; size: number; mtime: number }[] = [];
    for (const name of names) {
      // `.bws` files are whole-image results (./sbom-cache.ts), `.bwm` match results
      // (../engine/match-cache.ts), kept in the same folder.
      const verified = name.endsWith(VERIFIED_SUFFIX);
      if (verified && !withVerified) continue;
      if (
        !verified &&
        !name.endsWith(SUFFIX) &&
        !name.endsWith('.bws') &&
        !name.endsWith('.bwm') &&
        !name.endsWith('.tmp')
      )
        continue;
      try {
        const st = statSync(join(this.dir, name));
        if (st.isFile()) out.push({ path: join(this.dir, name), size: st.size, mtime: st.mtimeMs });
      } catch {
        // removed concurrently
      }
    }
    return out.sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path));
  }

  /** Keep the cache under its limit by removing the least recently written files. */
  private evict(): void {
    const files = this.list();
    let total = files.reduce((n, f) => n + f.size, 0);
    for (const f of files) {
      if (total <= this.limit) break;
      rmSync(f.path, { force: true });
      total -= f.size;
    }
  }
}

/** writeSync may write less than asked: loop until the buffer is out. */
function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
}
