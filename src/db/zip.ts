/**
 * Bounded reading of zip archives (the OSV export's `all.zip`): the entry count, each entry's size and
 * the total uncompressed size are capped before anything is inflated, and yauzl checks that entries
 * really inflate to their declared size, so a zip bomb or a lying header ends with a clear error.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import yauzl from 'yauzl';
import { InputError } from '../util/errors.js';

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

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          stream.destroy(new Error(`entry inflates beyond ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks, size)));
    });
  });
}

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
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw new InputError('E_ZIP', `${label}: truncated or corrupt zip archive (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new InputError(
      'E_ZIP_LIMIT',
      `${label}: ${zip.entryCount} entries exceed the limit of ${limits.maxEntries}`,
    );
  }
  let total = 0;
  let count = 0;
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (err: unknown, raw = false): void => {
      if (done) return;
      done = true;
      zip.close();
      reject(
        raw || err instanceof InputError
          ? err
          : new InputError('E_ZIP', `${label}: corrupt zip archive (${(err as Error).message})`, {
              cause: err,
            }),
      );
    };
    zip.on('error', fail);
    zip.on('end', () => {
      if (done) return;
      done = true;
      resolve({ entries: count, bytes: total });
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (done) return;
      const name = entry.fileName;
      if (name.endsWith('/') || (options.filter && !options.filter(name))) {
        zip.readEntry();
        return;
      }
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        fail(
          new InputError(
            'E_ZIP_LIMIT',
            `${label}: entry ${name} is ${entry.uncompressedSize} bytes uncompressed, over the limit of ${limits.maxEntryBytes} (zip bomb?)`,
          ),
        );
        return;
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        fail(
          new InputError(
            'E_ZIP_LIMIT',
            `${label}: uncompressed content exceeds the limit of ${limits.maxTotalBytes} bytes (zip bomb?)`,
          ),
        );
        return;
      }
      readEntry(zip, entry, limits.maxEntryBytes).then(
        (data) => {
          count++;
          try {
            onEntry(name, data);
          } catch (err) {
            // The consumer's own error (e.g. writing the database): pass it through unchanged.
            fail(err, true);
            return;
          }
          zip.readEntry();
        },
        (err: unknown) => fail(err),
      );
    });
    zip.readEntry();
  });
}
