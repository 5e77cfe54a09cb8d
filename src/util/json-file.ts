/**
 * Reading a user-supplied JSON input file (an SBOM, a VEX document): bounded in size, every failure a
 * one-line {@link InputError} that names the file. The caller words the size and syntax errors.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fsError, oneLine, type InputError } from './errors.js';

export interface JsonFileOptions {
  readonly maxBytes: number;
  /** The error for a file over `maxBytes`. */
  readonly tooLarge: () => InputError;
  /** The error for text that is not JSON (`detail` is the parser's one-line reason). */
  readonly notJson: (detail: string) => InputError;
  /** When given, anything but a regular file fails with this error before it is read. */
  readonly notFile?: () => InputError;
}

/** Read and parse `file` (relative to `cwd`); returns the absolute path and the decoded document. */
export function readJsonFile(
  file: string,
  cwd: string,
  options: JsonFileOptions,
): { path: string; doc: unknown } {
  const path = resolve(cwd, file);
  let text: string;
  try {
    const st = statSync(path);
    if (options.notFile && !st.isFile()) throw options.notFile();
    if (st.size > options.maxBytes) throw options.tooLarge();
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, file);
  }
  try {
    return { path, doc: JSON.parse(text) as unknown };
  } catch (err) {
    throw options.notJson(oneLine(err));
  }
}
