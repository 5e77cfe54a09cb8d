import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../source/test-support/build.js';
import { emit, parseSize } from './output.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const io = (cwd: string) => ({
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
  env: {},
  cwd,
});

describe('emit', () => {
  it('writes regular files atomically and leaves no temp file behind', async () => {
    const d = tempDir();
    dirs.push(d);
    await emit(io(d), 'one', 'out.json');
    await emit(io(d), 'two', 'out.json');
    expect(readFileSync(join(d, 'out.json'), 'utf8')).toBe('two');
    expect(existsSync(join(d, `out.json.${process.pid}.tmp`))).toBe(false);
  });

  it('writes into a FIFO in place instead of replacing it with a file', async () => {
    const d = tempDir();
    dirs.push(d);
    const fifo = join(d, 'pipe');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo: nothing to test on this platform
    }
    // Open the reading end first, without blocking: writing to a FIFO blocks until a reader exists.
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await emit(io(d), 'through the pipe', fifo);
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, null);
    closeSync(fd);
    expect(buf.subarray(0, n).toString()).toBe('through the pipe');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('parses sizes', () => {
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('1048576')).toBe(1048576);
    expect(() => parseSize('lots')).toThrow(/invalid size/);
  });
});
