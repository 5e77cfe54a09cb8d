import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from './io.js';
import { progress } from './progress.js';

function io(isTTY: boolean): { io: CliIO; text: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const stdout = new PassThrough();
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: '/' },
    text: () => chunks.join(''),
  };
}

describe('CLI progress', () => {
  it('draws a byte progress line on a terminal and clears it when done', async () => {
    const t = io(true);
    const bar = progress(t.io, 'reading', false);
    bar.update(1_500_000, 3_000_000);
    bar.done();
    await new Promise((r) => setImmediate(r));
    expect(t.text()).toContain('reading 50% (1.5 MB / 3.0 MB)');
    expect(t.text().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('stays silent with --quiet or when stderr is not a terminal', async () => {
    for (const [tty, quiet] of [
      [true, true],
      [false, false],
    ] as const) {
      const t = io(tty);
      const bar = progress(t.io, 'reading', quiet);
      bar.update(1, 2);
      bar.done();
      await new Promise((r) => setImmediate(r));
      expect(t.text()).toBe('');
    }
  });
});
