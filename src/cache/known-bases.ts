/**
 * The images Bulwark has scanned (and the candidates `recommendations` pulled), remembered beside the
 * layer cache as possible base images: a later image whose leading layers are exactly one of these
 * images' layers was built on it. One small JSON file (`known-bases.json` in the cache folder), written
 * atomically; a damaged file is treated as empty and rewritten. At most {@link MAX_KNOWN_BASES} images are
 * kept, the least recently seen dropped first.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownBase, KnownBaseOrigin, KnownBases } from '../model/base-image.js';
import type { ImageMetadata } from '../source/types.js';

export const KNOWN_BASES_FILE = 'known-bases.json';
export const MAX_KNOWN_BASES = 2000;
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const FORMAT = 1;

interface StoredBase {
  name: string;
  digest?: string;
  diffIds: string[];
  origin: Exclude<KnownBaseOrigin, 'catalogue'>;
  /** When it was last recorded (ISO 8601). */
  seen: string;
}

const isDigest = (s: unknown): s is string => typeof s === 'string' && /^[a-z0-9]+:[a-f0-9]{32,}$/.test(s);

function validEntry(e: unknown): e is StoredBase {
  const r = e as Partial<StoredBase> | null;
  return (
    typeof r?.name === 'string' &&
    r.name.length > 0 &&
    (r.digest === undefined || isDigest(r.digest)) &&
    Array.isArray(r.diffIds) &&
    r.diffIds.length > 0 &&
    r.diffIds.every(isDigest) &&
    (r.origin === 'scanned' || r.origin === 'pulled') &&
    typeof r.seen === 'string'
  );
}

/** The name an image is remembered by: its first tag, else its first digest reference, else the target. */
export function knownBaseName(image: ImageMetadata, target: string): string {
  return image.repoTags[0] ?? image.repoDigests[0] ?? target;
}

/** The known-bases file of a cache folder, as a {@link KnownBases} lookup that can also record images. */
export class KnownBaseStore implements KnownBases {
  readonly path: string;
  private entries: StoredBase[] | undefined;

  constructor(
    readonly dir: string,
    private readonly max = MAX_KNOWN_BASES,
  ) {
    this.path = join(dir, KNOWN_BASES_FILE);
  }

  private load(): StoredBase[] {
    if (this.entries) return this.entries;
    let out: StoredBase[] = [];
    try {
      if (statSync(this.path).size <= MAX_FILE_BYTES) {
        const doc = JSON.parse(readFileSync(this.path, 'utf8')) as { format?: unknown; images?: unknown };
        if (doc.format === FORMAT && Array.isArray(doc.images)) out = doc.images.filter(validEntry);
      }
    } catch {
      // Missing or damaged: start empty (the next record rewrites it).
    }
    this.entries = out;
    return out;
  }

  private toKnown(e: StoredBase): KnownBase {
    return { name: e.name, ...(e.digest ? { digest: e.digest } : {}), diffIds: e.diffIds, origin: e.origin };
  }

  byFirstLayer(diffId: string): readonly KnownBase[] {
    return this.load()
      .filter((e) => e.diffIds[0] === diffId)
      .map((e) => this.toKnown(e));
  }

  byDigest(digest: string): readonly KnownBase[] {
    return this.load()
      .filter((e) => e.digest === digest)
      .map((e) => this.toKnown(e));
  }

  /** Every remembered image, most recently seen first. */
  list(): readonly KnownBase[] {
    return [...this.load()]
      .sort((a, b) => (a.seen < b.seen ? 1 : a.seen > b.seen ? -1 : 0))
      .map((e) => this.toKnown(e));
  }

  /**
   * Remember an image (name, manifest digest, layers). The same name and layers seen again only
   * refreshes when it was seen. Failures to write are ignored: the store is a cache.
   */
  record(
    entry: { name: string; digest?: string; diffIds: readonly string[]; origin: 'scanned' | 'pulled' },
    now = new Date(),
  ): void {
    if (entry.diffIds.length === 0 || !entry.diffIds.every(isDigest)) return;
    if (entry.digest !== undefined && !isDigest(entry.digest)) return;
    // Re-read so that records written by another process meanwhile are kept.
    this.entries = undefined;
    const key = (e: { name: string; diffIds: readonly string[] }): string =>
      `${e.name}\0${e.diffIds.join(',')}`;
    const k = key(entry);
    const kept = this.load().filter((e) => key(e) !== k);
    const stored: StoredBase = {
      name: entry.name,
      ...(entry.digest ? { digest: entry.digest } : {}),
      diffIds: [...entry.diffIds],
      origin: entry.origin,
      seen: now.toISOString(),
    };
    const next = [stored, ...kept].slice(0, this.max);
    this.entries = next;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: FORMAT, images: next }));
      renameSync(tmp, this.path);
    } catch {
      // A read-only or full cache folder only means the image is not remembered.
    }
  }

  /** Forget every image (part of `bulwark cache clean`); returns whether there was a file. */
  clean(): boolean {
    this.entries = [];
    try {
      statSync(this.path);
    } catch {
      return false;
    }
    rmSync(this.path, { force: true });
    return true;
  }
}
