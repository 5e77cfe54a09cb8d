/**
 * Bounded reading of zip archives (the OSV export's `all.zip`): the entry count, each entry's size and
 * the total uncompressed size are capped before anything is inflated, and the shared zip reader checks
 * that entries really inflate to their declared size, so a zip bomb or a lying header ends with a clear
 * error. The archive is read from disk one entry at a time; memory follows the largest entry.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import {
  openZipFile,
  readZipDirectory,
  readZipEntry,
  type ZipDirectory,
  type ZipEntry,
} from '../util/zip.js';

export interface ZipLimits {
  /** Maximum number of entries in the archive. */
  readonly maxEntries: number;
  /** Maximum uncompressed size of one entry. */
  readonly maxEntryBytes: number;
  /** Maximum uncompressed size of all entries together. */
  readonly maxTotalBytes: number;
}

/** Defaults sized for the real OSV export (the largest per-ecosystem archive is a few GB uncompressed). */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
};

/** What the first bytes of a file say it is. */
export type Sniffed = 'zip' | 'html' | 'gzip' | 'sqlite' | 'json' | 'text' | 'empty';

/** Classify content by its first bytes (a server's error page must not be mistaken for an archive). */
export function sniff(head: Uint8Array): Sniffed {
  if (head.length === 0) return 'empty';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const text = Buffer.from(head.subarray(0, 512)).toString('latin1');
  if (text.startsWith('SQLite format 3\0')) return 'sqlite';
  const trimmed = text
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (
    trimmed.startsWith('<!doctype html') ||
    trimmed.startsWith('<html') ||
    trimmed.startsWith('<?xml') ||
    trimmed.startsWith('<')
  )
    return 'html';
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'json';
  return 'text';
}

/** Read the first `n` bytes of a file. */
export function readHead(path: string, n = 512): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Entries read between two turns of the event loop (a long import must not starve timers and I/O). */
const ENTRIES_PER_TURN = 256;

/**
 * Call `onEntry` for every file entry (directories skipped) whose name passes `filter`, in archive order.
 * `label` names the archive in errors. Errors are {@link InputError}s with one-line messages.
 */
export async function forEachZipEntry(
  path: string,
  label: string,
  onEntry: (name: string, data: Buffer) => void,
  options: { limits?: ZipLimits; filter?: (name: string) => boolean } = {},
): Promise<{ entries: number; bytes: number }> {
  const limits = options.limits ?? DEFAULT_ZIP_LIMITS;
  const kind = sniff(readHead(path));
  if (kind === 'html') {
    throw new InputError(
      'E_ZIP_HTML',
      `${label}: got an HTML page instead of a zip archive (wrong URL, proxy or login page?)`,
    );
  }
  if (kind !== 'zip') throw new InputError('E_ZIP', `${label}: not a zip archive`);
  const file = openZipFile(path);
  try {
    let dir: ZipDirectory;
    try {
      dir = readZipDirectory(file);
    } catch (err) {
      throw new InputError(
        'E_ZIP',
        `${label}: truncated or corrupt zip archive (${(err as Error).message})`,
        {
          cause: err,
        },
      );
    }
    if (dir.count > limits.maxEntries) {
      throw new InputError(
        'E_ZIP_LIMIT',
        `${label}: ${dir.count} entries exceed the limit of ${limits.maxEntries}`,
      );
    }
    const corrupt = (err: unknown): InputError =>
      new InputError('E_ZIP', `${label}: corrupt zip archive (${(err as Error).message})`, { cause: err });
    let total = 0;
    let count = 0;
    let sinceTurn = 0;
    const entries = dir.entries();
    for (;;) {
      let next: IteratorResult<ZipEntry>;
      try {
        next = entries.next();
      } catch (err) {
        throw corrupt(err);
      }
      if (next.done) break;
      const entry = next.value;
      const name = entry.name;
      if (name.endsWith('/') || (options.filter && !options.filter(name))) continue;
      if (entry.size > limits.maxEntryBytes) {
        throw new InputError(
          'E_ZIP_LIMIT',
          `${label}: entry ${name} is ${entry.size} bytes uncompressed, over the limit of ${limits.maxEntryBytes} (zip bomb?)`,
        );
      }
      total += entry.size;
      if (total > limits.maxTotalBytes) {
        throw new InputError(
          'E_ZIP_LIMIT',
          `${label}: uncompressed content exceeds the limit of ${limits.maxTotalBytes} bytes (zip bomb?)`,
        );
      }
      let data: Buffer;
      try {
        data = readZipEntry(file, entry, limits.maxEntryBytes);
      } catch (err) {
        throw corrupt(err);
      }
      count++;
      // The consumer's own error (e.g. writing the database) passes through unchanged.
      onEntry(name, data);
      if (++sinceTurn >= ENTRIES_PER_TURN) {
        sinceTurn = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return { entries: count, bytes: total };
  } finally {
    file.close();
  }
}
