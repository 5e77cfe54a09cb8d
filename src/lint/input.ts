/** Reading Dockerfiles: discovery in a folder, size and binary checks, stdin. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, fsError } from '../util/errors.js';

/** Larger than any real Dockerfile; keeps memory bounded for hostile input. */
export const MAX_DOCKERFILE_BYTES = 64 * 1024 * 1024;

const DOCKERFILE_NAME = /^(?:Dockerfile|Containerfile)$|\.Dockerfile$|^Dockerfile\./;

/** `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*` in `dir` (not `*.dockerignore`), sorted. */
export function discoverDockerfiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw fsError(err, dir);
  }
  return names
    .filter((n) => DOCKERFILE_NAME.test(n) && !n.endsWith('.dockerignore'))
    .filter((n) => {
      try {
        return statSync(join(dir, n)).isFile();
      } catch {
        return false;
      }
    })
    .sort();
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
