/** The CLI's view of the terminal, injectable so commands can be run in-process by tests. */
import type { Writable } from 'node:stream';
import { UsageError } from '../util/errors.js';

export interface CliIO {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Write to stdout and wait for it to drain (large reports piped to another process). */
export function writeOut(io: CliIO, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    io.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** The password piped to `--password-stdin` (at most 64 KiB), without its final newline. */
export async function readPasswordStdin(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += b.length;
    if (size > 64 * 1024) throw new UsageError('--password-stdin: standard input is too long for a password');
    chunks.push(b);
  }
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('--password-stdin: standard input is empty');
  return password;
}
