/** Run the CLI in-process with captured stdout/stderr (the same code path as the real binary). */
import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../io.js';
import { run } from '../main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runCli(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string | Buffer } = {},
): Promise<CliResult> {
  const out = collector();
  const err = collector();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const io: CliIO = {
    stdout: out.stream,
    stderr: err.stream,
    stdin,
    env: options.env ?? { ...process.env, NO_COLOR: '1' },
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await run(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}
