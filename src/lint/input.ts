/** Reading Dockerfiles: discovery in a folder, size and binary checks, stdin. */
import { readFileSync, statSync } from 'node:fs';
import { walkFolder } from '../source/fs/walk.js';
import { InputError, fsError } from '../util/errors.js';

/** Larger than any real Dockerfile; keeps memory bounded for hostile input. */
export const MAX_DOCKERFILE_BYTES = 64 * 1024 * 1024;

const DOCKERFILE_NAME = /^(?:Dockerfile|Containerfile)$|\.Dockerfile$|^Dockerfile\./;

/** Whether a file name is one `bulwark lint` picks up in a folder. */
export function isDockerfileName(name: string): boolean {
  return DOCKERFILE_NAME.test(name) && !name.endsWith('.dockerignore');
}

/**
 * `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*` in `dir` (not `*.dockerignore`), sorted.
 * Found through the shared folder walk, so `.gitignore`, `.git/info/exclude` and `exclude` globs apply
 * as they do to `fs://` targets and `bulwark secrets` (`gitignore: false` to include ignored files).
 */
export function discoverDockerfiles(
  dir: string,
  options: { readonly gitignore?: boolean; readonly exclude?: readonly string[] } = {},
): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    throw fsError(err, dir);
  }
  if (!st.isDirectory()) throw fsError(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }), dir);
  const found: string[] = [];
  let problem: string | undefined;
  for (const e of walkFolder(dir, { ...options, maxDepth: 0 }, (p) => (problem ??= p.reason))) {
    if (isDockerfileName(e.rel) && (e.stats.isFile() || (e.stats.isSymbolicLink() && isFileTarget(e.abs))))
      found.push(e.rel);
  }
  if (problem !== undefined && found.length === 0) throw new InputError('E_UNREADABLE', problem);
  return found.sort();
}

/** A symbolic link to a regular file counts (as `statSync` saw it before). */
function isFileTarget(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Decode Dockerfile bytes, refusing binary content with one clear error. */
export function decodeDockerfile(bytes: Uint8Array, name: string): string {
  if (bytes.length > MAX_DOCKERFILE_BYTES) {
    throw new InputError(
      'E_TOO_LARGE',
      `${name}: larger than ${MAX_DOCKERFILE_BYTES} bytes, not a Dockerfile`,
    );
  }
  if (bytes.includes(0))
    throw new InputError('E_BINARY', `${name}: binary content (NUL bytes), not a Dockerfile`);
  return new TextDecoder('utf-8').decode(bytes);
}

export function readDockerfile(path: string, name = path): string {
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > MAX_DOCKERFILE_BYTES) {
      throw new InputError(
        'E_TOO_LARGE',
        `${name}: larger than ${MAX_DOCKERFILE_BYTES} bytes, not a Dockerfile`,
      );
    }
    bytes = readFileSync(path);
  } catch (err) {
    throw fsError(err, name);
  }
  return decodeDockerfile(bytes, name);
}

export async function readStream(stream: NodeJS.ReadableStream, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > MAX_DOCKERFILE_BYTES) {
      throw new InputError(
        'E_TOO_LARGE',
        `${name}: larger than ${MAX_DOCKERFILE_BYTES} bytes, not a Dockerfile`,
      );
    }
    chunks.push(buf);
  }
  return decodeDockerfile(Buffer.concat(chunks), name);
}
