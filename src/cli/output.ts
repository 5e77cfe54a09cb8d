/**
 * Writing results: stdout, or a file. A regular file is written atomically (temp file + rename) so nothing
 * half-written remains; anything else (`/dev/null`, a FIFO, a terminal) is written in place, since
 * renaming over it would replace the device with a file.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fsError } from '../util/errors.js';
import { writeOut, type CliIO } from './io.js';

export async function emit(io: CliIO, text: string, output?: string): Promise<void> {
  if (!output || output === '-') {
    await writeOut(io, text);
    return;
  }
  const path = resolve(io.cwd, output);
  let special = false;
  try {
    special = !statSync(path).isFile();
  } catch {
    // does not exist yet: a new regular file
  }
  if (special) {
    try {
      writeFileSync(path, text);
    } catch (err) {
      throw fsError(err, path);
    }
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fsError(err, path);
  }
}

/** Parse sizes like `64MiB`, `10MB`, `1048576`. */
/**
 * Parse a per-file size limit (`--max-file-size`): a size from 1 byte to `max`. Throws a message naming
 * the limit when it is above what can be held in memory.
 */
export function parseFileSizeLimit(text: string, max: number): number {
  const n = parseSize(text);
  if (n < 1) throw new Error(`must be at least 1 byte, got "${text}"`);
  if (n > max) {
    throw new Error(
      `"${text}" (${n} bytes) is above the largest file that can be held in memory (${max} bytes = ${max / 1024 ** 3}GiB)`,
    );
  }
  return n;
}

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim());
  if (!m) throw new Error(`invalid size "${text}" (e.g. 64MiB)`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult =
    unit === 'b'
      ? 1
      : unit.startsWith('k')
        ? unit === 'kb'
          ? 1e3
          : 1024
        : unit.startsWith('m')
          ? unit === 'mb'
            ? 1e6
            : 1024 ** 2
          : unit === 'gb'
            ? 1e9
            : 1024 ** 3;
  return Math.floor(Number(m[1]) * mult);
}
